"""Background jobs in words: what each is about, and why it failed, in French (or English).

A job's ``last_error`` is what the worker caught (``ConnectionRefusedError: [Errno 111]
Connection refused``): the operator reads a sentence instead, the raw text kept beside it
for whoever must dig.
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from console.audit.labels import job_label, when
from tenants.models import Extension, Job, Mailbox
from tenants.voicemail.models import VoiceMessage

EMAIL_KINDS = ("send_mail", "pin_email", "voicemail_email")

# The exception's name (what ``tenants.jobs`` writes before ": ") -> what it means.
ERRORS = {
    "ConnectionRefusedError": _l("%(server)s refuse la connexion : est-il démarré, à la bonne adresse et au bon port ?"),
    "TimeoutError": _l("%(server)s ne répond pas (délai dépassé)."),
    "timeout": _l("%(server)s ne répond pas (délai dépassé)."),
    "SMTPConnectError": _l("%(server)s refuse la connexion."),
    "gaierror": _l("L'adresse de %(server)s est introuvable (nom d'hôte inconnu)."),
    "ConnectionResetError": _l("%(server)s a coupé la connexion."),
    "BrokenPipeError": _l("%(server)s a coupé la connexion."),
    "SMTPServerDisconnected": _l("%(server)s a coupé la connexion."),
    "SMTPRecipientsRefused": _l("Le serveur de messagerie refuse l'adresse du destinataire."),
    "SMTPSenderRefused": _l("Le serveur de messagerie refuse l'adresse de l'expéditeur (POSTE_MAIL_FROM)."),
    "SMTPAuthenticationError": _l("Le serveur de messagerie refuse l'identification."),
    "SMTPDataError": _l("Le serveur de messagerie refuse le message."),
    "SMTPResponseException": _l("Le serveur de messagerie refuse le message."),
    "SMTPNotSupportedError": _l("Le serveur de messagerie ne prend pas en charge ce qui lui est demandé."),
    "SMTPException": _l("Le serveur de messagerie a répondu par une erreur."),
    "OSError": _l("Le réseau ne permet pas de joindre %(server)s."),
    "LookupError": _l("Aucun programme ne sait exécuter ce type de tâche dans ce processus."),
}


# A done job's outcome (``tenants.jobs``: its handler had nothing to do) -> why, in words.
OUTCOMES = {
    "pin_changed": _l("le code PIN avait été changé avant l'envoi : l'e-mail n'avait plus de code valable à donner."),
}


def outcome_text(job: Job) -> str:
    """Why a done ``job`` did nothing, in a sentence; empty when it did its work."""
    if job.status != Job.DONE or not job.outcome:
        return ""
    return str(OUTCOMES.get(job.outcome, job.outcome))


def server_of(kind: str) -> str:
    return gettext("Le serveur de messagerie") if kind in EMAIL_KINDS else gettext("Le serveur SIP")


def error_text(job: Job) -> str:
    """Why ``job`` failed last, in a sentence; empty when it did not."""
    if not job.last_error:
        return ""
    name = job.last_error.split(":", 1)[0].strip()
    pattern = ERRORS.get(name)
    if pattern is None:
        return gettext("Erreur inattendue (détail technique ci-dessous).")
    return str(pattern) % {"server": server_of(job.kind)}


def state_text(job: Job) -> str:
    """Where ``job`` is, in words."""
    if job.status == Job.DONE:
        if job.outcome:
            return gettext("Terminée sans envoi le %(at)s : %(why)s", at=when(job.finished_at), why=outcome_text(job))
        return gettext("Terminée le %(at)s", at=when(job.finished_at))
    if job.status == Job.RUNNING:
        return gettext("En cours")
    if job.status == Job.FAILED:
        return gettext("Abandonnée après %(n)d essais", n=job.attempts)
    if job.attempts:
        return gettext("Nouvel essai le %(at)s", at=when(job.run_at))
    return gettext("En attente depuis le %(at)s", at=when(job.created_at))


def subjects(rows: list[Job]) -> dict[int, str]:
    """What each job of ``rows`` is about ("Poste 2001 : code PIN pour alice@..."), in a few queries."""
    def ids(kind: str, key: str) -> set[int]:
        return {j.payload.get(key) for j in rows if j.kind == kind and isinstance(j.payload.get(key), int)}

    boxes = {box.id: box for box in (Mailbox.select(Mailbox, Extension).join(Extension)
                                     .where(Mailbox.id.in_(list(ids("pin_email", "mailbox_id")))))} \
        if ids("pin_email", "mailbox_id") else {}
    exts = {ext.id: ext for ext in Extension.select().where(Extension.id.in_(list(ids("voicemail_mwi", "extension_id"))))} \
        if ids("voicemail_mwi", "extension_id") else {}
    messages = {m.id: m for m in (VoiceMessage.select(VoiceMessage, Mailbox, Extension).join(Mailbox).join(Extension)
                                  .where(VoiceMessage.id.in_(list(ids("voicemail_email", "message_id")))))} \
        if ids("voicemail_email", "message_id") else {}
    found = {}
    for job in rows:
        payload = job.payload or {}
        if job.kind == "pin_email":
            box = boxes.get(payload.get("mailbox_id"))
            found[job.id] = (gettext("Poste %(number)s : code PIN pour %(email)s", number=box.extension.number,
                                     email=box.extension.email) if box else gettext("Poste supprimé depuis"))
        elif job.kind == "voicemail_mwi":
            ext = exts.get(payload.get("extension_id"))
            found[job.id] = gettext("Poste %(number)s", number=ext.number) if ext else gettext("Poste supprimé depuis")
        elif job.kind == "voicemail_email":
            message = messages.get(payload.get("message_id"))
            found[job.id] = (gettext("Poste %(number)s : message vocal pour %(email)s",
                                     number=message.mailbox.extension.number, email=message.mailbox.email)
                             if message else gettext("Message supprimé depuis"))
        elif job.kind == "send_mail":
            found[job.id] = gettext("À %(to)s : %(subject)s", to=payload.get("to", ""), subject=payload.get("subject", ""))
        else:
            found[job.id] = job_label(job.kind)
    return found
