"""What each prompt segment says. Keys are file names: prompts/<lang>/<key>.wav."""
from __future__ import annotations

FIXED = {
    "fr": {
        "your-party": "Votre correspondant,",
        "extension": "le poste",
        "is-unavailable": "n'est pas disponible.",
        "is-busy": "est déjà en ligne.",
        "party-unavailable": "Votre correspondant n'est pas disponible.",  # the plain system greeting (E8)
        "party-busy": "Votre correspondant est déjà en ligne.",
        "leave-message": "Laissez votre message après le bip sonore, puis appuyez sur dièse.",
        "mailbox-full": "La boîte vocale de votre correspondant est pleine. Vous ne pouvez pas laisser de message.",
        "goodbye": "Au revoir.",
        "review-menu": ("Pour valider votre message, appuyez sur 1. Pour le réécouter, appuyez sur 2. "
                        "Pour l'enregistrer de nouveau, appuyez sur 3."),
        "review-reception": "Pour joindre la réception, appuyez sur 0.",
        "message-saved": "Votre message a bien été enregistré.",
        "too-short": "Votre message est trop court. Parlez après le bip.",
        "too-long": "Vous avez atteint la durée maximale d'un message.",
        "invalid-choice": "Choix non valide.",
        "transfer-reception": "Nous vous transférons vers la réception.",
        "reception-unreachable": "La réception n'est pas joignable.",
        "review-menu-stored": ("Votre message est enregistré. Pour terminer, appuyez sur 1. "
                               "Pour le réécouter, appuyez sur 2."),
        "enter-pin": "Entrez votre code secret, puis appuyez sur dièse.",
        "you-have": "Vous avez",
        "you-have-none": "Vous n'avez aucun nouveau message",
        "new-message": "nouveau message",
        "new-messages": "nouveaux messages",
        "old-message": "ancien message",
        "old-messages": "anciens messages",
        "and": "et",
        "received": "reçu",
        "on-day": "le",
        "at": "à",
        "hour": "heure",
        "hours": "heures",
        "first-of-month": "premier",
        "hundred": "cent",
        "hundreds": "cents",
        "thousand": "mille",
        # ---- the mailbox by phone (rtp/flows/mailbox.py; seeds 000, 002, 003)
        "enter-mailbox": "Entrez le numéro de votre boîte vocale, puis appuyez sur dièse.",
        "invalid-mailbox": "Ce numéro de boîte vocale n'est pas valide.",
        "wrong-pin": "Code secret erroné.",
        "nothing-entered": "Vous n'avez rien composé.",
        "mailbox-locked": ("Votre boîte vocale est verrouillée après trois codes secrets erronés. "
                           "Contactez votre administrateur."),
        "first-access": "Bienvenue. Vous devez d'abord choisir un nouveau code secret.",
        "enter-new-pin": "Veuillez composer les chiffres du code secret que vous avez choisi, puis appuyez sur dièse.",
        "pin-invalid": "Le code secret doit comporter au moins quatre chiffres.",
        "you-dialed": "Vous avez composé le",
        "menu-pin-accept": "Si ce code secret vous convient,",
        "menu-pin-retype": "Pour en composer un autre,",
        "pin-changed": "Votre demande est prise en compte. Votre code secret a été modifié.",
        "record-unavailable": "Enregistrez votre message de non disponibilité après le bip, puis appuyez sur dièse.",
        "record-busy": "Enregistrez votre message occupé après le bip, puis appuyez sur dièse.",
        "record-name": "Enregistrez votre nom après le bip, puis appuyez sur dièse.",
        "record-temporary": "Enregistrez votre message temporaire après le bip, puis appuyez sur dièse.",
        "record-message": "Enregistrez votre message après le bip, puis appuyez sur dièse.",
        "greeting-saved": "Votre enregistrement a été accepté.",
        "menu-listen": "Pour écouter vos messages,",
        "menu-folders": "Pour changer de dossier,",
        "menu-advanced": "Pour les options avancées,",
        "menu-options": "Pour les options de la boîte vocale,",
        "menu-help": "Pour l'aide,",
        "menu-exit": "Pour quitter,",
        "menu-record-unavailable": "Pour enregistrer votre message de non disponibilité,",
        "menu-record-busy": "Pour enregistrer votre message occupé,",
        "menu-record-name": "Pour enregistrer votre nom,",
        "menu-temporary": "Pour votre message temporaire,",
        "menu-change-pin": "Pour changer votre code secret,",
        "menu-back": "Pour revenir au menu principal,",
        "menu-send": "Pour envoyer un message vocal,",
        "menu-record-temporary": "Pour enregistrer votre message temporaire,",
        "menu-temporary-off": "Pour désactiver votre message temporaire,",
        "menu-previous": "Pour le message précédent,",
        "menu-repeat": "Pour réécouter ce message,",
        "menu-next": "Pour le message suivant,",
        "menu-delete": "Pour supprimer ce message,",
        "menu-forward": "Pour le transférer vers une autre boîte vocale,",
        "menu-save": "Pour le classer dans un dossier,",
        "menu-exit-listen": "Pour revenir au menu principal,",
        "menu-folder-new": "Pour les nouveaux messages,",
        "menu-folder-old": "Pour les anciens messages,",
        "menu-folder-work": "Pour le dossier Travail,",
        "menu-folder-family": "Pour le dossier Famille,",
        "menu-folder-friends": "Pour le dossier Amis,",
        "menu-cancel": "Pour annuler,",
        "press-0": "appuyez sur 0.",
        "press-1": "appuyez sur 1.",
        "press-2": "appuyez sur 2.",
        "press-3": "appuyez sur 3.",
        "press-4": "appuyez sur 4.",
        "press-5": "appuyez sur 5.",
        "press-6": "appuyez sur 6.",
        "press-7": "appuyez sur 7.",
        "press-8": "appuyez sur 8.",
        "press-9": "appuyez sur 9.",
        "press-star": "appuyez sur étoile.",
        "press-pound": "appuyez sur dièse.",
        "no-messages": "Vous n'avez aucun message dans ce dossier.",
        "main-help": ("Pendant l'écoute d'un message, appuyez sur étoile pour reculer et sur dièse pour "
                      "avancer."),
        "message-help": ("Pendant l'écoute, étoile recule et dièse avance. Après le message : 4 précédent, "
                         "5 réécouter, 6 suivant, 7 supprimer, 8 transférer, 9 classer."),
        "temporary-needs-unavailable": ("Vous devez d'abord enregistrer un message de non disponibilité "
                                        "pour désactiver le message temporaire."),
        "temporary-off": "Votre message temporaire est désactivé.",
        "message-sent": "Votre message a été envoyé.",
        "enter-destination": "Entrez le numéro de la boîte vocale du destinataire, puis appuyez sur dièse.",
        "message-saved-to": "Message classé dans le dossier",
        "folder-new": "Nouveaux messages",
        "folder-old": "Anciens messages",
        "folder-work": "Travail",
        "folder-family": "Famille",
        "folder-friends": "Amis",
        "message-word": "message",
        "messages-word": "messages",
        "from": "de",
        "unknown-caller": "numéro masqué",
        "message-deleted": "Message supprimé.",
        "no-previous": "Il n'y a pas de message précédent.",
        "no-more-messages": "Il n'y a plus de message.",
        "action-failed": "Désolé, une erreur est survenue.",  # a domain action failed or did not answer
        # ---- D12: the owner is warned at login (seed 001, "Limite de la boîte vocale")
        "mailbox-nearly-full": "Attention, votre boîte vocale est presque pleine.",
        "mailbox-full-owner": ("Attention, votre boîte vocale est pleine. "
                               "Vos correspondants ne peuvent plus vous laisser de message."),
        "mailbox-holds": "Elle contient",
        "messages-out-of": "messages sur",
        "free-space": "Supprimez des messages pour libérer de l'espace.",
        # ---- calls to and from the outside (issue 14): what a call the plan refuses hears
        "refused-not-included": ("Cette destination n'est pas incluse dans votre abonnement. "
                                 "Votre appel ne peut pas aboutir."),
        "refused-premium": "Les appels vers les numéros surtaxés ne sont pas autorisés. Votre appel ne peut pas aboutir.",
        "refused-directory": ("Les services de renseignements ne sont accessibles qu'avec un compte prépayé. "
                              "Votre appel ne peut pas aboutir."),
        "invalid-number": "Le numéro que vous avez composé n'est pas valide. Vérifiez-le et composez-le de nouveau.",
        "outside-unavailable": "Les appels vers l'extérieur sont momentanément indisponibles. Veuillez rappeler plus tard.",
        "number-unassigned": "Le numéro que vous avez demandé n'est pas attribué.",
        # ---- the virtual receptionist (issue 16, H1, D13; seed 000 "Composer un numéro via la réceptionniste")
        "receptionist-open": "Bonjour, et bienvenue.",
        "receptionist-closed": "Bonjour. Nos bureaux sont actuellement fermés.",
        "receptionist-menu": ("Si vous connaissez le numéro de poste de votre correspondant, composez-le. "
                              "Pour rechercher un nom, appuyez sur dièse."),
        "receptionist-operator": "Pour le standard, appuyez sur 0.",
        "receptionist-mailbox": "Pour consulter votre messagerie vocale, appuyez sur étoile.",
        "receptionist-mailbox-number": "Composez votre numéro de poste.",
        "receptionist-unknown": "Ce numéro de poste n'existe pas.",
        "receptionist-connecting": "Veuillez patienter, nous transférons votre appel.",
        "receptionist-goodbye": "Merci de votre appel. Au revoir.",
        "name-enter": "Composez les premières lettres du nom de votre correspondant, puis appuyez sur dièse.",
        "name-none": "Aucun nom ne correspond.",
        "name-choose": "Pour être mis en relation, appuyez sur 1. Pour le nom suivant, appuyez sur 2.",
        "name-no-more": "Il n'y a pas d'autre nom.",
        # ---- prepaid calls (issue 15, C6; seed 004 "Compte Prépayé"): the balance before a paid call
        "balance-is": "Votre solde est de",
        "euro": "euro",
        "euros": "euros",
        "eighty-before": "quatre-vingt",  # "quatre-vingt mille"
        "prepaid-no-funds": ("Votre solde prépayé ne suffit pas pour cet appel. Votre appel ne peut pas aboutir. "
                             "Contactez votre administrateur."),
        "prepaid-limit": ("La limite des appels payants de votre entreprise est atteinte. Votre appel ne peut pas "
                          "aboutir. Contactez votre administrateur."),
    },
    "en": {
        "your-party": "The person at",
        "extension": "extension",
        "is-unavailable": "is not available.",
        "is-busy": "is on the phone.",
        "party-unavailable": "The person you are calling is not available.",
        "party-busy": "The person you are calling is on the phone.",
        "leave-message": "Please leave your message after the tone, then press pound.",
        "mailbox-full": "This mailbox is full. You cannot leave a message.",
        "goodbye": "Goodbye.",
        "review-menu": "To accept your message, press 1. To listen to it, press 2. To record it again, press 3.",
        "review-reception": "To reach the reception, press 0.",
        "message-saved": "Your message has been saved.",
        "too-short": "Your message is too short. Please speak after the tone.",
        "too-long": "You have reached the maximum length of a message.",
        "invalid-choice": "Invalid choice.",
        "transfer-reception": "Transferring you to the reception.",
        "reception-unreachable": "The reception cannot be reached.",
        "review-menu-stored": "Your message has been saved. To finish, press 1. To listen to it, press 2.",
        "enter-pin": "Please enter your password, then press pound.",
        "you-have": "You have",
        "you-have-none": "You have no new messages",
        "new-message": "new message",
        "new-messages": "new messages",
        "old-message": "old message",
        "old-messages": "old messages",
        "and": "and",
        "received": "received",
        "on-day": "on",
        "at": "at",
        "hour": "o'clock",
        "hours": "o'clock",
        "first-of-month": "first",
        "hundred": "hundred",
        "hundreds": "hundred",
        "thousand": "thousand",
        # ---- the mailbox by phone
        "enter-mailbox": "Please enter your mailbox number, then press pound.",
        "invalid-mailbox": "This mailbox number is not valid.",
        "wrong-pin": "Wrong password.",
        "nothing-entered": "You did not enter anything.",
        "mailbox-locked": "Your mailbox is locked after three wrong passwords. Please contact your administrator.",
        "first-access": "Welcome. You must first choose a new password.",
        "enter-new-pin": "Please enter the digits of your new password, then press pound.",
        "pin-invalid": "The password must have at least four digits.",
        "you-dialed": "You entered",
        "menu-pin-accept": "If this password suits you,",
        "menu-pin-retype": "To enter another one,",
        "pin-changed": "Your request has been taken into account. Your password has been changed.",
        "record-unavailable": "Record your unavailable greeting after the tone, then press pound.",
        "record-busy": "Record your busy greeting after the tone, then press pound.",
        "record-name": "Record your name after the tone, then press pound.",
        "record-temporary": "Record your temporary greeting after the tone, then press pound.",
        "record-message": "Record your message after the tone, then press pound.",
        "greeting-saved": "Your recording has been accepted.",
        "menu-listen": "To listen to your messages,",
        "menu-folders": "To change folders,",
        "menu-advanced": "For advanced options,",
        "menu-options": "For mailbox options,",
        "menu-help": "For help,",
        "menu-exit": "To exit,",
        "menu-record-unavailable": "To record your unavailable greeting,",
        "menu-record-busy": "To record your busy greeting,",
        "menu-record-name": "To record your name,",
        "menu-temporary": "For your temporary greeting,",
        "menu-change-pin": "To change your password,",
        "menu-back": "To return to the main menu,",
        "menu-send": "To send a voice message,",
        "menu-record-temporary": "To record your temporary greeting,",
        "menu-temporary-off": "To turn off your temporary greeting,",
        "menu-previous": "For the previous message,",
        "menu-repeat": "To repeat this message,",
        "menu-next": "For the next message,",
        "menu-delete": "To delete this message,",
        "menu-forward": "To forward it to another mailbox,",
        "menu-save": "To save it to a folder,",
        "menu-exit-listen": "To return to the main menu,",
        "menu-folder-new": "For new messages,",
        "menu-folder-old": "For old messages,",
        "menu-folder-work": "For the Work folder,",
        "menu-folder-family": "For the Family folder,",
        "menu-folder-friends": "For the Friends folder,",
        "menu-cancel": "To cancel,",
        "press-0": "press 0.",
        "press-1": "press 1.",
        "press-2": "press 2.",
        "press-3": "press 3.",
        "press-4": "press 4.",
        "press-5": "press 5.",
        "press-6": "press 6.",
        "press-7": "press 7.",
        "press-8": "press 8.",
        "press-9": "press 9.",
        "press-star": "press star.",
        "press-pound": "press pound.",
        "no-messages": "You have no messages in this folder.",
        "main-help": "While a message plays, press star to rewind and pound to skip ahead.",
        "message-help": ("While it plays, star rewinds and pound skips ahead. After the message: 4 previous, "
                         "5 repeat, 6 next, 7 delete, 8 forward, 9 save."),
        "temporary-needs-unavailable": ("You must first record an unavailable greeting to turn off the "
                                        "temporary greeting."),
        "temporary-off": "Your temporary greeting is off.",
        "message-sent": "Your message has been sent.",
        "enter-destination": "Enter the recipient's mailbox number, then press pound.",
        "message-saved-to": "Message saved to the folder",
        "folder-new": "New messages",
        "folder-old": "Old messages",
        "folder-work": "Work",
        "folder-family": "Family",
        "folder-friends": "Friends",
        "message-word": "message",
        "messages-word": "messages",
        "from": "from",
        "unknown-caller": "unknown caller",
        "message-deleted": "Message deleted.",
        "no-previous": "There is no previous message.",
        "no-more-messages": "There are no more messages.",
        "action-failed": "Sorry, an error occurred.",
        "mailbox-nearly-full": "Warning, your mailbox is almost full.",
        "mailbox-full-owner": "Warning, your mailbox is full. Callers can no longer leave you a message.",
        "mailbox-holds": "It holds",
        "messages-out-of": "messages out of",
        "free-space": "Delete messages to free up space.",
        "refused-not-included": "This destination is not included in your plan. Your call cannot be completed.",
        "refused-premium": "Calls to premium rate numbers are not allowed. Your call cannot be completed.",
        "refused-directory": "Directory services need a prepaid account. Your call cannot be completed.",
        "invalid-number": "The number you have dialled is not valid. Please check it and dial again.",
        "outside-unavailable": "Outside calls are unavailable at the moment. Please call again later.",
        "number-unassigned": "The number you have called is not assigned.",
        "receptionist-open": "Hello, and welcome.",
        "receptionist-closed": "Hello. Our offices are closed at the moment.",
        "receptionist-menu": ("If you know the extension of the person you are calling, dial it now. "
                              "To search for a name, press hash."),
        "receptionist-operator": "For the operator, press 0.",
        "receptionist-mailbox": "To check your voicemail, press star.",
        "receptionist-mailbox-number": "Dial your extension number.",
        "receptionist-unknown": "This extension does not exist.",
        "receptionist-connecting": "Please hold, we are transferring your call.",
        "receptionist-goodbye": "Thank you for calling. Goodbye.",
        "name-enter": "Dial the first letters of the person's name, then press hash.",
        "name-none": "No name matches.",
        "name-choose": "To be connected, press 1. For the next name, press 2.",
        "name-no-more": "There are no other names.",
        "balance-is": "Your balance is",
        "euro": "euro",
        "euros": "euros",
        "eighty-before": "eighty",
        "prepaid-no-funds": ("Your prepaid balance is too low for this call. Your call cannot be completed. "
                             "Please contact your administrator."),
        "prepaid-limit": ("Your company's limit for paid calls has been reached. Your call cannot be completed. "
                          "Please contact your administrator."),
    },
}

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}

