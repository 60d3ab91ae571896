"""The audit log and the job queue in words, in the reader's language.

An audit entry reads as a sentence ("Poste 2010 modifié") with its changes as labelled
values ("renvoi vers : 06 12 34 56 78 (avant : aucun)"); a job says what it is about and
why it failed in French rather than as a Python exception.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import phonenumbers
from flask_babel import get_locale, get_timezone

from console.i18n import translations
from tenants.audit import CLI
from tenants.models import AuditEntry
from tenants.problems import N_

# What each action did, as a sentence about its object (``%(object)s``: number, domain, email...).
ACTIONS = {
    "tenant.create": N_("Client %(object)s créé"),
    "tenant.update": N_("Client %(object)s modifié"),
    "tenant.suspend": N_("Client %(object)s suspendu"),
    "tenant.resume": N_("Client %(object)s réactivé"),
    "tenant.delete": N_("Client %(object)s supprimé"),
    "tenant.settings": N_("Paramètres du client %(object)s modifiés"),
    "did.create": N_("Numéro %(object)s ajouté"),
    "did.delete": N_("Numéro %(object)s retiré"),
    "account.create": N_("Compte %(object)s créé"),
    "account.delete": N_("Compte %(object)s supprimé"),
    "account.password": N_("Mot de passe du compte %(object)s changé"),
    "account.timezone": N_("Fuseau horaire du compte %(object)s changé"),
    "extension.create": N_("Poste %(object)s créé"),
    "extension.update": N_("Poste %(object)s modifié"),
    "extension.delete": N_("Poste %(object)s supprimé"),
    "extension.sip_password": N_("Nouveau mot de passe SIP du poste %(object)s"),
    "mailbox.pin": N_("Code PIN de la messagerie du poste %(object)s défini"),
    "mailbox.unlock": N_("Messagerie du poste %(object)s déverrouillée"),
    "mailbox.email": N_("Adresse des messages vocaux du poste %(object)s changée"),
    "mailbox.settings": N_("Réglages des messages du poste %(object)s modifiés"),
    "mailbox.greeting": N_("Message d'accueil du poste %(object)s changé"),
    "voicemail.options": N_("Options de la messagerie du client %(object)s modifiées"),
    "job.retry": N_("Tâche %(object)s relancée"),
    "trunk.set": N_("Liaison opérateur (trunk) %(object)s configurée"),
    "allowlist.add": N_("Destination %(object)s autorisée"),
    "allowlist.remove": N_("Destination %(object)s retirée des appels autorisés"),
    "device.create": N_("Téléphone %(object)s ajouté"),
    "device.update": N_("Téléphone %(object)s modifié"),
    "device.delete": N_("Téléphone %(object)s supprimé"),
    "device.credentials": N_("Nouveaux identifiants de provisionnement du téléphone %(object)s"),
    "device.resync": N_("Téléphone %(object)s invité à reprendre sa configuration"),
    "prepaid.enable": N_("Compte prépayé du client %(object)s activé"),
    "prepaid.disable": N_("Compte prépayé du client %(object)s désactivé"),
    "prepaid.topup": N_("Rechargement du compte prépayé %(object)s"),
    "prepaid.settings": N_("Réglages du compte prépayé du client %(object)s modifiés"),
    "rates.import": N_("Grille tarifaire importée : %(object)s"),
    "call_rules.update": N_("Règles d'appel du poste %(object)s modifiées"),
    "call_services_pin.update": N_("NIP des services d'appels du poste %(object)s changé"),
    "receptionist.update": N_("Réceptionniste du client %(object)s modifiée"),
    "receptionist.greeting": N_("Annonce de la réceptionniste du client %(object)s changée"),
}

# The short name of each action (the filter, the column's title).
ACTION_NAMES = {
    "tenant.create": N_("Client créé"),
    "tenant.update": N_("Client modifié"),
    "tenant.suspend": N_("Client suspendu"),
    "tenant.resume": N_("Client réactivé"),
    "tenant.delete": N_("Client supprimé"),
    "tenant.settings": N_("Paramètres modifiés"),
    "did.create": N_("Numéro ajouté"),
    "did.delete": N_("Numéro retiré"),
    "account.create": N_("Compte créé"),
    "account.delete": N_("Compte supprimé"),
    "account.password": N_("Mot de passe changé"),
    "account.timezone": N_("Fuseau horaire changé"),
    "extension.create": N_("Poste créé"),
    "extension.update": N_("Poste modifié"),
    "extension.delete": N_("Poste supprimé"),
    "extension.sip_password": N_("Mot de passe SIP changé"),
    "mailbox.pin": N_("Code PIN défini"),
    "mailbox.unlock": N_("Messagerie déverrouillée"),
    "mailbox.email": N_("Adresse des messages vocaux changée"),
    "mailbox.settings": N_("Réglages des messages modifiés"),
    "mailbox.greeting": N_("Message d'accueil changé"),
    "voicemail.options": N_("Options de la messagerie modifiées"),
    "job.retry": N_("Tâche relancée"),
    "trunk.set": N_("Liaison opérateur configurée"),
    "allowlist.add": N_("Destination autorisée"),
    "allowlist.remove": N_("Destination retirée"),
    "device.create": N_("Téléphone ajouté"),
    "device.update": N_("Téléphone modifié"),
    "device.delete": N_("Téléphone supprimé"),
    "device.credentials": N_("Identifiants de provisionnement changés"),
    "device.resync": N_("Mise à jour demandée au téléphone"),
    "prepaid.enable": N_("Compte prépayé activé"),
    "prepaid.disable": N_("Compte prépayé désactivé"),
    "prepaid.topup": N_("Compte prépayé rechargé"),
    "prepaid.settings": N_("Compte prépayé réglé"),
    "rates.import": N_("Grille tarifaire importée"),
    "call_rules.update": N_("Règles d'appel modifiées"),
    "call_services_pin.update": N_("NIP des services d'appels changé"),
    "receptionist.update": N_("Réceptionniste modifiée"),
    "receptionist.greeting": N_("Annonce de la réceptionniste changée"),
}

OBJECT_TYPES = {
    "tenant": N_("Client"),
    "did": N_("Numéro"),
    "account": N_("Compte"),
    "extension": N_("Poste"),
    "mailbox": N_("Messagerie"),
    "job": N_("Tâche"),
    "trunk": N_("Liaison opérateur"),
    "allowlist": N_("Appels autorisés"),
    "device": N_("Téléphone"),
    "prepaid": N_("Compte prépayé"),
    "rates": N_("Grille tarifaire"),
}

# The label of each value an entry records, before and after.
FIELDS = {
    "name": N_("nom"),
    "domain": N_("domaine SIP"),
    "timezone": N_("fuseau horaire"),
    "language": N_("langue"),
    "status": N_("état"),
    "receptionist_voicemail": N_("messagerie depuis la réceptionniste (touche *)"),
    "number": N_("numéro"),
    "email": N_("adresse e-mail"),
    "kind": N_("type"),
    "forward_to": N_("renvoi vers"),
    "did": N_("numéro direct (SDA)"),
    "extension": N_("poste"),
    "role": N_("rôle"),
    "password": N_("mot de passe"),
    "sip_password": N_("mot de passe SIP"),
    "pin": N_("code PIN"),
    "locked": N_("verrouillée"),
    "failed_attempts": N_("codes PIN erronés"),
    "pin_must_change": N_("code PIN provisoire"),
    "menu_layout": N_("disposition des menus"),
    "reception": N_("poste de l'accueil (touche 0)"),
    "run_at": N_("prochain essai"),
    "main_number": N_("numéro principal"),
    "emergency_caller_id": N_("numéro présenté aux secours"),
    "anonymous_calls": N_("appels sortants anonymes"),
    "host": N_("hôte"),
    "port": N_("port"),
    "transport": N_("transport"),
    "addresses": N_("adresses de confiance"),
    "username": N_("identifiant"),
    "from_domain": N_("domaine d'origine (From)"),
    "forward_caller_id": N_("numéro de l'appelant transmis"),
    "country": N_("pays"),
    "mac": N_("adresse MAC"),
    "vendor": N_("fabricant"),
    "model": N_("modèle"),
    "extensions": N_("postes"),
    "credentials": N_("identifiants de provisionnement"),
    "notified": N_("téléphones prévenus"),
    "enabled": N_("activé"),
    "max_calls": N_("appels payants simultanés au plus"),
    "max_daily_cents": N_("dépense par jour au plus (centimes)"),
    "low_balance_cents": N_("seuil de solde bas (centimes)"),
    "cents": N_("montant (centimes)"),
    "note": N_("note"),
    "count": N_("nombre de tarifs"),
    "do_not_disturb": N_("ne pas déranger"),
    "incoming": N_("appels entrants"),
    "columns": N_("numéro de contact universel"),
    "no_answer": N_("s'il n'y a aucune réponse"),
    "no_answer_to": N_("renvoi si aucune réponse"),
    "no_answer_seconds": N_("délai avant la messagerie ou le renvoi (secondes)"),
    "busy": N_("si le téléphone est occupé"),
    "busy_to": N_("renvoi si occupé"),
    "unreachable": N_("si le téléphone n'est pas disponible"),
    "unreachable_to": N_("renvoi si non disponible"),
    "selective_forward": N_("renvoi sélectionné"),
    "forward_list": N_("liste de renvoi"),
    "selective_forward_to": N_("renvoi sélectionné vers"),
    "selective_reject": N_("rejet sélectionné"),
    "reject_list": N_("liste de rejet"),
    "reject_anonymous": N_("rejet des appels anonymes"),
    "services_pin": N_("NIP des services d'appels"),
    # the receptionist (issue 16)
    "hours": N_("heures d'ouverture"),
    "holidays": N_("jours de fermeture"),
    "keys": N_("touches du menu"),
    "operator": N_("standardiste (touche 0)"),
    "open_text": N_("annonce pendant les heures d'ouverture (texte)"),
    "closed_text": N_("annonce en dehors des heures d'ouverture (texte)"),
    "open_path": N_("annonce enregistrée pendant les heures d'ouverture"),
    "closed_path": N_("annonce enregistrée en dehors des heures d'ouverture"),
}
# Values that are files: the entry says whether there is one, not where it is kept.
FILE_FIELDS = ("open_path", "closed_path")
SECRETS = ("password", "sip_password", "pin", "credentials")

# Coded values, by the field that holds them.
VALUES = {
    "kind": {"desk": N_("téléphone de bureau"), "virtual": N_("virtuel"), "fixed": N_("fixes"),
             "mobile": N_("mobiles")},
    "transport": {"udp": "UDP", "tcp": "TCP", "tls": "TLS"},
    "role": {"operator": N_("opérateur"), "admin": N_("administrateur"), "user": N_("utilisateur")},
    "status": {"active": N_("actif"), "suspended": N_("suspendu"), "queued": N_("en attente"),
               "running": N_("en cours"), "done": N_("terminée"), "failed": N_("échouée")},
    "language": {"fr": "Français", "en": "English"},
    "menu_layout": {"asterisk": N_("standard"), "ooma": N_("Ooma Office")},
    # the call rules (issue 17)
    "incoming": {"ring": N_("faire sonner le téléphone"), "forward": N_("tout renvoyer"),
                 "sequence": N_("numéro de contact universel")},
    **{key: {"voicemail": N_("messagerie vocale"), "forward": N_("renvoi vers un autre téléphone")}
       for key in ("no_answer", "busy", "unreachable")},
}

JOB_KINDS = {
    "send_mail": N_("E-mail"),
    "pin_email": N_("E-mail du code PIN"),
    "voicemail_email": N_("E-mail d'un message vocal"),
    "voicemail_mwi": N_("Voyant de message (MWI)"),
}


def tr(message: str, **params) -> str:
    """``message`` in the reader's language, filled with ``params``. The translations are looked
    up once per request: a page of the log translates hundreds of strings."""
    text = translations().ugettext(message)
    return text % params if params else text


def action_label(code: str) -> str:
    return tr(ACTION_NAMES[code]) if code in ACTION_NAMES else code


def job_label(code: str) -> str:
    return tr(JOB_KINDS[code]) if code in JOB_KINDS else code


def object_type_label(code: str) -> str:
    return tr(OBJECT_TYPES[code]) if code in OBJECT_TYPES else code


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
    """A stored (naive UTC) time in the reader's zone (``console.i18n.select_timezone``):
    15/01/2026 14:05:09 in French, 2026-01-15 14:05:09 in English."""
    return when_writer()(moment, seconds)


def when_writer() -> Callable[[dt.datetime | None, bool], str]:
    """``when`` with the reader's zone and language looked up once, for a list that writes many
    times: each lookup goes through Flask-Babel's request context (a sixth of the "Téléphones"
    poll's time went to its 60 dates)."""
    zone = get_timezone()
    day = "%d/%m/%Y %H:%M" if get_locale().language == "fr" else "%Y-%m-%d %H:%M"

    def write(moment: dt.datetime | None, seconds: bool = True) -> str:
        if moment is None:
            return ""
        return moment.replace(tzinfo=dt.UTC).astimezone(zone).strftime(day + (":%S" if seconds else ""))
    return write


