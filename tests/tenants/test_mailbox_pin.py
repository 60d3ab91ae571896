"""PINs typed by phone: the lock after three wrong, the admins' email, the user's new PIN."""
import pytest

from tenants import extensions
from tenants.audit import Actor
from tenants.mailbox_pin import PinOutcome, change_pin, try_pin
from tenants.models import Job, Mailbox
from tenants.problems import DomainError
from tests import factories as f


@pytest.fixture
def box(db):
    acme = f.tenant()
    f.account("admin", acme, email="boss@acme.example")
    f.account("admin", acme, email="deputy@acme.example")
    ext = f.extension(acme, "2001", name="Alice Martin")
    box = extensions.mailbox_of(ext)
    extensions.set_pin(Actor.cli(), box, "4711")
    Job.delete().execute()  # the PIN email of the creation is not what these tests read
    return box


def test_right_pin_accepted_and_resets_the_count(box):
    assert try_pin(box.id, "0000") is PinOutcome.WRONG
    assert Mailbox.get_by_id(box.id).failed_attempts == 1
    assert try_pin(box.id, "4711") is PinOutcome.ACCEPTED
    assert Mailbox.get_by_id(box.id).failed_attempts == 0


def test_third_wrong_pin_locks_and_emails_every_admin_once(box):
    assert [try_pin(box.id, "0000") for _ in range(3)] == [PinOutcome.WRONG, PinOutcome.WRONG,
                                                           PinOutcome.JUST_LOCKED]
    stored = Mailbox.get_by_id(box.id)
    assert stored.locked and stored.locked_at is not None
    assert try_pin(box.id, "4711") is PinOutcome.LOCKED  # even the right one, until an admin unlocks
    mails = sorted(j.payload["to"] for j in Job.select())
    assert mails == ["boss@acme.example", "deputy@acme.example"]
    body = Job.select().first().payload["body"]
    assert "2001" in body and "trois codes PIN erronés" in body and f"/postes/{stored.extension_id}" in body


def test_admin_unlock_lets_the_pin_in_again(box):
    for _ in range(3):
        try_pin(box.id, "0000")
    extensions.unlock_mailbox(Actor.cli(), Mailbox.get_by_id(box.id))
    assert try_pin(box.id, "4711") is PinOutcome.ACCEPTED


def test_user_changes_pin_which_ends_first_access(box):
    assert Mailbox.get_by_id(box.id).pin_must_change
    with pytest.raises(DomainError):
        change_pin(box.id, "12a4")
    with pytest.raises(DomainError):
        change_pin(box.id, "123")
    with pytest.raises(DomainError):
        change_pin(box.id, "4712", confirmation="4713")
    change_pin(box.id, "4712", confirmation="4712")
    stored = Mailbox.get_by_id(box.id)
    assert not stored.pin_must_change and try_pin(box.id, "4712") is PinOutcome.ACCEPTED
