"""Where a call goes (C1, C8 defaults, D1/D2, later C2-C10): pure decisions over plain data.

Kamailio asks (through KEMI or over HTTP, see ``kamailio/README.md``) with who
calls (the authenticated extension and its tenant's domain) and what was dialled
(the request URI's user and domain); ``route_call`` answers with a ``Decision``.
Kamailio applies it: ring the registered phones of an extension (and, when it
has a mailbox, go to voicemail on no answer, busy or no phone: C8's defaults),
send the call to the media app (voicemail access: ``*97``, ``*98``, one's own
number), or reply with an error. ``load_directory`` is the one function here that reads the database;
``decide`` glues the two for the callers.

Decisions travel to Kamailio as one line of text (``Decision.wire()``) that the
configuration splits on ``|``, the same for KEMI and HTTP.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

EXTENSION_RE = re.compile(r"^[0-9]{4}$")
OWN_MAILBOX_CODE = "*97"  # D1: the caller's own mailbox
ANY_MAILBOX_CODE = "*98"  # D2: the media app asks which mailbox
DEFAULT_NO_ANSWER_SECONDS = 24  # seed 001; Extension.no_answer_seconds per extension
MIN_NO_ANSWER_SECONDS, MAX_NO_ANSWER_SECONDS = 1, 300


@dataclass(frozen=True)
class CallerInfo:
    """Who is calling: an authenticated extension of a tenant."""

    domain: str
    user: str


@dataclass(frozen=True)
class ExtensionEntry:
    number: str
    kind: str = "desk"  # "desk" (phones register) or "virtual" (forwards to forward_to, C2)
    forward_to: str | None = None
    no_answer_seconds: int = DEFAULT_NO_ANSWER_SECONDS
    has_mailbox: bool = False


@dataclass(frozen=True)
class TenantDirectory:
    """What routing needs to know about one tenant."""

    domain: str
    active: bool = True
    extensions: Mapping[str, ExtensionEntry] = field(default_factory=dict)


@dataclass(frozen=True)
class Reject:
    """Answer the caller with a final SIP error."""

    code: int
    reason: str

    def wire(self) -> str:
        return f"reject|{self.code}|{self.reason}"


NOT_FOUND = Reject(404, "Not Found")
UNAVAILABLE = Reject(480, "Temporarily Unavailable")
FORBIDDEN = Reject(403, "Forbidden")
OTHER_TENANT = Reject(403, "Other Tenant")


@dataclass(frozen=True)
class RingExtension:
    """Ring every registered phone of ``number@domain`` at once (parallel fork).

    With ``voicemail`` (the extension has a mailbox, C8's defaults), Kamailio
    sends the call to the media app when no phone is registered (reason
    ``unavailable``), when every phone is busy (``busy``) or when nobody answers
    within ``no_answer_seconds`` (``noanswer``). Without it, ``if_unregistered``
    is what the caller gets when no phone is registered, and busy/no-answer
    errors reach the caller as they are.
    """

    number: str
    domain: str
    if_unregistered: Reject = UNAVAILABLE
    no_answer_seconds: int = DEFAULT_NO_ANSWER_SECONDS
    voicemail: bool = False

    def wire(self) -> str:
        return (f"ring|{self.number}|{self.domain}|{self.if_unregistered.code}|{self.if_unregistered.reason}"
                f"|{self.no_answer_seconds}|{int(self.voicemail)}")


DEPOSIT, ACCESS = "deposit", "access"


@dataclass(frozen=True)
class Voicemail:
    """Send the call to the media app (see "Media app contract" in kamailio/README.md).

    ``service`` ``deposit``: leave a message in ``number@domain`` for ``reason``
    (``noanswer``, ``busy``, ``unavailable``, ``dnd``). ``access``: open the
    mailbox ``number@domain`` (D1), or, with no ``number``, let the media app ask
    which mailbox of ``domain`` (D2).
    """

    domain: str
    number: str = ""
    reason: str = ""
    service: str = DEPOSIT

    def wire(self) -> str:
        return f"voicemail|{self.number}|{self.domain}|{self.reason}|{self.service}"


Decision = RingExtension | Voicemail | Reject


def route_call(caller: CallerInfo, dialled_user: str, dialled_domain: str,
               directory: TenantDirectory | None) -> Decision:
    """Decide where a call from ``caller`` to ``dialled_user@dialled_domain`` goes.

    ``directory`` is the caller's tenant. A call never leaves the caller's
    tenant: a request URI naming another domain is refused, so ``2001`` always
    means the caller's own ``2001``.
    """
    if directory is None or not directory.active or directory.domain != caller.domain.lower():
        return FORBIDDEN
    if (dialled_domain or "").lower() != directory.domain:
        return OTHER_TENANT
    number = (dialled_user or "").strip()
    if number == OWN_MAILBOX_CODE:  # D1: *97 opens the caller's own mailbox
        own = directory.extensions.get(caller.user)
        if own is None or not own.has_mailbox:
            return NOT_FOUND
        return Voicemail(directory.domain, own.number, service=ACCESS)
    if number == ANY_MAILBOX_CODE:  # D2: *98, the media app asks for the mailbox
        return Voicemail(directory.domain, service=ACCESS)
    entry = directory.extensions.get(number) if EXTENSION_RE.match(number) else None
    if entry is None:
        return NOT_FOUND
    if entry.kind == "desk":
        if number == caller.user and entry.has_mailbox:  # D1: dialling one's own extension
            return Voicemail(directory.domain, number, service=ACCESS)
        seconds = min(max(int(entry.no_answer_seconds or DEFAULT_NO_ANSWER_SECONDS), MIN_NO_ANSWER_SECONDS),
                      MAX_NO_ANSWER_SECONDS)
        return RingExtension(number=number, domain=directory.domain, no_answer_seconds=seconds,
                             voicemail=entry.has_mailbox)
    # A virtual extension forwards to its external number (C2), which needs the
    # trunk of a later issue; until then it cannot be reached.
    return UNAVAILABLE


def load_directory(domain: str, only: str | None = None) -> TenantDirectory | None:
    """The tenant of ``domain`` as routing data, or None if there is none.

    With ``only``, the directory holds just that extension (if it exists): all
    a single call needs, in one indexed query.
    """
    from peewee import JOIN

    from tenants.models import Extension, Mailbox, Tenant

    tenant = Tenant.get_or_none(Tenant.domain == (domain or "").lower())
    if tenant is None:
        return None
    rows = (Extension.select(Extension.number, Extension.kind, Extension.forward_to, Extension.no_answer_seconds,
                             Mailbox.id.alias("mailbox_id"))
            .join(Mailbox, JOIN.LEFT_OUTER, on=(Mailbox.extension == Extension.id))
            .where(Extension.tenant == tenant))
    if only is not None:
        rows = rows.where(Extension.number == only)
    extensions = {row["number"]: ExtensionEntry(row["number"], row["kind"], row["forward_to"],
                                                row["no_answer_seconds"], row["mailbox_id"] is not None)
                  for row in rows.dicts()}
    return TenantDirectory(domain=tenant.domain, active=tenant.is_active, extensions=extensions)


def decide(caller_user: str, caller_domain: str, dialled_user: str, dialled_domain: str) -> Decision:
    """Load the caller's tenant and apply ``route_call`` (what Kamailio calls)."""
    caller = CallerInfo(domain=(caller_domain or "").lower(), user=caller_user or "")
    dialled = (dialled_user or "").strip()
    only = caller.user if dialled == OWN_MAILBOX_CODE else dialled
    return route_call(caller, dialled_user, dialled_domain, load_directory(caller.domain, only=only))