def value_text(key: str, value) -> str:
    """One recorded value in words."""
    if value is None or value == "":
        return tr(N_("aucun"))
    if isinstance(value, bool):
        return tr(N_("oui")) if value else tr(N_("non"))
    if key in FILE_FIELDS:
        return tr(N_("enregistrée"))
    if key == "keys" and isinstance(value, dict):  # the receptionist's key map: key -> extensions rung at once
        return " ; ".join(tr(N_("%(key)s : %(numbers)s"), key=k, numbers=value_text("extension", v))
                          for k, v in value.items()) or tr(N_("aucun"))
    if key in VALUES and value in VALUES[key]:
        return tr(VALUES[key][value])
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
    if key == "columns" and isinstance(value, list):  # the universal number: [[number, seconds], ...] a column
        return " ; ".join(tr(N_("colonne %(n)d : %(numbers)s"), n=i + 1, numbers=", ".join(
            tr(N_("%(number)s (%(seconds)d s)"), number=value_text("number", cell[0]), seconds=cell[1])
            for cell in column)) for i, column in enumerate(value)) or tr(N_("aucun"))
    if isinstance(value, list):
        return ", ".join(value_text(key, item) for item in value) or tr(N_("aucun"))
    return str(value)


def field_label(key: str) -> str:
    return tr(FIELDS[key]) if key in FIELDS else key.replace("_", " ")


