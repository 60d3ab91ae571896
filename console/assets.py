"""What the console's answers weigh: static files fingerprinted and cached for a year, text gzipped.

- ``url_for('static', filename=...)`` carries ``?v=`` and the first hex digits of the file's
  SHA-256; a static answer whose ``v`` is the file's current one is sent
  ``Cache-Control: public, max-age=31536000, immutable``: a page costs no request for its
  stylesheet, script or icon once they are cached, and a changed file has another address.
  Without ``v`` (or with a stale one) the file is sent ``no-cache`` (revalidated by ETag).
- Text answers (HTML, CSS, JavaScript, JSON, CSV, SVG) of 500 bytes or more are gzipped when
  the browser accepts it (htmx: 52 KB -> 17 KB). Done here, in an ``after_request`` hook,
  rather than by gunicorn (which does not compress) or Flask-Compress (which brings brotli and
  zstandard builds this console does not need); static files are compressed once per version
  and kept in memory. A reverse proxy that compresses may sit in front: it sees
  ``Content-Encoding`` set and leaves the answer alone.
"""
from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_SIZE = 500
# Pages are compressed at each answer: level 2 costs a third of level 6's time (0.25 ms against
# 0.75 ms for the 50 KB tenants page) for some 10 % more bytes. Static files are compressed
# once per version and kept, at the smallest.
LEVEL = 2
STATIC_LEVEL = 9


class Fingerprints:
    """The short digest of each static file, computed once per version of the file."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._known: dict[str, tuple[int, str]] = {}

    def of(self, filename: str) -> str | None:
        path = (self.folder / filename).resolve()
        if self.folder not in path.parents:
            return None
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            return None
        known = self._known.get(filename)
        if known is None or known[0] != mtime:
            known = (mtime, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
            self._known[filename] = known
        return known[1]


def _gzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)  # 31: the gzip container
    for chunk in chunks:
        if packed := packer.compress(chunk):
            yield packed
    yield packer.flush()


def init_app(app: Flask) -> None:
    fingerprints = Fingerprints(Path(app.static_folder).resolve())
    packed_static: dict[tuple[str, str], bytes] = {}

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = fingerprints.of(values["filename"])
            if digest:
                values["v"] = digest

    def max_age(filename: str | None) -> int | None:
        fresh = filename and request.args.get("v") and request.args.get("v") == fingerprints.of(filename)
        return YEAR if fresh else None

    app.get_send_file_max_age = max_age  # what send_static_file asks

    @app.get("/favicon.ico")
    def favicon():
        return app.send_static_file("favicon.svg")

    @app.after_request
    def _weigh(response):
        if request.endpoint == "static" and response.cache_control.max_age == YEAR:
            response.cache_control.public = True
            response.cache_control.immutable = True
        if not (response.mimetype or "").startswith(COMPRESSIBLE):
            return response
        response.vary.add("Accept-Encoding")
        if ("gzip" not in request.headers.get("Accept-Encoding", "").lower()
                or "Content-Encoding" in response.headers or response.status_code in (204, 206, 304)
                or request.method == "HEAD"):
            return response
        if response.is_streamed and not response.direct_passthrough:
            response.response = _gzip_stream(response.iter_encoded())
            response.headers.pop("Content-Length", None)
        else:
            response.direct_passthrough = False  # a static file: read it here
            body = response.get_data()
            if len(body) < MIN_SIZE:
                return response
            etag, _weak = response.get_etag()
            if request.endpoint == "static" and etag:
                key = (request.path, etag)
                if key not in packed_static:
                    packed_static[key] = gzip.compress(body, STATIC_LEVEL, mtime=0)
                packed = packed_static[key]
            else:
                packed = gzip.compress(body, LEVEL, mtime=0)
            response.set_data(packed)
        if etag := response.get_etag()[0]:
            response.set_etag(f"{etag}-gzip", weak=True)
        response.headers["Content-Encoding"] = "gzip"
        return response
