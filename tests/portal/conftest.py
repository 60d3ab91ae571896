"""Two mailbox owners of one tenant and one of another, signed in by mailbox number (E1)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tenants.models import Mailbox
from tenants.voicemail import service
from tests import factories as f


@dataclass
class Owner:
    client: object
    box: Mailbox
    domain: str
    number: str

    def url(self, path: str = "") -> str:
        return f"/portail/{self.box.id}/{path}"


def sign_in(app, login: str, password: str = f.PASSWORD, host: str = "localhost"):
    client = app.test_client()
    page = client.get("/connexion", base_url=f"http://{host}")
    response = client.post("/connexion", base_url=f"http://{host}", data={
        "csrf_token": f.csrf_token(page.text), "email": login, "password": password})
    assert response.status_code == 302, response.text
    return client


def owner(app, tenant, number: str, name: str) -> Owner:
    email = f"{name.split()[0].lower()}@{tenant.domain}"
    ext = f.extension(tenant, number, name, email=email)
    f.account("user", tenant, email=email, extension=ext)
    client = sign_in(app, f"{number}@{tenant.domain}")
    return Owner(client, Mailbox.get(Mailbox.extension == ext), tenant.domain, number)


def leave_message(box: Mailbox, domain: str, number: str, caller: str = "0612345678", name: str = "Bob",
                  seconds: float = 1.0, settings=None, **flags):
    """A stored message with a real WAV file, as the media app leaves one."""
    import numpy as np

    from rtp.audio.files import write_wav_atomic

    rid = f"t-{box.id}-{dt.datetime.now().timestamp()}"
    path = service.message_path(domain, number, rid)
    if settings is not None:
        t = np.arange(int(8000 * seconds)) / 8000
        (settings.data_dir / path).parent.mkdir(parents=True, exist_ok=True)
        write_wav_atomic(settings.data_dir / path, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 8000)
    size = (settings.data_dir / path).stat().st_size if settings is not None else 100
    message = service.store_message(box.id, rid, path, int(seconds * 1000), size, caller, name,
                                    dt.datetime(2026, 3, 1, 9, 30), "noanswer")
    if flags:
        type(message).update(**flags).where(type(message).id == message.id).execute()
        message = type(message).get_by_id(message.id)
    return message


@pytest.fixture
def acme(db):
    return f.tenant("acme.pbx.example")


@pytest.fixture
def alice(app, acme):
    return owner(app, acme, "2001", "Alice Martin")


@pytest.fixture
def bob(app, acme):
    return owner(app, acme, "2002", "Bob Durand")


@pytest.fixture
def zed(app, db):
    other = f.tenant("globex.pbx.example")
    return owner(app, other, "2001", "Zed Other")


@pytest.fixture(autouse=True)
def media_audio():
    """The audio port as wiring.compose installs it (rtp/audio and rtp/dsp)."""
    from rtp.audio.port import MediaAudio
    from tenants import audio_port

    previous = audio_port.install(MediaAudio())
    yield
    audio_port.install(previous)
