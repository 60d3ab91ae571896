"""An authenticated desk phone placing a call through Kamailio, speaking RTP (for voicemail tests).

The media tests' ``Caller`` (tests/media/caller.py: sipp writes and reads the SIP, Python sends
G.711 audio at 20 ms and RFC 4733 keys) as a phone: no ``X-Poste-*`` headers, its own extension
in From, the digest credentials sipp answers Kamailio's 407 with; in-dialog requests (the ACK of
the 2xx, BYE) follow the Record-Route set to the Contact of the answer, as sipp does.
"""
from __future__ import annotations

from tests.media.caller import Caller, Message


class PhoneCaller(Caller):
    def __init__(self, proxy: tuple[str, int], user: str, domain: str, password: str, dialled: str, **options):
        super().__init__(proxy, mailbox=None, ruri=f"sip:{dialled}@{domain}", caller=user, auth=(user, password),
                         domain=domain, secret=None, display_name=None, **options)
        self.user, self.password, self.dialled = user, password, dialled

    async def invite(self, timeout: float = 15.0) -> Message:
        return await super().invite(timeout)
