"""What the domain needs from outside it: declared here, implemented elsewhere, installed at start-up.

``tenants/`` imports nothing of ``kamailio/``; when the domain must act on the SIP server
(drop a deleted extension's phones) or the console must read it (live registrations and
calls), they call the port installed here. ``kamailio.rpc.KamailioRegistrar`` implements it
over Kamailio's JSON-RPC; the composition root (``wiring.compose``, called by ``wsgi.py``)
installs it. Until then ``NoRegistrar`` answers: nothing to drop, live state unknown.
"""
from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class RegistrarError(RuntimeError):
    """The SIP server did not answer (or there is none): its live state is unknown."""


class Registrar(Protocol):
    """The SIP server's registrar (and its calls), as the domain and the console use it.

    ``aor`` is ``extension@domain``. Reads return plain data (see ``kamailio.rpc``) or
    raise ``RegistrarError``."""

    def unregister(self, aor: str) -> None: ...

    def registrations(self, domain: str | None = None) -> list[dict]: ...

    def active_calls(self, domain: str | None = None) -> list[dict]: ...

    def totals_by_domain(self) -> dict[str, dict]: ...

    def resync(self, aor: str, event: str) -> int:
        """Send SIP NOTIFY ``Event: <event>`` (check-sync) to every registered phone of ``aor``,
        which makes a desk phone fetch its configuration again; how many were sent."""

    def forget_domain(self, domain: str) -> None:
        """The SIP server checks again whether ``domain`` is served (it remembers served domains
        for a few seconds): after a tenant is suspended or deleted."""


NOT_INSTALLED = "no registrar installed in this process"


class NoRegistrar:
    """Before a registrar is installed: nothing is registered anywhere to drop; reads cannot say."""

    def unregister(self, aor: str) -> None:
        return None

    def registrations(self, domain: str | None = None) -> list[dict]:
        raise RegistrarError(NOT_INSTALLED)

    def active_calls(self, domain: str | None = None) -> list[dict]:
        raise RegistrarError(NOT_INSTALLED)

    def totals_by_domain(self) -> dict[str, dict]:
        raise RegistrarError(NOT_INSTALLED)

    def resync(self, aor: str, event: str) -> int:
        raise RegistrarError(NOT_INSTALLED)

    def forget_domain(self, domain: str) -> None:
        return None


_installed: list[Registrar] = [NoRegistrar()]


def install_registrar(registrar: Registrar) -> Registrar:
    """Make ``registrar`` the one this process uses; return the one it replaces."""
    previous, _installed[0] = _installed[0], registrar
    return previous


def registrar() -> Registrar:
    return _installed[0]


def domain_changed(domain: str) -> None:
    """A tenant suspended, resumed or deleted counts at once for the SIP server too.

    Best effort, after the change committed: the server forgets its answer within seconds anyway."""
    try:
        registrar().forget_domain(domain)
    except RegistrarError as error:
        log.info("the SIP server was not told about %s: %s", domain, error)


def drop_registrations(extension: str, domain: str) -> None:
    """The phones of a deleted or renumbered extension leave the registrar at once.

    Best effort, after the change committed: they can no longer register or be called either way."""
    try:
        registrar().unregister(f"{extension}@{domain}")
    except RegistrarError as error:
        log.info("registrations of %s@%s not dropped: %s", extension, domain, error)
