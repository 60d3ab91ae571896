"""Message-waiting (F1): RFC 3842 ``message-summary`` bodies and the unsolicited NOTIFY.

The media app sends one NOTIFY per change (the ``voicemail_mwi`` job, see
``rtp/mediaapp/mwi_jobs.py``) to Kamailio as ``sip:<ext>@<domain>``, from its own
SIP socket and with the shared secret, and Kamailio relays it to every registered
contact of the extension (see kamailio/README.md "Message waiting").
"""
from __future__ import annotations

from rtp.sip.message import Request
from rtp.sip.stack import SipStack
from tenants.voicemail.rules import MwiCounts

CONTENT_TYPE = "application/simple-message-summary"


def message_summary(counts: MwiCounts, account: str) -> bytes:
    """RFC 3842 section 5.2 body."""
    return (f"Messages-Waiting: {'yes' if counts.waiting else 'no'}\r\n"
            f"Message-Account: {account}\r\n"
            f"Voice-Message: {counts.new}/{counts.old} (0/0)\r\n").encode()


def unsolicited_notify(stack: SipStack, ext: str, domain: str, counts: MwiCounts) -> Request:
    """The NOTIFY for ``ext@domain`` that Kamailio forks to the extension's phones."""
    aor = f"sip:{ext}@{domain}"
    headers = [("Contact", stack.contact()), ("Event", "message-summary"),
               ("Subscription-State", "active;expires=3600"), ("Content-Type", CONTENT_TYPE),
               *stack.secret_header()]
    return stack.out_of_dialog("NOTIFY", aor, f"sip:voicemail@{domain}", aor, headers=headers,
                               body=message_summary(counts, aor))
