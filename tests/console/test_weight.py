"""What pages weigh (issue 19): text gzipped, static files fingerprinted and cached for a year, a favicon."""
import gzip
import re

from tests import factories as f

GZ = {"Accept-Encoding": "gzip, deflate, br"}


def assets(html: str) -> list[str]:
    return [u.replace("&amp;", "&") for u in re.findall(r'(?:href|src)="(/static/[^"]+)"', html)]


def test_pages_and_htmx_are_gzipped_when_the_browser_accepts_it(admin, acme):
    plain = admin.get("/postes/")
    packed = admin.get("/postes/", headers=GZ)
    assert plain.headers.get("Content-Encoding") is None and "Accept-Encoding" in plain.headers["Vary"]
    assert packed.headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(packed.data) and len(packed.data) < len(plain.data)
    htmx = [u for u in assets(plain.text) if "htmx" in u][0]
    raw, small = admin.get(htmx), admin.get(htmx, headers=GZ)
    assert len(raw.data) > 50_000 and len(small.data) < 20_000
    assert gzip.decompress(small.data) == raw.data


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/connexion").text
    urls = assets(page)
    names = {u.split("?")[0].rsplit("/", 1)[1] for u in urls}
    assert {"poste.css", "poste.js", "htmx.min.js", "favicon.svg"} <= names
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        response = client.get(url)
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]
    stale = client.get(urls[0].split("?")[0] + "?v=000000000000")
    assert "max-age=31536000" not in stale.headers.get("Cache-Control", "")  # an old address: revalidated


def test_a_favicon_on_every_page_and_at_the_usual_address(client):
    assert 'rel="icon"' in client.get("/connexion").text
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_a_csv_export_is_gzipped_as_it_streams(admin, acme):
    for n in range(2001, 2031):
        f.extension(acme, str(n))
    packed = admin.get("/journal/export.csv", headers=GZ)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Poste 2030 créé" in gzip.decompress(packed.data).decode("utf-8")
