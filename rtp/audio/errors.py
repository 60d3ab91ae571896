"""Errors of the audio I/O half, with messages shown to users (in French)."""

from __future__ import annotations

UNREADABLE = ("Le fichier audio est illisible ou dans un format non pris en charge "
              "(WAV, MP3, OGG, FLAC, M4A).")
NO_SPEECH = "L'enregistrement ne contient aucune parole."
TOO_LONG = "Le fichier audio est trop long (10 minutes au maximum)."
EMPTY = "Le fichier envoyé est vide."


class AudioUploadError(ValueError):
    """An upload that cannot become a greeting; ``str(err)`` is a French sentence for the user."""
