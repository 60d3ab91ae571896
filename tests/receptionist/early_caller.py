"""A caller that hears early media (the receptionist's menu): ``tests/media/caller.py``'s caller
with the scenario ``scenarios/early_caller.xml``: a 183's SDP is where its keys and audio go,
until a 200 says otherwise; a refusal's ``X-Poste-Transfer`` is kept; REFERs are answered 405."""
from __future__ import annotations

from pathlib import Path

from tests.media.caller import Caller

SCENARIO = Path(__file__).parent / "scenarios" / "early_caller.xml"


class EarlyCaller(Caller):
    scenario = SCENARIO

    def __init__(self, *args, **kw):
        kw.setdefault("refuse_refers", 99)
        super().__init__(*args, **kw)
        self.early = False
        self.transfer = ""

    def _event(self, fields: dict[str, str]) -> None:
        if fields.get("event") == "early":
            if fields.get("rtp-port", "").isdigit():
                self.early = True
                self.remote_rtp = (fields["rtp-address"], int(fields["rtp-port"]))
            self._changed.set()
            return
        if fields.get("event") == "refused":
            self.transfer = fields.get("transfer", "")
        super()._event(fields)
