"""``python -m rtp.prompts [--force]``: render the prompts into $POSTE_DATA/prompts."""
from __future__ import annotations

import logging
import sys

from rtp.prompts.generate import generate_prompts
from tenants.config import load_settings


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    written = generate_prompts(load_settings().data_dir, force="--force" in argv)
    print(f"prompts: {written} file(s) written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
