"""``python -m scripts.systemd [--output DIR] [--user USER] [--group GROUP] [--name NAME]``.

Writes the units of ``scripts.systemd`` for the current settings (the environment and
``$POSTE_DATA/poste.env``, as every process reads them) into DIR (default
``/etc/systemd/system``), then says how to start them.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from scripts.systemd import units, write
from tenants.config import load_or_exit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.systemd", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("/etc/systemd/system"))
    parser.add_argument("--user", default=getpass.getuser(), help="the user the processes run as")
    parser.add_argument("--group", default="", help="their group (default: the user's name)")
    parser.add_argument("--name", default="poste", help="prefix of the units (another for a second installation)")
    args = parser.parse_args(argv)
    for path in write(args.output, units(load_or_exit(), args.user, args.group, args.name)):
        print(path)
    print(f"\nthen: systemctl daemon-reload && systemctl enable --now {args.name}.target", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
