"""Audio I/O for the recording path: G.711, WAV files, uploads, MP3 for emails."""

from .errors import AudioUploadError

__all__ = ["AudioUploadError"]
