"""The admin's "Réceptionniste" page (issue 16): hours per weekday, holidays, key map, operator,
greetings; every error at once on its field, nothing stored on a bad input; the tenant's own only."""
from __future__ import annotations

import pytest

from tenants.receptionist import service
from tests import factories as f


@pytest.fixture
def office(acme):
    for number, name in (("2000", "Accueil Standard"), ("2001", "Jean Dupont"), ("2005", "Émilie Moreau")):
        f.extension(acme, number, name)
    f.extension(f.tenant("globex.pbx.example"), "2999", "Autre Client")
    return acme


def form(page_text: str, **fields) -> dict:
    data = {"csrf_token": f.csrf_token(page_text), "holidays": "", "operator": "", "open_text": "", "closed_text": ""}
    for day in ("mon", "tue", "wed", "thu", "fri"):
        data[f"hours_{day}"] = "09:00-18:00"
    data.update(fields)
    return data


def test_the_page_shows_the_defaults_and_saves_a_change(admin, office):
    page = admin.get("/receptionniste/")
    assert page.status_code == 200 and "Heures d'ouverture" in page.text and 'value="09:00-18:00"' in page.text
    assert 'href="/receptionniste/"' in page.text  # in the navigation
    done = admin.post("/receptionniste/", data=form(page.text, hours_mon="08:00-12:00, 14:00-19:00", hours_sat="10:00-12:00",
                                                     operator="2000", key_1="2005", key_3="2000, 2001",
                                                     holidays="2026-12-25", open_text="Bienvenue chez Acme."))
    assert done.status_code == 302, done.text
    shown = service.snapshot(service.current(office))
    assert shown["hours"] == "mon 08:00-12:00, 14:00-19:00; tue-fri 09:00-18:00; sat 10:00-12:00"
    assert shown["keys"] == {"1": ["2005"], "3": ["2000", "2001"]} and shown["operator"] == "2000"
    assert shown["holidays"] == ["2026-12-25"] and shown["open_text"] == "Bienvenue chez Acme."
    assert "Réceptionniste enregistrée." in admin.get("/receptionniste/").text


def test_every_error_shows_at_once_on_its_field_and_nothing_changes(admin, office):
    service.update(f.CLI, office, service.Change(operator="2000", set_keys=["1=2005"]))
    page = admin.get("/receptionniste/")
    answer = admin.post("/receptionniste/", data=form(page.text, hours_tue="18:00-09:00",
                                                       hours_wed="09:00-12:00, 11:00-13:00", operator="2999",
                                                       key_1="2404", holidays="2026-13-45"))
    assert answer.status_code == 422
    text = answer.text
    assert "5 erreurs à corriger" in text, text[:3000]
    for words in ("inversé", "chevauchent le mercredi", "n&#39;est pas un poste de ce client", "2404 n&#39;existe pas",
                  "Date non valide"):
        assert words in text, words
    assert 'id="hours_tue" name="hours_tue" type="text" value="18:00-09:00"' in text or 'value="18:00-09:00"' in text
    shown = service.snapshot(service.current(office))
    assert shown["operator"] == "2000" and shown["keys"] == {"1": ["2005"]} and shown["hours"] == "mon-fri 09:00-18:00"


def test_a_key_emptied_leads_nowhere(admin, office):
    service.update(f.CLI, office, service.Change(set_keys=["1=2005", "2=2001"]))
    page = admin.get("/receptionniste/")
    assert admin.post("/receptionniste/", data=form(page.text, key_2="2001")).status_code == 302
    assert service.snapshot(service.current(office))["keys"] == {"2": ["2001"]}


def test_only_an_admin_and_no_recorded_greeting_of_another_tenant(app, admin, office):
    assert admin.get("/receptionniste/annonce/open.wav").status_code == 404  # no prompts rendered here
    assert admin.get("/receptionniste/annonce/other.wav").status_code == 404
    f.account("user", office, email="alice@acme.example")
    user = f.login(app.test_client(), "alice@acme.example")
    assert user.get("/receptionniste/").status_code in (302, 403)


@pytest.fixture
def audio():
    from rtp.audio.port import MediaAudio
    from tenants import audio_port

    previous = audio_port.install(MediaAudio())
    yield
    audio_port.install(previous)


def wav_bytes() -> bytes:
    import io

    import numpy as np
    import soundfile as sf

    from rtp.prompts.generate import render

    out = io.BytesIO()
    sf.write(out, np.concatenate([np.zeros(4000, np.float32), render("Bienvenue chez Acme.", "fr")]), 8000,
             format="WAV", subtype="PCM_16")
    return out.getvalue()


def test_an_uploaded_greeting_goes_through_the_audio_path_and_a_broken_one_keeps_the_old(admin, office, audio,
                                                                                       settings):
    import io

    page = admin.get("/receptionniste/")
    done = admin.post("/receptionniste/", data={**form(page.text), "closed_file": (io.BytesIO(wav_bytes()), "accueil.wav")},
                      content_type="multipart/form-data")
    assert done.status_code == 302, done.text
    path = service.current(office).closed_path
    assert path and (settings.data_dir / path).exists()
    preview = admin.get("/receptionniste/annonce/closed.wav")
    assert preview.status_code == 200 and preview.data[:4] == b"RIFF"
    page = admin.get("/receptionniste/")
    broken = admin.post("/receptionniste/", data={**form(page.text, key_1="2005"),
                                                  "closed_file": (io.BytesIO(b"not audio at all" * 50), "x.mp3")},
                        content_type="multipart/form-data")
    assert broken.status_code == 422 and "form-errors" in broken.text
    row = service.current(office)
    assert row.closed_path == path and (settings.data_dir / path).exists() and not row.keys  # nothing changed
    page = admin.get("/receptionniste/")
    removed = admin.post("/receptionniste/", data=form(page.text, closed_remove="y"))
    assert removed.status_code == 302 and service.current(office).closed_path is None
    assert not (settings.data_dir / path).exists()


def test_the_preview_speaks_a_typed_greeting_and_plays_the_built_in_one(admin, office, audio, settings):
    service.update(f.CLI, office, service.Change(open_text="Bienvenue chez Acme."))
    spoken = admin.get("/receptionniste/annonce/open.wav")
    assert spoken.status_code == 200 and spoken.data[:4] == b"RIFF" and len(spoken.data) > 8000
    prompts = settings.data_dir / "prompts" / "fr"
    prompts.mkdir(parents=True)
    (prompts / "receptionist-closed.wav").write_bytes(spoken.data)  # stands for the rendered prompt
    assert admin.get("/receptionniste/annonce/closed.wav").data == spoken.data
    page = admin.get("/receptionniste/").text
    assert "dit par la voix de synthèse" in page and "Le message intégré." in page
