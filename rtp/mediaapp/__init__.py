"""The media app process (``python -m rtp.mediaapp``): voicemail deposit today,
receptionist and prepaid announcements later. See rtp/README.md."""