def changes(entry: AuditEntry) -> list[str]:
    """Each recorded value of ``entry`` as "label : value", with the value before when it changed."""
    before, after = entry.before or {}, entry.after or {}
    lines = []
    for key in list(after) + [k for k in before if k not in after]:
        if (entry.before is None or entry.after is None) and (before.get(key) if entry.after is None
                                                               else after.get(key)) in (None, ""):
            continue  # a creation or deletion says what there was, not every empty field
        label = field_label(key)
        if key in SECRETS:
            lines.append(tr(N_("%(field)s : changé"), field=label))
        elif entry.before is None or key not in before:
            lines.append(tr(N_("%(field)s : %(value)s"), field=label, value=value_text(key, after.get(key))))
        elif entry.after is None or key not in after:
            lines.append(tr(N_("%(field)s : %(value)s"), field=label, value=value_text(key, before.get(key))))
        else:
            lines.append(tr(N_("%(field)s : %(value)s (avant : %(before)s)"), field=label,
                            value=value_text(key, after[key]), before=value_text(key, before[key])))
    return lines


def object_name(entry: AuditEntry) -> str:
    label = entry.object_label or entry.object_id
    if entry.object_type == "did":
        return phone_number(label)
    if entry.object_type == "job":
        return tr(N_("n° %(id)s (%(kind)s)"), id=entry.object_id, kind=job_label(label))
    if entry.object_type == "allowlist" and " " in label:
        country, kind = label.split(" ", 1)
        return f"{value_text('country', country)} ({value_text('kind', kind)})"
    return label


def sentence(entry: AuditEntry) -> str:
    """What ``entry`` did, as one sentence: "Poste 2010 modifié"."""
    pattern = ACTIONS.get(entry.action)
    if pattern is None:
        return f"{object_type_label(entry.object_type)} {object_name(entry)} : {entry.action}"
    return tr(pattern, object=object_name(entry))


def author(actor_email: str) -> str:
    """Who made a change: an account's email, or the operator command that made it."""
    if actor_email == CLI:
        return tr(N_("Ligne de commande"))
    if actor_email.startswith(f"{CLI}:"):
        return tr(N_("Commande « flask %(command)s »"), command=actor_email.partition(":")[2])
    return actor_email


def in_words(entry: AuditEntry) -> str:
    """The whole entry in one line (the CSV export): "Poste 2010 modifié : renvoi vers : ...; ..."."""
    details = changes(entry)
    return sentence(entry) + (" — " + " ; ".join(details) if details else "")


def zone_name() -> str:
    return str(get_timezone())
