"""The audit log and the job queue in words, in the reader's language.

An audit entry reads as a sentence ("Poste 2010 modifié") with its changes as labelled
values ("renvoi vers : 06 12 34 56 78 (avant : aucun)"); a job says what it is about and
why it failed in French rather than as a Python exception.
"""
from __future__ import annotations

import datetime as dt

import phonenumbers
from flask_babel import format_datetime, get_locale, gettext, to_user_timezone
from flask_babel import lazy_gettext as _l

from tenants.audit import CLI
from tenants.models import AuditEntry

# What each action did, as a sentence about its object (``%(object)s``: number, domain, email...).
ACTIONS = {
    "tenant.create": _l("Client %(object)s créé"),
    "tenant.update": _l("Client %(object)s modifié"),
    "tenant.suspend": _l("Client %(object)s suspendu"),
    "tenant.resume": _l("Client %(object)s réactivé"),
    "tenant.delete": _l("Client %(object)s supprimé"),
    "tenant.settings": _l("Paramètres du client %(object)s modifiés"),
    "did.create": _l("Numéro %(object)s ajouté"),
    "did.delete": _l("Numéro %(object)s retiré"),
    "account.create": _l("Compte %(object)s créé"),
    "account.delete": _l("Compte %(object)s supprimé"),
    "account.password": _l("Mot de passe du compte %(object)s changé"),
    "account.timezone": _l("Fuseau horaire du compte %(object)s changé"),
    "extension.create": _l("Poste %(object)s créé"),
    "extension.update": _l("Poste %(object)s modifié"),
    "extension.delete": _l("Poste %(object)s supprimé"),
    "extension.sip_password": _l("Nouveau mot de passe SIP du poste %(object)s"),
    "mailbox.pin": _l("Code PIN de la messagerie du poste %(object)s défini"),
    "mailbox.unlock": _l("Messagerie du poste %(object)s déverrouillée"),
    "mailbox.email": _l("Adresse des messages vocaux du poste %(object)s changée"),
    "voicemail.options": _l("Options de la messagerie du client %(object)s modifiées"),
    "job.retry": _l("Tâche %(object)s relancée"),
    "trunk.set": _l("Liaison opérateur (trunk) %(object)s configurée"),
    "allowlist.add": _l("Destination %(object)s autorisée"),
    "allowlist.remove": _l("Destination %(object)s retirée des appels autorisés"),
    "device.create": _l("Téléphone %(object)s ajouté"),
    "device.update": _l("Téléphone %(object)s modifié"),
    "device.delete": _l("Téléphone %(object)s supprimé"),
    "device.credentials": _l("Nouveaux identifiants de provisionnement du téléphone %(object)s"),
    "device.resync": _l("Téléphone %(object)s invité à reprendre sa configuration"),
}

# The short name of each action (the filter, the column's title).
ACTION_NAMES = {
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
    "account.timezone": _l("Fuseau horaire changé"),
    "extension.create": _l("Poste créé"),
    "extension.update": _l("Poste modifié"),
    "extension.delete": _l("Poste supprimé"),
    "extension.sip_password": _l("Mot de passe SIP changé"),
    "mailbox.pin": _l("Code PIN défini"),
    "mailbox.unlock": _l("Messagerie déverrouillée"),
    "mailbox.email": _l("Adresse des messages vocaux changée"),
    "voicemail.options": _l("Options de la messagerie modifiées"),
    "job.retry": _l("Tâche relancée"),
    "trunk.set": _l("Liaison opérateur configurée"),
    "allowlist.add": _l("Destination autorisée"),
    "allowlist.remove": _l("Destination retirée"),
    "device.create": _l("Téléphone ajouté"),
    "device.update": _l("Téléphone modifié"),
    "device.delete": _l("Téléphone supprimé"),
    "device.credentials": _l("Identifiants de provisionnement changés"),
    "device.resync": _l("Mise à jour demandée au téléphone"),
}

OBJECT_TYPES = {
    "tenant": _l("Client"),
    "did": _l("Numéro"),
    "account": _l("Compte"),
    "extension": _l("Poste"),
    "mailbox": _l("Messagerie"),
    "job": _l("Tâche"),
    "trunk": _l("Liaison opérateur"),
    "allowlist": _l("Appels autorisés"),
    "device": _l("Téléphone"),
}

# The label of each value an entry records, before and after.
FIELDS = {
    "name": _l("nom"),
    "domain": _l("domaine SIP"),
    "timezone": _l("fuseau horaire"),
    "language": _l("langue"),
    "status": _l("état"),
    "receptionist_voicemail": _l("messagerie depuis la réceptionniste (touche *)"),
    "number": _l("numéro"),
    "email": _l("adresse e-mail"),
    "kind": _l("type"),
    "forward_to": _l("renvoi vers"),
    "did": _l("numéro direct (SDA)"),
    "extension": _l("poste"),
    "role": _l("rôle"),
    "password": _l("mot de passe"),
    "sip_password": _l("mot de passe SIP"),
    "pin": _l("code PIN"),
    "locked": _l("verrouillée"),
    "failed_attempts": _l("codes PIN erronés"),
    "pin_must_change": _l("code PIN provisoire"),
    "menu_layout": _l("disposition des menus"),
    "reception": _l("poste de l'accueil (touche 0)"),
    "run_at": _l("prochain essai"),
    "main_number": _l("numéro principal"),
    "emergency_caller_id": _l("numéro présenté aux secours"),
    "anonymous_calls": _l("appels sortants anonymes"),
    "host": _l("hôte"),
    "port": _l("port"),
    "transport": _l("transport"),
    "addresses": _l("adresses de confiance"),
    "username": _l("identifiant"),
    "from_domain": _l("domaine d'origine (From)"),
    "forward_caller_id": _l("numéro de l'appelant transmis"),
    "country": _l("pays"),
    "mac": _l("adresse MAC"),
    "vendor": _l("fabricant"),
    "model": _l("modèle"),
    "extensions": _l("postes"),
    "credentials": _l("identifiants de provisionnement"),
    "notified": _l("téléphones prévenus"),
}
SECRETS = ("password", "sip_password", "pin", "credentials")

