"""What each prompt segment says. Keys are file names: prompts/<lang>/<key>.wav."""
from __future__ import annotations

FIXED = {
    "fr": {
        "your-party": "Votre correspondant,",
        "extension": "le poste",
        "is-unavailable": "n'est pas disponible.",
        "is-busy": "est déjà en ligne.",
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
    },
    "en": {
        "your-party": "The person at",
        "extension": "extension",
        "is-unavailable": "is not available.",
        "is-busy": "is on the phone.",
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
