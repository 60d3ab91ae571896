"""Audio I/O for the recording path: G.711, WAV files, uploads, MP3 for emails.

* ``g711``: mu-law / A-law by table lookup.
* ``files``: ``write_wav_atomic``, ``read_wav`` (16-bit PCM through soundfile).
* ``upload``: ``greeting_from_upload``, ``store_greeting`` (any common format to 8 kHz mono).
* ``mp3``: ``encode_mp3`` (lameenc) for emails.
"""

from .errors import AudioUploadError

__all__ = ["AudioUploadError"]
