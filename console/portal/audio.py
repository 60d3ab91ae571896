"""Serving a mailbox's audio to its owner only: byte ranges (the browser's player seeks), and
headers that let no shared cache, nor the browser's disk, keep a copy."""
from __future__ import annotations

from pathlib import Path

from flask import Response, abort, current_app, send_file

PRIVATE = "private, no-store, max-age=0"


def data_dir() -> Path:
    return Path(current_app.config["POSTE_SETTINGS"].data_dir)


def send_audio(relative: str, download_name: str, as_attachment: bool = False) -> Response:
    """The WAV at ``relative`` (under $POSTE_DATA), with Range support (206) and private headers."""
    path = data_dir() / relative
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="audio/wav", conditional=True, etag=True, max_age=None,
                         as_attachment=as_attachment, download_name=download_name)
    response.headers["Cache-Control"] = PRIVATE
    response.headers["Pragma"] = "no-cache"
    response.headers["Vary"] = "Cookie"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
