"""Accueil: the user's call rules (C7-C10) and call-services PIN (C11) in the portal."""
