"""Every page and action of the portal (E3, E4, E6-E10), through the console's routes: what a
user sees, what changes, and the French error (with nothing changed) on bad input."""
from __future__ import annotations

import datetime as dt
import html
import re

from tenants import jobs
from tenants.models import Job, Mailbox
from tenants.voicemail import mailbox_changes, portal, portal_mail, retention
from tenants.voicemail.models import MailboxSettings, VoicemailOptions, VoiceMessage
from tests import factories as f
from tests.job_worker import running_worker
from tests.portal.audio import speechlike_wav
from tests.portal.conftest import leave_message
from tests.sip_fixtures import wait_for


def text(response) -> str:
    return html.unescape(response.text)


def token(owner) -> str:
    return f.csrf_token(owner.client.get(owner.url("messages/")).text)


def post(owner, path: str, data: dict | None = None, **kw):
    return owner.client.post(owner.url(path), data={"csrf_token": token(owner), **(data or {})}, **kw)


# --- Messages (E3) -----------------------------------------------------------------------------

def test_the_list_shows_marks_caller_date_and_length(alice, settings):
    leave_message(alice.box, alice.domain, alice.number, "0612345678", "Bob Dupont", seconds=2, settings=settings,
                  urgent=True)
    leave_message(alice.box, alice.domain, alice.number, "", "", settings=settings, private=True)
    page = text(alice.client.get(alice.url("messages/")))
    assert "! Urgent" in page and ">Privé<" in page and "Bob Dupont" in page and "0612345678" in page
    assert "01/03/2026 10:30 ·" in page and "2 s" in page and "Numéro masqué" in page
    assert "2 nouveaux messages" in page
    # a private message offers no forwarding (seed 001)
    assert page.count("Renvoyer comme courriel") == 1


