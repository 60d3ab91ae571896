"""The portal in Debian's Chromium (issue 17): sign in with a mailbox number, play a message
(the audio element reaches "playing"), mark it heard and see the count change, record a
greeting with Chromium's fake microphone and find it stored trimmed and normalized, switch
mailbox."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from tenants.models import Mailbox
from tenants.voicemail.models import MailboxSettings
from tests import factories as f
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.dsp.signals import band_noise, voiced
from tests.portal.conftest import leave_message

RATE = 48000


@pytest.fixture(scope="module")
def microphone(tmp_path_factory):
    """What the fake microphone says, in a loop: 1 s of faint noise, 2 s of voice at -30 dBFS, 1 s of noise."""
    path = tmp_path_factory.mktemp("mic") / "voice.wav"
    x = np.concatenate([band_noise(RATE, RATE, -60.0), voiced(RATE, 2.0, -30.0), band_noise(RATE, RATE, -60.0, 2)])
    sf.write(str(path), x, RATE, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def portal_browser(microphone):
    from playwright.sync_api import sync_playwright

    args = CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                            f"--use-file-for-fake-audio-capture={microphone}",
                            "--autoplay-policy=no-user-gesture-required"]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield chromium
        chromium.close()


@pytest.fixture
def portal_page(portal_browser, live_server):
    context = portal_browser.new_context(locale="fr-FR", base_url=live_server, bypass_csp=True)  # wait_for_function evaluates
    context.grant_permissions(["microphone"])
    yield context.new_page()
    context.close()


@pytest.fixture
def alice(db, media):
    acme = f.tenant("acme.pbx.example")
    ext = f.extension(acme, "2001", "Alice Martin", email="alice@acme.pbx.example")
    f.account("user", acme, email="alice@acme.pbx.example", extension=ext)
    return Mailbox.get(Mailbox.extension == ext)


@pytest.fixture
def media():
    from rtp.audio.port import MediaAudio
    from tenants import audio_port
    previous = audio_port.install(MediaAudio())
    yield
    audio_port.install(previous)


def sign_in_by_number(page, login: str = "2001@acme.pbx.example") -> None:
    page.goto("/connexion")
    page.get_by_label("Numéro ou adresse e-mail").fill(login)
    page.get_by_label("Mot de passe").fill(f.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/portail/*/", wait_until="load")


def test_play_a_message_and_mark_it_heard(portal_page, alice, settings):
    leave_message(alice, "acme.pbx.example", "2001", "0612345678", "Bob Dupont", seconds=3, settings=settings)
    sign_in_by_number(portal_page)
    portal_page.get_by_role("link", name="Messages", exact=True).first.click()
    portal_page.wait_for_url("**/messages/", wait_until="load")
    count = portal_page.locator("#message-count")
    assert "1 nouveau message" in count.inner_text()
    audio = portal_page.locator("li.message audio").first
    audio.evaluate("a => { window.__played = false; a.addEventListener('playing', () => { window.__played = true; }); "
                   "a.play(); }")
    portal_page.wait_for_function("window.__played === true", timeout=15000)
    assert audio.evaluate("a => a.duration") > 2.5
    portal_page.get_by_role("button", name="Marquer comme écouté").click()
    portal_page.wait_for_function("document.querySelector('#message-count').dataset.new === '0'", timeout=15000)
    assert "Aucun nouveau message" in portal_page.locator("#message-count").inner_text()


def test_record_a_greeting_with_the_microphone(portal_page, alice, settings):
    sign_in_by_number(portal_page)
    portal_page.goto(f"/portail/{alice.id}/reglages-messages/")
    box = portal_page.locator("#custom-greeting [data-recorder]")
    box.get_by_role("button", name="Enregistrer").click()
    portal_page.wait_for_function(
        "Number(document.querySelector('#custom-greeting [data-recorder]').dataset.recordedMs || 0) >= 4000",
        timeout=20000)
    box.get_by_role("button", name="Arrêter").click()
    portal_page.wait_for_function("document.querySelector('#custom-greeting [data-recorder]').dataset.recorded === '1'",
                                  timeout=10000)
    portal_page.get_by_role("button", name="Enregistrer le message d'accueil").click()
    portal_page.wait_for_url("**/reglages-messages/", wait_until="load")
    assert "Votre message d'accueil personnalisé est enregistré" in portal_page.content().replace("&#39;", "'")
    row = MailboxSettings.get(MailboxSettings.mailbox == alice.id)
    assert row.greeting == "custom" and row.unavailable_path
    samples, rate = sf.read(str(settings.data_dir / row.unavailable_path))
    assert rate == 8000 and samples.ndim == 1
    seconds = len(samples) / rate
    assert 1.8 <= seconds <= 3.2, seconds  # the 4 s and more recorded, trimmed to the voice and its pads
    assert np.max(np.abs(samples)) <= 10 ** (-1 / 20) + 1e-3  # the limiter's ceiling
    assert np.max(np.abs(samples)) > 10 ** (-20 / 20)  # brought up from -30 dBFS: normalized


def test_switch_mailbox(portal_page, alice):
    acme = alice.extension.tenant
    second = f.extension(acme, "2010", "Accueil", email="alice@acme.pbx.example")
    box2 = Mailbox.get(Mailbox.extension == second)
    sign_in_by_number(portal_page)
    portal_page.goto(f"/portail/{alice.id}/messages/")
    portal_page.get_by_label("Boîte vocale").select_option(label="2010 · Accueil")
    portal_page.wait_for_url(f"**/portail/{box2.id}/messages/", wait_until="load")
    assert portal_page.get_by_label("Boîte vocale").evaluate("s => s.options[s.selectedIndex].text") == "2010 · Accueil"


def test_the_list_shows_a_new_message_by_itself(portal_page, alice, settings):
    sign_in_by_number(portal_page)
    portal_page.goto(f"/portail/{alice.id}/messages/")
    assert portal_page.locator("li.message").count() == 0
    leave_message(alice, "acme.pbx.example", "2001", "0699999999", "Nouvel Appelant", settings=settings)
    portal_page.locator("li.message").first.wait_for(timeout=20000)  # the poll (every 5 s) brings it
    assert "Nouvel Appelant" in portal_page.locator("#messages").inner_text()


def test_record_and_send_a_voice_message(portal_page, alice, settings):
    from tenants.voicemail import portal
    bob = Mailbox.get(Mailbox.extension == f.extension(alice.extension.tenant, "2002", "Bob Durand"))
    sign_in_by_number(portal_page)
    portal_page.goto(f"/portail/{alice.id}/nouveau-message/")
    portal_page.get_by_label("À").fill("2002")
    recorder = portal_page.locator("[data-recorder]")
    recorder.get_by_role("button", name="Enregistrer").click()
    portal_page.wait_for_function(
        "Number(document.querySelector('[data-recorder]').dataset.recordedMs || 0) >= 4000", timeout=20000)
    recorder.get_by_role("button", name="Arrêter").click()
    portal_page.wait_for_function("document.querySelector('[data-recorder]').dataset.recorded === '1'", timeout=10000)
    portal_page.get_by_role("button", name="Envoyer").click()
    portal_page.wait_for_url("**/messages/", wait_until="load")
    (got,) = portal.inbox(bob.id)
    assert got.caller_number == "2001" and 1800 <= got.duration_ms <= 3200  # trimmed to the voice