# Coded values, by the field that holds them.
VALUES = {
    "kind": {"desk": _l("téléphone de bureau"), "virtual": _l("virtuel"), "fixed": _l("fixes"),
             "mobile": _l("mobiles")},
    "transport": {"udp": "UDP", "tcp": "TCP", "tls": "TLS"},
    "role": {"operator": _l("opérateur"), "admin": _l("administrateur"), "user": _l("utilisateur")},
    "status": {"active": _l("actif"), "suspended": _l("suspendu"), "queued": _l("en attente"),
               "running": _l("en cours"), "done": _l("terminée"), "failed": _l("échouée")},
    "language": {"fr": "Français", "en": "English"},
    "menu_layout": {"asterisk": _l("standard"), "ooma": _l("Ooma Office")},
}

JOB_KINDS = {
    "send_mail": _l("E-mail"),
    "pin_email": _l("E-mail du code PIN"),
    "voicemail_email": _l("E-mail d'un message vocal"),
    "voicemail_mwi": _l("Voyant de message (MWI)"),
}


def action_label(code: str) -> str:
    return str(ACTION_NAMES.get(code, code))


def job_label(code: str) -> str:
    return str(JOB_KINDS.get(code, code))


def object_type_label(code: str) -> str:
    return str(OBJECT_TYPES.get(code, code))


def phone_number(value: str) -> str:
    """An E.164 number as its people write it: national for French numbers, international otherwise."""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(parsed):
        return value
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if phonenumbers.region_code_for_number(parsed) == "FR"
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(parsed, style)


def when(moment: dt.datetime | None, seconds: bool = True) -> str:
    """A stored (naive UTC) time in the reader's zone (``console.i18n.select_timezone``)."""
    if moment is None:
        return ""
    return format_datetime(moment, "dd/MM/yyyy HH:mm:ss" if seconds else "dd/MM/yyyy HH:mm")


def value_text(key: str, value) -> str:
    """One recorded value in words."""
    if value is None or value == "":
        return gettext("aucun")
    if isinstance(value, bool):
        return gettext("oui") if value else gettext("non")
    if key in VALUES and value in VALUES[key]:
        return str(VALUES[key][value])
    if key == "run_at":
        try:
            return when(dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S"))
        except (TypeError, ValueError):
            return str(value)
    if key == "kind" and value in JOB_KINDS:
        return job_label(value)
    if key == "country" and isinstance(value, str):
        return get_locale().territories.get(value.upper(), value)
    if isinstance(value, str) and value.startswith("+") and value[1:].isdigit():
        return phone_number(value)
    if isinstance(value, list):
        return ", ".join(value_text(key, item) for item in value) or gettext("aucun")
    return str(value)


def field_label(key: str) -> str:
    return str(FIELDS.get(key, key.replace("_", " ")))


def changes(entry: AuditEntry) -> list[str]:
    """Each recorded value of ``entry`` as "label : value", with the value before when it changed."""
    before, after = entry.before or {}, entry.after or {}
    lines = []
    for key in list(after) + [k for k in before if k not in after]:
        label = field_label(key)
        if key in SECRETS:
            lines.append(gettext("%(field)s : changé", field=label))
        elif entry.before is None or key not in before:
            lines.append(gettext("%(field)s : %(value)s", field=label, value=value_text(key, after.get(key))))
        elif entry.after is None or key not in after:
            lines.append(gettext("%(field)s : %(value)s", field=label, value=value_text(key, before.get(key))))
        else:
            lines.append(gettext("%(field)s : %(value)s (avant : %(before)s)", field=label,
                                 value=value_text(key, after[key]), before=value_text(key, before[key])))
    return lines


def object_name(entry: AuditEntry) -> str:
    label = entry.object_label or entry.object_id
    if entry.object_type == "did":
        return phone_number(label)
    if entry.object_type == "job":
        return gettext("n° %(id)s (%(kind)s)", id=entry.object_id, kind=job_label(label))
    if entry.object_type == "allowlist" and " " in label:
        country, kind = label.split(" ", 1)
        return f"{value_text('country', country)} ({value_text('kind', kind)})"
    return label


def sentence(entry: AuditEntry) -> str:
    """What ``entry`` did, as one sentence: "Poste 2010 modifié"."""
    pattern = ACTIONS.get(entry.action)
    if pattern is None:
        return f"{object_type_label(entry.object_type)} {object_name(entry)} : {entry.action}"
    return str(pattern) % {"object": object_name(entry)}


def author(actor_email: str) -> str:
    """Who made a change: an account's email, or the operator command that made it."""
    if actor_email == CLI:
        return gettext("Ligne de commande")
    if actor_email.startswith(f"{CLI}:"):
        return gettext("Commande « flask %(command)s »", command=actor_email.partition(":")[2])
    return actor_email


def in_words(entry: AuditEntry) -> str:
    """The whole entry in one line (the CSV export): "Poste 2010 modifié : renvoi vers : ...; ..."."""
    details = changes(entry)
    return sentence(entry) + (" — " + " ; ".join(details) if details else "")


def zone_name() -> str:
    return str(to_user_timezone(dt.datetime(2000, 1, 1)).tzinfo)