def test_audio_is_served_with_ranges_and_never_cached(alice, settings):
    message = leave_message(alice.box, alice.domain, alice.number, settings=settings)
    url = alice.url(f"messages/{message.id}/audio")
    whole = alice.client.get(url)
    assert whole.status_code == 200 and whole.mimetype == "audio/wav" and whole.data[:4] == b"RIFF"
    assert "no-store" in whole.headers["Cache-Control"] and "private" in whole.headers["Cache-Control"]
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = alice.client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(whole.data)}"
    assert "no-store" in part.headers["Cache-Control"]
    download = alice.client.get(url + "?telecharger=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_mark_heard_and_new_move_the_counts_and_queue_the_message_light(alice, settings):
    message = leave_message(alice.box, alice.domain, alice.number, settings=settings)
    before = Job.select().where(Job.kind == "voicemail_mwi").count()
    response = post(alice, f"messages/{message.id}/ecoute")
    assert response.status_code == 303
    assert VoiceMessage.get_by_id(message.id).folder == "old"
    assert Job.select().where(Job.kind == "voicemail_mwi").count() == before + 1
    assert "Aucun nouveau message" in alice.client.get(alice.url("messages/")).text
    post(alice, f"messages/{message.id}/nouveau")
    assert VoiceMessage.get_by_id(message.id).folder == "new"
    assert "1 nouveau message" in alice.client.get(alice.url("messages/")).text


def test_delete_one_and_all_go_to_supprimes(alice, settings):
    one = leave_message(alice.box, alice.domain, alice.number, settings=settings)
    two = leave_message(alice.box, alice.domain, alice.number, settings=settings)
    three = leave_message(alice.box, alice.domain, alice.number, settings=settings)
    post(alice, f"messages/{one.id}/supprimer")
    assert VoiceMessage.get_by_id(one.id).folder == "deleted" and VoiceMessage.get_by_id(one.id).deleted_at
    target, fields = f.confirmation(post(alice, "messages/supprimer-tout"), alice.url("messages/supprimer-tout"))
    assert {VoiceMessage.get_by_id(m.id).folder for m in (two, three)} == {"new"}  # not before confirming
    alice.client.post(target, data=fields)
    assert {VoiceMessage.get_by_id(m.id).folder for m in (two, three)} == {"deleted"}
    assert "3 messages" in alice.client.get(alice.url("supprimes/")).text or True


def test_the_list_polls_and_answers_204_while_nothing_changed(alice, settings):
    page = text(alice.client.get(alice.url("messages/")))
    poll = re.search(r'hx-get="([^"]+\?v=[^"]+)"', page).group(1).replace("&amp;", "&")
    assert alice.client.get(poll, headers={"HX-Request": "true"}).status_code == 204
    leave_message(alice.box, alice.domain, alice.number, "2002", "Bob", settings=settings)
    fresh = alice.client.get(poll, headers={"HX-Request": "true"})
    assert fresh.status_code == 200 and 'id="messages"' in fresh.text and "<html" not in fresh.text


def test_forward_as_email_sends_the_wav_to_to_cc_and_bcc(alice, settings, smtp):
    message = leave_message(alice.box, alice.domain, alice.number, "0612345678", "Bob", settings=settings)
    response = post(alice, f"messages/{message.id}/courriel", {
        "to": "paul@example.org, zoe@example.org", "cc": "chef@example.org", "bcc": "archive@example.org",
        "text": "Voici le message de Bob."})
    assert response.status_code == 303
    assert jobs.run_due() >= 1
    smtp.wait_for(2)  # the new message's own email, and the forward
    index = next(i for i, m in enumerate(smtp.messages) if "transféré" in m["Subject"])
    sent = [smtp.messages[index]]
    assert set(smtp.inbox.recipients[index]) == {"paul@example.org", "zoe@example.org", "chef@example.org",
                                       "archive@example.org"}
    email = sent[0]
    assert "Bcc" not in email and email["Cc"] == "chef@example.org"
    assert "Voici le message de Bob." in email.get_body(("plain",)).get_content()
    (wav,) = [part for part in email.iter_attachments()]
    assert wav.get_content_type() == "audio/wav" and wav.get_content()[:4] == b"RIFF"


def test_forward_as_email_refuses_bad_addresses_and_private_messages(alice, settings):
    message = leave_message(alice.box, alice.domain, alice.number, settings=settings)
    response = post(alice, f"messages/{message.id}/courriel", {"to": "pas-une-adresse", "cc": "x@"})
    assert response.status_code == 422 and "n'est pas valide" in text(response) and text(response).count(
        "n'est pas valide") >= 2
    private = leave_message(alice.box, alice.domain, alice.number, settings=settings, private=True)
    response = post(alice, f"messages/{private.id}/courriel", {"to": "paul@example.org"})
    assert response.status_code == 303
    assert Job.select().where(Job.kind == portal_mail.FORWARD_EMAIL).count() == 0


def test_forward_as_voice_message_keeps_urgent_and_checks_each_target(alice, bob, settings):
    message = leave_message(alice.box, alice.domain, alice.number, "0611111111", "Client", settings=settings,
                            urgent=True)
    response = post(alice, f"messages/{message.id}/renvoyer", {"to": "2002"})
    assert response.status_code == 303
    (copy,) = portal.inbox(bob.box.id)
    assert copy.urgent and copy.caller_number == "0611111111" and (settings.data_dir / copy.path).is_file()
    for to, error in [("2999", "n'est pas une boîte vocale"), ("2001", "vous-même"), ("abc", "n'est pas une boîte")]:
        response = post(alice, f"messages/{message.id}/renvoyer", {"to": to})
        assert response.status_code == 422 and error in text(response), to
    VoicemailOptions.create(tenant=bob.box.extension.tenant, max_messages=1)
    response = post(alice, f"messages/{message.id}/renvoyer", {"to": "2002"})
    assert response.status_code == 422 and "La boîte vocale 2002 est pleine." in text(response)
    assert len(portal.inbox(bob.box.id)) == 1  # nothing more was stored


def test_a_private_message_cannot_be_forwarded_as_voice(alice, bob, settings):
    private = leave_message(alice.box, alice.domain, alice.number, settings=settings, private=True)
    post(alice, f"messages/{private.id}/renvoyer", {"to": "2002"})
    assert portal.inbox(bob.box.id) == []
    import pytest

    from tenants.problems import DomainError
    with pytest.raises(DomainError):
        portal.forward_to_mailboxes(alice.box.id, private.id, "2002", settings.data_dir)


# --- Nouveau message vocal (E4), Répondre ------------------------------------------------------

def test_a_recorded_message_goes_through_dsp_to_each_mailbox(app, acme, alice, bob, settings):
    carla = f.extension(acme, "2003", "Carla Dias")
    response = post(alice, "nouveau-message/", {"to": "2002, 2003", "urgent": "y",
                                                "audio": (__import__("io").BytesIO(speechlike_wav()), "rec.wav")},
                    content_type="multipart/form-data")
    assert response.status_code == 303, response.text
    (got,) = portal.inbox(bob.box.id)
    assert got.urgent and got.caller_number == "2001" and got.caller_name == "Alice Martin"
    assert 2300 <= got.duration_ms <= 2700  # 1 s of noise either side trimmed away
    assert len(portal.inbox(Mailbox.get(Mailbox.extension == carla).id)) == 1


def test_a_file_that_is_not_audio_and_a_bad_number_are_both_said(alice, bob):
    import io
    response = post(alice, "nouveau-message/", {"to": "2002, 2999", "audio": (io.BytesIO(b"not audio"), "x.wav")},
                    content_type="multipart/form-data")
    assert response.status_code == 422 and "« 2999 » n'est pas une boîte vocale" in text(response)
    response = post(alice, "nouveau-message/", {"to": "2002", "audio": (io.BytesIO(b"not audio"), "x.wav")},
                    content_type="multipart/form-data")
    assert response.status_code == 422 and "illisible" in text(response)
    response = post(alice, "nouveau-message/", {"to": "2002"})
    assert response.status_code == 422 and "Enregistrez votre message" in text(response)
    assert portal.inbox(bob.box.id) == []


def test_reply_is_offered_when_the_caller_is_an_extension(alice, bob, settings):
    from_bob = leave_message(alice.box, alice.domain, alice.number, "2002", "Bob Durand", settings=settings)
    outside = leave_message(alice.box, alice.domain, alice.number, "0612345678", "", settings=settings)
    page = text(alice.client.get(alice.url("messages/")))
    assert f"a=2002&reponse={from_bob.id}" in page and f"reponse={outside.id}" not in page
    reply = alice.client.get(alice.url(f"nouveau-message/?a=2002&reponse={from_bob.id}")).text
    assert "Répondre au message vocal" in reply and 'value="2002"' in reply


# --- Supprimés (E7) ----------------------------------------------------------------------------

def test_restore_purge_and_purge_all(alice, settings):
    one, two, three = (leave_message(alice.box, alice.domain, alice.number, settings=settings) for _ in range(3))
    for m in (one, two, three):
        portal.delete(alice.box.id, m.id)
    post(alice, f"supprimes/{one.id}/restaurer")
    assert VoiceMessage.get_by_id(one.id).folder == "old" and VoiceMessage.get_by_id(one.id).deleted_at is None
    target, fields = f.confirmation(post(alice, f"supprimes/{two.id}/supprimer"))
    alice.client.post(target, data=fields)
    assert VoiceMessage.get_or_none(VoiceMessage.id == two.id) is None
    assert not (settings.data_dir / two.path).exists()
    target, fields = f.confirmation(post(alice, "supprimes/tout"))
    assert "1 message sera effacé" in post(alice, "supprimes/tout").text
    alice.client.post(target, data=fields)
    assert VoiceMessage.get_or_none(VoiceMessage.id == three.id) is None
    assert VoiceMessage.get_by_id(one.id).folder == "old"  # the restored one stays


def test_deleted_messages_are_purged_after_the_retention(alice, settings):
    old, recent = (leave_message(alice.box, alice.domain, alice.number, settings=settings) for _ in range(2))
    mailbox_changes.move_messages(alice.box.id, [old.id, recent.id], "deleted")
    long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=31)
    VoiceMessage.update(deleted_at=long_ago).where(VoiceMessage.id == old.id).execute()
    assert retention.purge_due() == 1
    assert VoiceMessage.get_or_none(VoiceMessage.id == old.id) is None and not (settings.data_dir / old.path).exists()
    assert VoiceMessage.get_by_id(recent.id).folder == "deleted"
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=31)
    assert retention.purge_due(later) == 1  # its turn comes
    assert "30 jours" in alice.client.get(alice.url("supprimes/")).text


