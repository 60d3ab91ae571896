"""The database side of the mailbox by phone (rtp/mediaapp/mailbox_call.py): what the flow's actions change."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from rtp.audio.files import write_wav_atomic
from rtp.mediaapp import mailbox_call as mc
from tenants import credentials, mail
from tenants.models import Extension, Job, Mailbox, Tenant
from tenants.voicemail import mailbox_changes as changes
from tenants.voicemail import notify, service  # noqa: F401 - registers the job handlers
from tenants.voicemail.models import MailboxSettings, VoicemailOptions, VoiceMessage
from tests import factories

credentials.use_fast_hashing()
TONE = (0.3 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)).astype(np.float32)


@pytest.fixture
def box(db, settings):
    tenant = factories.tenant()
    factories.account("admin", tenant)
    alice = factories.extension(tenant, "2001", "Alice Martin")
    factories.extension(tenant, "2002", "Bob Durand")
    other = factories.tenant("globex.pbx.example")
    factories.extension(other, "2003", "Carol")
    mailbox = Mailbox.get(Mailbox.extension == alice)
    return mailbox


def add_message(settings, mailbox, folder="new", rid="r1"):
    rel = service.message_path("acme.pbx.example", "2001", rid)
    (settings.data_dir / rel).parent.mkdir(parents=True, exist_ok=True)
    write_wav_atomic(settings.data_dir / rel, TONE, 8000)
    return service.store_message(mailbox.id, rid, rel, 1000, 100, "0612345678", "Bob",
                                 dt.datetime(2026, 3, 3, 13, 5), "noanswer")


def test_load_info_of_a_new_mailbox(box):
    info = mc.load_info("2001", "acme.pbx.example")
    assert info.mailbox_id == box.id and info.pin_must_change and not info.setup_done and not info.skip_pin
    assert info.layout == "asterisk" and info.envelope == "both" and (info.new, info.old) == (0, 0)
    assert mc.load_info("2003", "acme.pbx.example") is None  # another tenant's extension
    assert mc.load_info("2999", "acme.pbx.example") is None


def test_settings_and_layout_are_read(box):
    MailboxSettings.create(mailbox=box, skip_pin=True, envelope="message", setup_done=True)
    VoicemailOptions.create(tenant=box.extension.tenant, menu_layout="ooma")
    info = mc.load_info("2001", "acme.pbx.example")
    assert info.skip_pin and info.envelope == "message" and info.setup_done and info.layout == "ooma"


def test_pin_check_lock_and_change(box):
    mc.change_pin(box.id, "4711")
    assert not Mailbox.get_by_id(box.id).pin_must_change
    assert mc.check_pin(box.id, "0000") == "wrong"
    assert mc.check_pin(box.id, "4711") == "accepted"
    mails = Job.select().where(Job.kind == mail.SEND_MAIL).count()
    assert [mc.check_pin(box.id, p) for p in ("1", "2", "3", "4711")] == ["wrong", "wrong", "just_locked", "locked"]
    assert Mailbox.get_by_id(box.id).locked
    assert Job.select().where(Job.kind == mail.SEND_MAIL).count() == mails + 1  # the admin is told, once
    assert mc.change_pin(box.id, "12") is False


def test_messages_in_local_time_and_moves_queue_mwi(box, settings):
    message = add_message(settings, box)
    (info,) = mc.list_messages(box.id, "new")
    assert info.received_local == dt.datetime(2026, 3, 3, 14, 5)  # Paris, winter: UTC+1
    before = Job.select().where(Job.kind == "voicemail_mwi").count()
    assert changes.move_message(box.id, message.id, "deleted")
    after = VoiceMessage.get_by_id(message.id)
    assert after.folder == "deleted" and after.heard_at is not None
    assert Job.select().where(Job.kind == "voicemail_mwi").count() == before + 1
    assert service.mwi_counts(box.extension_id).new == 0
    assert not changes.move_message(box.id, message.id, "nowhere")
    other = Mailbox.get(Mailbox.extension == factories.extension(box.extension.tenant, "2004", "Dan"))
    assert not changes.move_message(other.id, message.id, "old")  # not this mailbox's message


def test_greetings_replace_the_old_one_and_temporary_rule(box, settings):
    first = mc.save_greeting(settings.data_dir, box.id, "unavailable", TONE)
    second = mc.save_greeting(settings.data_dir, box.id, "unavailable", TONE)
    assert first != second and (settings.data_dir / second).exists() and not (settings.data_dir / first).exists()
    ctx = service.load_context("2001", "acme.pbx.example")
    assert ctx.greetings.unavailable == second  # the caller's side uses it at once
    mc.save_greeting(settings.data_dir, box.id, "temporary", TONE)
    assert service.load_context("2001", "acme.pbx.example").greetings.temporary_on
    assert changes.set_temporary(box.id, False)
    assert not MailboxSettings.get(MailboxSettings.mailbox == box).temporary_on


def test_temporary_off_refused_without_unavailable(box, settings):
    mc.save_greeting(settings.data_dir, box.id, "temporary", TONE)
    assert changes.set_temporary(box.id, False) is False
    assert MailboxSettings.get(MailboxSettings.mailbox == box).temporary_on


def test_forward_and_send_to_another_mailbox_of_the_tenant(box, settings):
    message = add_message(settings, box)
    assert mc.forward_message(settings.data_dir, box.id, message.id, "2002")
    assert not mc.forward_message(settings.data_dir, box.id, message.id, "2003")  # another tenant
    assert mc.send_recording(settings.data_dir, box.id, "2002", TONE)
    got = list(VoiceMessage.select().join(Mailbox).where(Mailbox.extension != box.extension).order_by(VoiceMessage.id))
    assert len(got) == 2 and {m.folder for m in got} == {"new"}
    assert got[0].caller_number == "0612345678" and got[1].caller_number == "2001"
    VoiceMessage.update(private=True).where(VoiceMessage.id == message.id).execute()
    assert not mc.forward_message(settings.data_dir, box.id, message.id, "2002")  # D10


def test_finish_setup(box):
    changes.finish_setup(box.id)
    assert mc.load_info("2001", "acme.pbx.example").setup_done


def test_a_star_98_call_speaks_its_tenants_language_before_the_mailbox_is_known(box):
    """Issue 12: *98 knows its tenant from the domain only; that is enough for its language."""
    assert service.access_context("acme.pbx.example").language == "fr"
    Tenant.update(language="en", timezone="America/Montreal").where(Tenant.domain == "acme.pbx.example").execute()
    ctx = service.access_context("ACME.pbx.example", "2001")
    assert (ctx.language, ctx.timezone, ctx.domain, ctx.number, ctx.mailbox_id) == \
        ("en", "America/Montreal", "acme.pbx.example", "2001", 0)
    assert service.access_context("nowhere.pbx.example").language == "fr"
    assert service.access_context("globex.pbx.example").language == "fr"  # another tenant's own


def test_a_message_forwarded_by_phone_keeps_urgent_and_a_full_mailbox_takes_none(box, settings):
    """Issue 17: as in the portal, the urgent mark is kept and the target's capacity checked."""
    message = add_message(settings, box)
    VoiceMessage.update(urgent=True).where(VoiceMessage.id == message.id).execute()
    assert mc.forward_message(settings.data_dir, box.id, message.id, "2002")
    target = Mailbox.select().join(Extension).where(Extension.number == "2002").get()
    (copy,) = VoiceMessage.select().where(VoiceMessage.mailbox == target)
    assert copy.urgent
    VoicemailOptions.create(tenant=box.extension.tenant, max_messages=1)
    assert not mc.forward_message(settings.data_dir, box.id, message.id, "2002")  # full
    assert not mc.send_recording(settings.data_dir, box.id, "2002", TONE)
    assert VoiceMessage.select().where(VoiceMessage.mailbox == target).count() == 1
