"""Readable names of audit actions and job kinds, in the reader's language."""
from flask_babel import lazy_gettext as _l

ACTIONS = {
    "tenant.create": _l("Client créé"),
    "tenant.update": _l("Client modifié"),
    "tenant.suspend": _l("Client suspendu"),
    "tenant.resume": _l("Client réactivé"),
    "tenant.delete": _l("Client supprimé"),
    "tenant.settings": _l("Paramètres modifiés"),
    "did.create": _l("Numéro ajouté"),
    "did.delete": _l("Numéro retiré"),
    "account.create": _l("Compte créé"),
    "account.delete": _l("Compte supprimé"),
    "account.password": _l("Mot de passe changé"),
    "extension.create": _l("Poste créé"),
    "extension.update": _l("Poste modifié"),
    "extension.delete": _l("Poste supprimé"),
    "extension.sip_password": _l("Mot de passe SIP changé"),
    "mailbox.pin": _l("Code PIN défini"),
    "mailbox.unlock": _l("Messagerie déverrouillée"),
    "mailbox.email": _l("Adresse des messages vocaux changée"),
    "voicemail.options": _l("Options de la messagerie modifiées"),
}

JOB_KINDS = {
    "send_mail": _l("E-mail"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def job_label(code: str) -> str:
    return str(JOB_KINDS.get(code, code))
