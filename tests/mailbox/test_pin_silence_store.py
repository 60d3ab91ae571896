"""Issue 11 with the media app's real database side: saying nothing at the PIN prompt of ``*98``
neither counts toward the lock nor emails the admins; typed wrong PINs still do both."""
from __future__ import annotations

import pytest

from rtp.flows.mailbox import MENU_REPEATS
from rtp.flows.mailbox import events as mb
from rtp.mediaapp import mailbox_call as mc
from tenants import credentials, mail
from tenants.models import Job, Mailbox
from tenants.voicemail import mailbox_changes as changes
from tests import factories
from tests.mailbox.driver import Phone, Store

credentials.use_fast_hashing()


class DatabaseStore(Store):
    """The driver's store, except that PINs are checked by the media app's database side
    (``mailbox_call.check_pin``: the count, the lock and the admins' email of tenants.mailbox_pin)."""

    def answer(self, action, info):
        if isinstance(action, mb.CheckPin):
            return mb.PinChecked(mc.check_pin(action.mailbox_id, action.pin))
        return super().answer(action, info)


@pytest.fixture
def box(db):
    tenant = factories.tenant()
    factories.account("admin", tenant)
    mailbox = Mailbox.get(Mailbox.extension == factories.extension(tenant, "2001", "Alice Martin"))
    assert mc.change_pin(mailbox.id, "4711")
    changes.finish_setup(mailbox.id)  # past the first access: a right PIN leads to the main menu
    return mailbox


def admin_mails() -> int:
    return Job.select().where(Job.kind == mail.SEND_MAIL).count()


def star_98() -> Phone:
    phone = Phone(None, own_phone=False, lookup=mc.load_info("2001", "acme.pbx.example"), store=DatabaseStore())
    phone.start().keys("2001#")
    assert phone.state == "pin"
    return phone


def test_silence_at_the_pin_prompt_locks_nothing_and_emails_nobody(box):
    mails = admin_mails()
    phone = star_98()
    for _ in range(MENU_REPEATS):
        phone.end_prompt().time_out()
    assert phone.state == "goodbye"
    phone.end_prompt()
    assert phone.flow.done
    row = Mailbox.get_by_id(box.id)
    assert (row.failed_attempts, row.locked) == (0, False)
    assert admin_mails() == mails
    assert star_98().keys("4711#").state == "main"  # the owner still gets in


def test_three_typed_wrong_pins_lock_the_mailbox_and_email_the_admin(box):
    mails = admin_mails()
    phone = star_98().keys("1111#").keys("2222#")
    phone.end_prompt().time_out()  # a silence in between changes nothing
    assert Mailbox.get_by_id(box.id).failed_attempts == 2
    phone.keys("3333#")
    assert phone.state == "goodbye"
    row = Mailbox.get_by_id(box.id)
    assert (row.failed_attempts, row.locked) == (3, True)
    assert admin_mails() == mails + 1
