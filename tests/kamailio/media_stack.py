"""Kamailio + rtpengine with the real media app behind them, for the modules that run whole calls
(``tests/kamailio/test_voicemail_routing.py``, ``test_outside_calls.py``), and the prompts it plays."""
from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path

from kamailio import rpc
from tests.media.conftest import MediaProcess
from tests.sip_fixtures import SipStack, free_port, wait_for


def shared_prompts() -> Path:
    """French prompts rendered once per machine (espeak-ng takes long), shared by xdist workers
    and later runs; ``generate_prompts`` re-renders only missing or changed segments."""
    from rtp.prompts.generate import generate_prompts

    root = Path(tempfile.gettempdir()) / f"poste-test-prompts-{os.getuid()}"
    root.mkdir(exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        generate_prompts(root, languages=("fr",))
    return root / "prompts"


@contextlib.contextmanager
def media_stack(address: str, **options):
    """Kamailio + rtpengine with the real media app behind them on ``address`` (its own, so that
    only it is trusted), sharing one POSTE_DATA, database and the rendered prompts; ``options``
    of ``SipStack`` (a higher ``pike_density`` for many calls at once from one address, say)."""
    port = free_port(address)
    stack = SipStack(media_nodes=(f"{address}:{port}",), media_ping_interval=1, **options)
    media = None
    try:
        stack.start()
        (stack.data_dir / "prompts").symlink_to(shared_prompts())
        media = MediaProcess(stack.settings, kamailio=True,
                             env_extra={"POSTE_MEDIA_ADDRESS": address, "POSTE_MEDIA_SIP_PORT": str(port)})
        media.port = port
        media.start()
        stack.media = media
        wait_for(lambda: [n for n in rpc.media_nodes(settings=stack.settings) if n["active"]], 15,
                 what="the media app active in dispatcher")
        yield stack
    finally:
        if media is not None:
            media.stop()
        stack.stop()
