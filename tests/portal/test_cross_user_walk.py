"""The generic cross-user walk (issue 17): every URL of one user's portal, with the ids of their
messages, answers 404 to another user of the same tenant and to a user of another tenant (the
same extension number there), for GET and POST alike; and nothing of the first user changes."""
from __future__ import annotations

from flask import url_for

from tenants.voicemail import portal
from tenants.voicemail.models import VoiceMessage
from tests import factories as f
from tests.portal.conftest import leave_message


def _portal_urls(app, box_id: int, message_id: int) -> list[tuple[str, str]]:
    """(method, URL) of every portal route that belongs to a mailbox, filled with this one's ids."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("portal.") or "box" not in rule.arguments:
                continue
            values = {"box": box_id}
            for name in rule.arguments - {"box"}:
                values[name] = {"message_id": message_id, "tab": "recus"}.get(name, message_id)
            url = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                urls.append((method, url))
    return urls


def test_every_url_of_a_mailbox_is_404_for_everyone_else(app, alice, bob, zed, settings):
    message = leave_message(alice.box, alice.domain, alice.number, settings=settings)
    urls = _portal_urls(app, alice.box.id, message.id)
    assert len(urls) >= 25, urls  # every page and action of the portal is walked
    for other in (bob, zed):
        token = f.csrf_token(other.client.get(other.url("messages/")).text)
        for method, url in urls:
            if method == "GET":
                response = other.client.get(url)
            else:
                response = other.client.post(url, data={"csrf_token": token, "confirm": "1", "to": "2002",
                                                        "pin": "98765", "confirm_pin": "98765"})
            assert response.status_code == 404, (other.number, other.domain, method, url, response.status_code)
    assert VoiceMessage.get_by_id(message.id).folder == "new"
    assert alice.client.get(alice.url(f"messages/{message.id}/audio")).status_code == 200


def test_a_forged_message_id_is_404_in_the_owners_own_portal(alice, bob, settings):
    theirs = leave_message(bob.box, bob.domain, bob.number, settings=settings)
    token = f.csrf_token(alice.client.get(alice.url("messages/")).text)
    for path in (f"messages/{theirs.id}/audio", f"messages/{theirs.id}/courriel", f"messages/{theirs.id}/renvoyer",
                 f"nouveau-message/?a=2002&reponse={theirs.id}"):
        assert alice.client.get(alice.url(path)).status_code == 404, path
    for path in (f"messages/{theirs.id}/ecoute", f"messages/{theirs.id}/supprimer", f"supprimes/{theirs.id}/restaurer",
                 f"supprimes/{theirs.id}/supprimer", "messages/999999/ecoute"):
        assert alice.client.post(alice.url(path), data={"csrf_token": token, "confirm": "1"}).status_code == 404, path
    assert alice.client.get(alice.url("messages/99999999999999999999/audio")).status_code == 404
    assert [m.id for m in portal.inbox(bob.box.id)] == [theirs.id]
