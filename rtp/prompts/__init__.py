"""Voice prompts: ``phrases`` composes segment keys (pure), ``texts`` holds what each
segment says in French and English, ``generate`` renders them with espeak-ng to
8 kHz WAV under $POSTE_DATA/prompts (``python -m rtp.prompts``)."""
