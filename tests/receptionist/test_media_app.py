"""The receptionist on the media app process, without Kamailio (H1): early media, keys, the
INVITE ended with the extensions chosen (X-Poste-Transfer) or answered for the mailbox (D2)."""
from __future__ import annotations

import asyncio

import pytest

from tenants.receptionist import service
from tests import factories
from tests.kamailio.media_stack import shared_prompts
from tests.media.conftest import MediaProcess
from tests.receptionist.early_caller import EarlyCaller

DOMAIN = "acme.pbx.example"


@pytest.fixture
def office(db):
    tenant = factories.tenant(DOMAIN)
    factories.extension(tenant, "2000", "Accueil Standard")
    factories.extension(tenant, "2001", "Jean Dupont")
    return tenant


@pytest.fixture
def media(settings, office):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "prompts").symlink_to(shared_prompts())
    proc = MediaProcess(settings).start()
    yield proc
    proc.stop()


def call(media, script):
    async def main():
        caller = await EarlyCaller(("127.0.0.1", media.port), mailbox=None, service="receptionist",
                                   domain=DOMAIN).open()
        try:
            caller.sipp.place(caller)
            await caller.until(lambda: caller.early, 15, "the receptionist's 183", audio=False)
            return await script(caller)
        finally:
            caller.close()
    return asyncio.run(asyncio.wait_for(main(), 90))


def test_keys_in_early_media_end_the_invite_with_the_extension(media):
    async def script(caller):
        await caller.silence(0.5)
        for key in "2001":
            await caller.key(key)
        answer = await caller.until(lambda: caller.answer, 20, "the INVITE's end")
        return answer, caller.transfer, caller.received_audio()
    answer, transfer, heard = call(media, script)
    assert (answer.status, transfer) == (480, "2001"), media.output()
    assert len(heard) > 8000  # the greeting was heard as early media


def test_nothing_pressed_goes_to_the_operator(media, office):
    service.update(factories.CLI, office, service.Change(operator="2000"))

    async def script(caller):
        answer = await caller.until(lambda: caller.answer, 80, "the INVITE's end")
        return answer, caller.transfer
    answer, transfer = call(media, script)
    assert (answer.status, transfer) == (480, "2000"), media.output()


def test_star_then_the_extension_answers_for_the_mailbox(media):
    async def script(caller):
        await caller.silence(0.3)
        for key in "*2001":
            await caller.key(key)
        return await caller.until(lambda: caller.answer, 20, "the answer")
    answer = call(media, script)
    assert answer.status == 200, media.output()
