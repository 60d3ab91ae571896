"""The extension user's own page: the mailbox's storage against its capacity, warned near the
limit (D12; seed 001 "Limite de la boîte vocale": a warning icon, the content stored and the limit)."""
from __future__ import annotations

import datetime as dt

import pytest

from tenants.models import Mailbox
from tenants.voicemail import service
from tenants.voicemail.models import VoicemailOptions
from tests import factories as f


@pytest.fixture
def alice(app):
    acme = f.tenant("acme.pbx.example")
    ext = f.extension(acme, "2001", "Alice Martin", email="alice@acme.example")
    f.account("user", acme, email="alice@acme.example", extension=ext)
    VoicemailOptions.create(tenant=acme, max_messages=10)
    client = f.login(app.test_client(), "alice@acme.example")
    return client, Mailbox.get(Mailbox.extension == ext)


def fill(box, count: int) -> None:
    for i in range(count):
        rid = f"me-{box.id}-{i}-{count}"
        service.store_message(box.id, rid, service.message_path("acme.pbx.example", "2001", rid), 1000, 100,
                              "0612345678", "Bob", dt.datetime(2026, 3, 1), "noanswer")


def test_storage_is_shown_without_warning_below_the_threshold(alice):
    client, box = alice
    fill(box, 8)
    page = client.get("/moi/").text
    assert "8 messages sur 10" in page and "pleine" not in page


def test_nearly_full_shows_the_warning(alice):
    client, box = alice
    fill(box, 9)
    page = client.get("/moi/").text
    assert "9 messages sur 10" in page and "⚠ Presque pleine" in page
    assert "Supprimez des messages (composez *97) pour libérer de l" in page, page[page.find("Stockage"):][:600]


def test_full_shows_that_callers_cannot_leave_messages_in_english_too(alice):
    client, box = alice
    fill(box, 10)
    page = client.get("/moi/").text
    assert "⚠ Pleine" in page and "Vos correspondants ne peuvent plus vous laisser de message." in page
    english = client.get("/moi/?lang=en").text
    assert "10 messages out of 10" in english and "⚠ Full" in english
    assert "Callers can no longer leave you a message." in english
