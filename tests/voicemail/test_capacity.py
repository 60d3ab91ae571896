"""D12, second half: the owner is warned before the mailbox is full.

The rule (``tenants.voicemail.rules``) on plain data; then ``store_message`` queues the
warning email in the same transaction as the message, once per crossing of a level.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tenants import jobs, mail
from tenants.models import Job, Mailbox, Tenant
from tenants.voicemail import rules, service
from tenants.voicemail.mailbox_changes import move_message
from tenants.voicemail.models import VoicemailOptions, VoiceMessage
from tests import factories

Capacity = rules.Capacity


# ------------------------------------------------------------------ the rule
@pytest.mark.parametrize(("limit", "threshold"), [(100, 90), (10, 9), (11, 10), (20, 18), (101, 91), (5, 5),
                                                  (1, 1)])
def test_the_threshold_is_90_percent_rounded_up(limit, threshold):
    assert rules.warn_threshold(limit) == threshold


@pytest.mark.parametrize(("count", "level"), [(0, "ok"), (89, "ok"), (90, "nearly_full"), (99, "nearly_full"),
                                              (100, "full"), (130, "full")])
def test_levels_of_a_100_message_mailbox(count, level):
    cap = Capacity(count, 100)
    assert cap.level == level
    assert rules.owner_warning(cap) == (None if level == "ok" else level)


def test_deleted_messages_do_not_count():
    assert rules.capacity(["new"] * 89 + ["deleted"] * 20, 100).level == "ok"
    assert rules.capacity(["new"] * 45 + ["old"] * 40 + ["work", "family", "friends"] * 2 + ["deleted"], 100
                          ).level == "nearly_full"


def test_a_warning_is_sent_only_when_a_level_is_crossed_upwards():
    assert rules.warning_to_send(Capacity(89, 100), Capacity(90, 100)) == "nearly_full"
    assert rules.warning_to_send(Capacity(90, 100), Capacity(91, 100)) is None  # already warned
    assert rules.warning_to_send(Capacity(98, 100), Capacity(99, 100)) is None
    assert rules.warning_to_send(Capacity(99, 100), Capacity(100, 100)) == "full"
    assert rules.warning_to_send(Capacity(100, 100), Capacity(101, 100)) is None  # a forced store past the limit
    assert rules.warning_to_send(Capacity(0, 1), Capacity(1, 1)) == "full"  # straight from ok to full
    assert rules.warning_to_send(Capacity(91, 100), Capacity(80, 100)) is None  # going down warns nobody
    assert rules.warning_to_send(Capacity(10, 100), Capacity(11, 100)) is None


# ------------------------------------------------------------------ the email, once per crossing
@pytest.fixture
def box(db, settings):
    tenant = factories.tenant()
    ext = factories.extension(tenant, "2001", "Alice Martin", email="alice@example.org")
    VoicemailOptions.create(tenant=tenant, max_messages=10)  # warned at 9, full at 10
    Job.delete().execute()  # the PIN email of the new extension is not under test here
    return Mailbox.get(Mailbox.extension == ext)


_ids = iter(range(10_000))


def store(box) -> VoiceMessage:
    rid = f"rec-{next(_ids)}"
    return service.store_message(box.id, rid, service.message_path("acme.pbx.example", "2001", rid), 1000, 16044,
                                 "0612345678", "Bob", dt.datetime(2026, 3, 1, 13, 5), "noanswer")


def warnings() -> list[dict]:
    return [j.payload for j in Job.select().where(Job.kind == mail.SEND_MAIL).order_by(Job.id)]


def test_one_email_when_nearly_full_and_one_when_full_never_per_message(box):
    for _ in range(8):
        store(box)
    assert warnings() == []
    store(box)  # the 9th of 10: nearly full
    (nearly,) = warnings()
    assert nearly["to"] == "alice@example.org"
    assert nearly["subject"] == "Votre boîte vocale (poste 2001) est presque pleine"
    assert "9 messages sur 10 possibles" in nearly["body"] and "libérer de l'espace" in nearly["body"]
    store(box)  # the 10th: full
    assert [w["subject"] for w in warnings()] == ["Votre boîte vocale (poste 2001) est presque pleine",
                                                  "Votre boîte vocale (poste 2001) est pleine"]
    store(box)  # stored past the limit (a message forwarded by a colleague): no third email
    assert len(warnings()) == 2


def levels() -> list[str]:
    return ["nearly_full" if "presque" in w["subject"] else "full" for w in warnings()]


def test_deleting_below_the_threshold_then_crossing_again_warns_again(box):
    stored = [store(box) for _ in range(10)]
    assert levels() == ["nearly_full", "full"]
    move_message(box.id, stored[0].id, "deleted")
    move_message(box.id, stored[1].id, "deleted")  # 8 of 10 now: below the threshold
    assert levels() == ["nearly_full", "full"]  # deleting warns nobody
    store(box)  # 9 again: nearly full again
    assert levels() == ["nearly_full", "full", "nearly_full"]
    store(box)
    assert levels() == ["nearly_full", "full", "nearly_full", "full"]


def test_the_same_recording_stored_twice_warns_once(box):
    for _ in range(8):
        store(box)
    rid = "recovered"
    path = service.message_path("acme.pbx.example", "2001", rid)
    for _attempt in range(2):  # the spool recovered after a crash: idempotent on recording_id
        service.store_message(box.id, rid, path, 1000, 16044, "", "", dt.datetime(2026, 3, 1), "busy")
    assert len(warnings()) == 1


def test_the_warning_commits_with_the_message_or_not_at_all(box, monkeypatch):
    for _ in range(8):
        store(box)

    def broken(*args, **kwargs):
        raise RuntimeError("queue down")
    monkeypatch.setattr(mail, "queue_mail", broken)
    with pytest.raises(RuntimeError):
        store(box)
    assert VoiceMessage.select().count() == 8 and warnings() == []
    monkeypatch.undo()
    store(box)
    assert len(warnings()) == 1 and VoiceMessage.select().count() == 9


def test_the_warning_goes_out_through_the_mail_job(box):
    for _ in range(9):
        store(box)
    sent = []
    real = mail.deliver
    try:
        mail.deliver = sent.append
        Job.update(status=Job.DONE).where(Job.kind != mail.SEND_MAIL).execute()  # email with MP3, MWI: not here
        assert jobs.run_due() == 1
    finally:
        mail.deliver = real
    (email,) = sent
    assert email["To"] == "alice@example.org" and "presque pleine" in email["Subject"]


def test_english_tenant_gets_the_english_text(box):
    Tenant.update(language="en").where(Tenant.id == box.extension.tenant_id).execute()
    for _ in range(9):
        store(box)
    (nearly,) = warnings()
    assert nearly["subject"] == "Your voicemail box (extension 2001) is almost full"
    assert "9 messages out of 10" in nearly["body"] and "dial *97" in nearly["body"]
    assert '<html lang="en">' in nearly["html"] and "9 messages out of 10" in nearly["html"]  # and its HTML part


def test_the_mailbox_by_phone_is_told_its_capacity(box):
    from rtp.mediaapp.mailbox_call import load_info

    for _ in range(9):
        store(box)
    info = load_info("2001", "acme.pbx.example")
    assert info.capacity == Capacity(9, 10) and rules.owner_warning(info.capacity) == "nearly_full"
    assert service.capacity_of(box.id) == Capacity(9, 10)