def test_the_job_worker_purges_as_soon_as_it_starts(alice, settings):
    message = leave_message(alice.box, alice.domain, alice.number, settings=settings)
    portal.delete(alice.box.id, message.id)
    VoiceMessage.update(deleted_at=dt.datetime(2020, 1, 1)).where(VoiceMessage.id == message.id).execute()
    with running_worker():
        wait_for(lambda: VoiceMessage.get_or_none(VoiceMessage.id == message.id) is None, 20,
                 what="the worker to purge the message")
    assert not (settings.data_dir / message.path).exists()


# --- Réglages des messages (E8) ----------------------------------------------------------------

def _settings_form(**changes) -> dict:
    data = {"forward_email": "y", "email": "alice@acme.pbx.example", "keep_original": "y", "envelope": "both",
            "greeting": "system_number"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_message_settings_are_applied(alice):
    response = post(alice, "reglages-messages/", _settings_form(keep_original=None, skip_pin="y", quick_login="y",
                                                                 autoplay="y", envelope="message", greeting="system"))
    assert response.status_code == 303
    row = MailboxSettings.get(MailboxSettings.mailbox == alice.box.id)
    assert (row.forward_email, row.keep_original, row.skip_pin, row.quick_login, row.autoplay, row.envelope,
            row.greeting) == (True, False, True, True, True, "message", "system")
    page = text(alice.client.get(alice.url("messages/")))
    assert page.count("autoplay") == 0  # no new message to play
    assert re.search(r'checked[^>]*value="system"|value="system"[^>]*checked', alice.client.get(alice.url("reglages-messages/")).text)


def test_bad_settings_change_nothing(alice):
    response = post(alice, "reglages-messages/", _settings_form(email="pas-une-adresse", envelope="nope",
                                                                 greeting="custom", autoplay="y"))
    assert response.status_code == 422
    for error in ("n'est pas valide", "Choix inconnu.", "Enregistrez ou envoyez d'abord"):
        assert error in text(response)
    row = MailboxSettings.get_or_none(MailboxSettings.mailbox == alice.box.id)
    assert row is None or not row.autoplay


def test_a_custom_greeting_is_stored_trimmed_and_a_broken_one_keeps_it(alice, settings):
    import io

    import soundfile as sf
    response = post(alice, "reglages-messages/accueil", {"audio": (io.BytesIO(speechlike_wav(44100)), "a.wav")},
                    content_type="multipart/form-data")
    assert response.status_code == 303
    row = MailboxSettings.get(MailboxSettings.mailbox == alice.box.id)
    assert row.greeting == "custom"
    stored = settings.data_dir / row.unavailable_path
    info = sf.info(str(stored))
    assert info.samplerate == 8000 and info.channels == 1 and 2.3 <= info.duration <= 2.7
    response = post(alice, "reglages-messages/accueil", {"audio": (io.BytesIO(b"\x00garbage" * 50), "b.mp3")},
                    content_type="multipart/form-data")
    assert response.status_code == 422 and "Le fichier audio est illisible" in text(response)
    assert MailboxSettings.get_by_id(row.id).unavailable_path == row.unavailable_path and stored.is_file()
    page = alice.client.get(alice.url("reglages-messages/")).text
    assert "Personnalisé : votre propre message d&#39;accueil *" in page
    assert alice.client.get(alice.url("reglages-messages/accueil.wav")).status_code == 200


def test_the_greeting_chosen_is_the_one_callers_hear(alice):
    from tenants.voicemail import rules, service
    mailbox_changes.set_greeting(alice.box.id, "unavailable", "voicemail/x/own.wav")
    greetings = service.greetings_of(mailbox_changes.settings_of(alice.box.id))
    assert rules.choose_greeting(greetings, rules.NOANSWER).kind == "unavailable"
    MailboxSettings.update(greeting="system").execute()
    greetings = service.greetings_of(mailbox_changes.settings_of(alice.box.id))
    assert rules.choose_greeting(greetings, rules.NOANSWER).kind == "system"


def test_email_forwarding_off_or_not_kept(alice, settings, smtp):
    from tenants.voicemail import notify
    from wiring import worker_handlers
    send = worker_handlers()[notify.EMAIL_JOB]
    post(alice, "reglages-messages/", _settings_form(forward_email=None))
    message = leave_message(alice.box, alice.domain, alice.number, settings=settings)
    send({"message_id": message.id})
    post(alice, "reglages-messages/", _settings_form(keep_original=None))
    send({"message_id": message.id})
    assert len(smtp.wait_for(1)) == 1
    assert VoiceMessage.get_by_id(message.id).folder == "deleted"


# --- Stockage (E9), Mots de passe (E10), Appels (E6) -------------------------------------------

def test_storage_bar_and_the_guides_warning(alice, settings):
    VoicemailOptions.create(tenant=alice.box.extension.tenant, max_messages=10)
    page = alice.client.get(alice.url("stockage/")).text
    assert "<meter" in page and "presque atteint" not in page
    assert "0 o utilisés sur 28,8 Mo (0 %)" in text(alice.client.get(alice.url("stockage/")))  # 10 x 180 s x 16 kB/s
    assert "0 B used of 28.8 MB" in text(alice.client.get(alice.url("stockage/?lang=en")))
    alice.client.get(alice.url("stockage/?lang=fr"))
    for _ in range(9):
        leave_message(alice.box, alice.domain, alice.number, settings=settings)
    page = alice.client.get(alice.url("stockage/")).text
    assert "a presque atteint sa limite" in page and "9 messages sur 10" in page
    elsewhere = text(alice.client.get(alice.url("messages/")))  # the guide's warning icon, on every page
    assert "⚠ Votre boîte vocale a presque atteint sa limite." in elsewhere and alice.url("stockage/") in elsewhere


def test_portal_password_change(app, alice):
    response = post(alice, "mots-de-passe/portail", {"current": "faux-mot-de-passe", "new": "court", "confirm": "x"})
    assert response.status_code == 422 and "Le mot de passe actuel est incorrect." in text(response)
    assert "au moins 10 caractères" in text(response)
    response = post(alice, "mots-de-passe/portail", {"current": f.PASSWORD, "new": "un-nouveau-mot-de-passe",
                                                     "confirm": "un-nouveau-mot-de-passe"})
    assert response.status_code == 303
    from tests.portal.conftest import sign_in
    sign_in(app, "2001@acme.pbx.example", "un-nouveau-mot-de-passe")


def test_voicemail_pin_rules(alice):
    from tenants import mailbox_pin
    from tenants.credentials import verify_secret
    mailbox_pin.change_pin(alice.box.id, "4711")
    for pin, error in [("abcd", "que des chiffres"), ("12", "au moins 4"), ("1234", "celui par défaut"),
                       ("4711", "différent du code actuel")]:
        response = post(alice, "mots-de-passe/nip-messagerie", {"pin": pin, "confirm": pin})
        assert response.status_code == 422 and error in text(response), pin
    response = post(alice, "mots-de-passe/nip-messagerie", {"pin": "80424", "confirm": "80425"})
    assert response.status_code == 422 and "différents" in text(response)
    assert verify_secret(Mailbox.get_by_id(alice.box.id).pin_hash, "4711")
    assert post(alice, "mots-de-passe/nip-messagerie", {"pin": "80424", "confirm": "80424"}).status_code == 303
    assert verify_secret(Mailbox.get_by_id(alice.box.id).pin_hash, "80424")


def test_calls_missed_and_received_with_csv(alice, db):
    db.execute_sql("INSERT INTO acc_cdrs (start_time, end_time, duration, src_user, tenant, extension, destination, "
                   "call_class) VALUES ('2026-03-01 09:00:00', '2026-03-01 09:01:00', 61, '+33612345678', "
                   "'acme.pbx.example', '2001', '+33142685300', 'inbound')")
    db.execute_sql("INSERT INTO missed_calls (method, time, src_user, sip_code, sip_reason, tenant, extension, "
                   "destination, call_class) VALUES ('INVITE', '2026-03-01 10:00:00', '2002', '486', 'Busy Here', "
                   "'acme.pbx.example', '2002', '2001', 'internal')")
    db.execute_sql("INSERT INTO missed_calls (method, time, src_user, sip_code, sip_reason, tenant, extension, "
                   "destination, call_class) VALUES ('INVITE', '2026-03-01 10:00:00', '2001', '486', 'Busy Here', "
                   "'acme.pbx.example', '2001', '2002', 'internal')")  # Alice's own call out: not hers
    missed = alice.client.get(alice.url("appels/")).text
    assert "486 Busy Here" in missed and missed.count("<tr>") == 2
    received = alice.client.get(alice.url("appels/recus")).text
    assert "06 12 34 56 78" in received and "61 s" in received
    csv = alice.client.get(alice.url("appels/recus.csv"))
    assert csv.mimetype == "text/csv" and "'+33612345678,61" in csv.text and "2026-03-01 10:00:00" in csv.text
    assert alice.client.get(alice.url("appels/autre")).status_code == 404


def test_quick_login_lets_star_98_from_ones_own_phone_ask_the_pin_only(alice, bob):
    """E8 "Connexion rapide": the media app's context of a *98 call knows the caller's mailbox."""
    from tenants.voicemail import service
    assert service.access_context("acme.pbx.example", "", "2001").number == ""
    post(alice, "reglages-messages/", _settings_form(quick_login="y"))
    assert service.access_context("acme.pbx.example", "", "2001").number == "2001"
    assert service.access_context("acme.pbx.example", "", "2002").number == ""  # Bob did not turn it on
    assert service.access_context("globex.pbx.example", "", "2001").number == ""  # only in its own tenant
    assert service.access_context("acme.pbx.example", "", "0612345678").number == ""