_FR_UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
             "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf"]
_FR_TENS = {20: "vingt", 30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante"}
_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
             "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty",
            90: "ninety"}


def french_0_99(n: int, feminine: bool = False) -> str:
    """French words for 0..99 ("un"/"une" agreement on 1, 21, 31...)."""
    if n < 20:
        word = _FR_UNITS[n]
    elif n < 70:
        tens, unit = divmod(n, 10)
        word = _FR_TENS[tens * 10] + ("" if unit == 0 else " et un" if unit == 1 else "-" + _FR_UNITS[unit])
    elif n < 80:
        word = "soixante" + (" et onze" if n == 71 else "-" + _FR_UNITS[n - 60])
    else:
        rest = n - 80
        word = "quatre-vingts" if rest == 0 else "quatre-vingt-" + _FR_UNITS[rest]
    if feminine and (n == 1 or (n % 10 == 1 and 20 < n < 70)):
        word = word[:-2] + "une"
    return word


def english_0_99(n: int, feminine: bool = False) -> str:
    if n < 20:
        return _EN_UNITS[n]
    tens, unit = divmod(n, 10)
    return _EN_TENS[tens * 10] + ("" if unit == 0 else "-" + _EN_UNITS[unit])


def number_word(n: int, language: str, feminine: bool = False) -> str:
    return french_0_99(n, feminine) if language == "fr" else english_0_99(n)


def segment_text(key: str, language: str) -> str | None:
    """The text of any segment key (fixed, number, feminine number, month, digit)."""
    lang = language if language in FIXED else "fr"
    if key in FIXED[lang]:
        return FIXED[lang][key]
    if key.startswith("num-"):
        body = key[4:]
        feminine = body.endswith("f")
        body = body.rstrip("f")
        if body.isdigit() and int(body) < 100:
            return number_word(int(body), lang, feminine)
    if key.startswith("digit-") and key[6:].isdigit() and len(key) == 7:
        return number_word(int(key[6:]), lang)
    if key.startswith("month-") and key[6:].isdigit() and 1 <= int(key[6:]) <= 12:
        return MONTHS[lang][int(key[6:]) - 1]
    return None


def all_keys() -> list[str]:
    """Every segment the generator renders (the beep is a tone, made separately)."""
    keys = list(FIXED["fr"])
    keys += [f"num-{n}" for n in range(100)]
    keys += [f"num-{n}f" for n in (1, 21, 31, 41, 51, 61)]
    keys += [f"digit-{d}" for d in range(10)]
    keys += [f"month-{m}" for m in range(1, 13)]
    return keys
