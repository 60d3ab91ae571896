"""Extension services: mailbox, PIN email, Kamailio rows, audit, and all-or-nothing changes."""
import pytest

from tenants import extensions, jobs
from tenants.audit import Actor
from tenants.credentials import decrypt_secret, decrypt_sip_password, sip_digests, verify_secret
from tenants.extensions import ExtensionInput
from tenants.models import AuditEntry, Did, Extension, Job, Mailbox, SipSubscriber
from tenants.problems import DomainError
from tests import factories as f

CLI = Actor.cli()


def test_same_number_in_two_tenants(db):
    acme, globex = f.tenant("acme.pbx.example"), f.tenant("globex.pbx.example")
    a, g = f.extension(acme, "2001"), f.extension(globex, "2001")
    assert a.id != g.id
    rows = {(s.username, s.domain) for s in SipSubscriber.select()}
    assert rows == {("2001", "acme.pbx.example"), ("2001", "globex.pbx.example")}


def test_create_makes_mailbox_subscriber_audit_and_pin_email(db):
    acme = f.tenant()
    ext, password = extensions.create_extension(CLI, acme, ExtensionInput("2001", "Alice Martin", "Alice@Acme.example"))
    assert ext.email == "alice@acme.example"
    box = Mailbox.get(Mailbox.extension == ext)
    assert box.pin_must_change and not box.locked and box.email == "alice@acme.example"
    sub = SipSubscriber.get(SipSubscriber.username == "2001")
    assert (sub.ha1, sub.ha1b) == sip_digests("2001", "acme.pbx.example", password)
    assert sub.password == ""  # Kamailio never sees the clear password
    assert decrypt_sip_password(ext.sip_password_enc) == password and password not in ext.sip_password_enc
    assert Job.get(Job.kind == extensions.PIN_EMAIL).payload == {"mailbox_id": box.id}  # no PIN in a job row
    pin = decrypt_secret(box.first_pin_enc)  # waits encrypted for its email
    assert len(pin) == 6 and verify_secret(box.pin_hash, pin)
    assert AuditEntry.get(AuditEntry.action == "extension.create").after["number"] == "2001"


def test_refused_change_leaves_nothing(db):
    acme = f.tenant()
    f.extension(acme, "2001")
    before = (Extension.select().count(), Mailbox.select().count(), SipSubscriber.select().count(),
              Job.select().count(), AuditEntry.select().count())
    for bad in [ExtensionInput("2001", "Bob", "bob@acme.example"), ExtensionInput("3001", "Bob", "bob@acme.example"),
                ExtensionInput("2002", "Bob", "not-an-email"), ExtensionInput("2002", "x" * 101, "bob@acme.example")]:
        with pytest.raises(DomainError):
            extensions.create_extension(CLI, acme, bad)
    after = (Extension.select().count(), Mailbox.select().count(), SipSubscriber.select().count(),
             Job.select().count(), AuditEntry.select().count())
    assert after == before


def test_failure_inside_the_transaction_rolls_everything_back(db, monkeypatch):
    acme = f.tenant()

    def broken(*_a, **_k):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr(extensions.jobs, "enqueue", broken)
    with pytest.raises(RuntimeError):
        extensions.create_extension(CLI, acme, ExtensionInput("2001", "Alice", "alice@acme.example"))
    assert Extension.select().count() == 0 and SipSubscriber.select().count() == 0 and Mailbox.select().count() == 0


def test_renumbering_moves_the_sip_account(db):
    acme = f.tenant()
    ext = f.extension(acme, "2001")
    extensions.update_extension(CLI, ext, ExtensionInput("2010", ext.name, ext.email))
    assert [s.username for s in SipSubscriber.select()] == ["2010"]
    entry = AuditEntry.get(AuditEntry.action == "extension.update")
    assert entry.before == {"number": "2001"} and entry.after == {"number": "2010"}


def test_sip_password_change_updates_digests(db):
    acme = f.tenant()
    ext = f.extension(acme)
    new = extensions.set_sip_password(CLI, ext, "a-new-sip-password-1")
    assert new == "a-new-sip-password-1"
    assert SipSubscriber.get().ha1 == sip_digests("2001", acme.domain, new)[0]
    with pytest.raises(DomainError):
        extensions.set_sip_password(CLI, ext, "short")


def test_delete_removes_mailbox_and_subscriber_and_frees_did(db):
    acme = f.tenant()
    from tenants import tenancy
    tenancy.add_did(CLI, acme, "01 23 45 67 89")
    ext = f.extension(acme, did="0123456789")
    assert Did.get().extension_id == ext.id
    extensions.delete_extension(CLI, ext)
    assert Extension.select().count() == 0 and Mailbox.select().count() == 0 and SipSubscriber.select().count() == 0
    assert Did.get().extension_id is None


def test_virtual_extension_keeps_its_external_number_in_e164(db):
    ext = f.extension(f.tenant(), kind="virtual", forward_to="06 12 34 56 78")
    assert ext.kind == "virtual" and ext.forward_to == "+33612345678"


def test_admin_sets_pin_and_unlocks(db):
    ext = f.extension(f.tenant())
    box = extensions.mailbox_of(ext)
    box.failed_attempts, box.locked = 3, True
    box.save()
    extensions.unlock_mailbox(CLI, box)
    box = extensions.mailbox_of(ext)
    assert (box.locked, box.failed_attempts) == (False, 0)
    with pytest.raises(DomainError):
        extensions.set_pin(CLI, box, "12a4")
    extensions.set_pin(CLI, box, "4711")
    box = extensions.mailbox_of(ext)
    assert verify_secret(box.pin_hash, "4711") and box.pin_must_change
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-2:] == ["mailbox.unlock", "mailbox.pin"]


def test_voicemail_email_change(db):
    ext = f.extension(f.tenant())
    box = extensions.mailbox_of(ext)
    extensions.set_voicemail_email(CLI, box, "Secretariat@Acme.example")
    assert extensions.mailbox_of(ext).email == "secretariat@acme.example"
    with pytest.raises(DomainError):
        extensions.set_voicemail_email(CLI, box, "nope")
    assert extensions.mailbox_of(ext).email == "secretariat@acme.example"


def test_search_matches_number_name_and_email(db):
    acme = f.tenant()
    f.extension(acme, "2001", "Alice Martin")
    f.extension(acme, "2002", "Bruno Petit")
    assert [e.number for e in extensions.search(acme, "bruno")] == ["2002"]
    assert [e.number for e in extensions.search(acme, "200")] == ["2001", "2002"]
    assert [e.number for e in extensions.search(acme, "zzz")] == []


def test_pin_email_job_is_delivered_by_the_worker(db, monkeypatch):
    sent = []
    monkeypatch.setattr(extensions.mail, "deliver", sent.append)
    f.extension(f.tenant())
    assert jobs.run_due() == 1 and sent and sent[0]["To"].startswith("alice")


def test_a_given_first_pin_is_checked_emailed_and_must_still_be_changed(db):
    acme = f.tenant()
    with pytest.raises(DomainError):
        extensions.create_extension(CLI, acme, ExtensionInput("2001", "Alice", "alice@acme.example"), pin="12")
    ext, _ = extensions.create_extension(CLI, acme, ExtensionInput("2001", "Alice", "alice@acme.example"), pin="1234")
    box = extensions.mailbox_of(ext)
    assert verify_secret(box.pin_hash, "1234") and box.pin_must_change
    assert decrypt_secret(box.first_pin_enc) == "1234" and Job.get().payload == {"mailbox_id": box.id}
