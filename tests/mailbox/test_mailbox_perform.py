"""Issues 12 and 13 through the media app's perform layer (rtp/mediaapp/mailbox_call.py), on a real
database: when a domain action raises, the caller hears the apology and the prompt again, where
the media app used to log "mailbox action CheckPin failed" and leave the caller in silence."""
from __future__ import annotations

import asyncio
import logging

from rtp.flows import events as ev
from rtp.flows.mailbox import events as mb
from rtp.mediaapp import mailbox_call
from rtp.mediaapp.app import Call, MediaApp
from tenants import credentials
from tenants.models import Mailbox
from tenants.voicemail import service
from tests import factories

credentials.use_fast_hashing()


class Line:
    """The call's RTP session, as far as the media app's actions reach it (nothing is sent)."""

    codec = 0  # PCMU

    def __init__(self) -> None:
        self.played = 0

    def play(self, audio: bytes, done=None) -> None:
        self.played += 1

    def stop_playback(self) -> None:
        pass


class WatchedApp(MediaApp):
    """The real media app, keeping every action the flow gave it to perform."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.performed: list = []

    def perform(self, call, actions: list) -> None:
        self.performed += actions
        super().perform(call, actions)


async def until(condition, what: str, seconds: float = 10.0) -> None:
    """Let the event loop run (the worker pool answers through it) until ``condition`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


def apologies(app: WatchedApp) -> list:
    return [a for a in app.performed if isinstance(a, ev.Play) and a.items[:1] == ("action-failed",)]


def test_a_pin_check_that_raises_is_said_and_the_pin_asked_again(db, settings, caplog):
    tenant = factories.tenant()
    mailbox = Mailbox.get(Mailbox.extension == factories.extension(tenant, "2001", "Alice Martin"))
    assert mailbox_call.change_pin(mailbox.id, "4711")
    app = WatchedApp(settings.data_dir)
    call = Call(dialog=None, rtp=Line(), flow=None, ctx=service.access_context(tenant.domain), reason="unavailable",
                caller_number="2002", caller_name="", language="fr", access=True)

    async def main() -> None:
        app.perform(call, mailbox_call.start(app, call, None, own_phone=False))  # *98
        for key in "2001#":
            app.event(call, ev.Digit(key))
        await until(lambda: call.flow.state.name == "pin", "the PIN prompt")
        # An admin deletes the mailbox while its owner types the PIN: the real check raises.
        Mailbox.delete().where(Mailbox.id == mailbox.id).execute()
        for key in "4711#":
            app.event(call, ev.Digit(key))
        await until(lambda: apologies(app), "the apology")

    with caplog.at_level(logging.ERROR, logger="rtp.mediaapp.mailbox_call"):
        try:
            asyncio.run(main())
        finally:
            app.pool.shutdown(wait=True)
            app.mwi_jobs.pool.shutdown(wait=True)
    assert mb.CheckPin(mailbox.id, "4711") in app.performed
    assert "mailbox action CheckPin failed" in caplog.text  # still logged, and now said too
    (apology,) = apologies(app)
    assert apology.items == ("action-failed", "enter-pin")  # "Désolé, une erreur est survenue. Entrez votre code..."
    assert call.flow.state.name == "pin" and not call.flow.done
    assert call.rtp.played >= 3  # the mailbox prompt, the PIN prompt, then the apology with the PIN prompt
