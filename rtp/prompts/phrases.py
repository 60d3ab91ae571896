"""Composing prompts from segments: numbers, counts ("un nouveau message", "deux nouveaux
messages"), dates and times ("le 3 mars à une heure 5"). Pure: keys in, keys out;
``render_text`` shows the words a list of keys says (for tests and logs)."""
from __future__ import annotations

import datetime as dt

from rtp.prompts.texts import segment_text


def number(n: int, feminine: bool = False) -> list[str]:
    """Segments of 0 <= n < 1 000 000 (French rules for "cent(s)", "mille", "un/une")."""
    if n < 0 or n >= 1_000_000:
        raise ValueError("number out of range")
    if n < 100:
        return [f"num-{n}f" if feminine and n in (1, 21, 31, 41, 51, 61) else f"num-{n}"]
    keys: list[str] = []
    thousands, rest = divmod(n, 1000)
    if thousands:
        keys += ([] if thousands == 1 else number(thousands)) + ["thousand"]
    hundreds, rest = divmod(rest, 100)
    if hundreds:
        keys += ([] if hundreds == 1 else [f"num-{hundreds}"])
        keys += ["hundreds" if hundreds > 1 and rest == 0 else "hundred"]
    if rest:
        keys += number(rest, feminine)
    return keys


def digits(text: str) -> list[str]:
    return [f"digit-{ch}" for ch in text if ch.isdigit()]


def extension_number(number_text: str) -> list[str]:
    """"le poste 2 0 0 1": extensions are read digit by digit."""
    return ["extension"] + digits(number_text)


def message_count(new: int, old: int | None = None) -> list[str]:
    """"Vous avez un nouveau message", "... deux nouveaux messages et un ancien message"."""
    if new == 0:
        keys = ["you-have-none"]
    else:
        keys = ["you-have"] + number(new) + ["new-message" if new == 1 else "new-messages"]
    if old:
        keys += ["and"] + number(old) + ["old-message" if old == 1 else "old-messages"]
    return keys


def capacity_warning(level: str, count: int, limit: int) -> list[str]:
    """D12, to the owner: "Attention, votre boîte vocale est presque pleine. Elle contient 92 messages
    sur 100. Supprimez des messages pour libérer de l'espace." (``level``: nearly_full or full)."""
    if level == "full":
        return ["mailbox-full-owner", "free-space"]
    return ["mailbox-nearly-full", "mailbox-holds"] + number(count) + ["messages-out-of"] + number(limit) + [
        "free-space"]


def date_time(when: dt.datetime) -> list[str]:
    """"le 3 mars à 14 heures 5" ("le premier", "une heure": feminine hour)."""
    day = ["first-of-month"] if when.day == 1 else number(when.day)
    hour = number(when.hour, feminine=True) + ["hour" if when.hour in (0, 1) else "hours"]
    minute = number(when.minute) if when.minute else []
    return ["on-day"] + day + [f"month-{when.month}", "at"] + hour + minute


def render_text(keys: list[str], language: str = "fr") -> str:
    words = []
    for key in keys:
        text = segment_text(key, language) if isinstance(key, str) else None
        words.append(text if text is not None else f"[{key}]")
    return " ".join(words)


def _amount_number(n: int, language: str) -> list[str]:
    """Segments of a whole number of euros or cents (0 <= n < 1 000 000) in ``language``: French by
    ``number``'s rules; English says "one hundred", "two hundred", "one thousand"."""
    if language != "en":
        thousands, rest = divmod(n, 1000)
        if thousands < 2:
            return number(n)
        # before "mille", "cent" and "quatre-vingt" take no s ("deux cent mille", "quatre-vingt mille")
        head = ["eighty-before" if k == "num-80" else "hundred" if k == "hundreds" else k for k in number(thousands)]
        return head + ["thousand"] + (number(rest) if rest else [])
    if n < 100:
        return [f"num-{n}"]
    thousands, rest = divmod(n, 1000)
    keys = (_amount_number(thousands, language) + ["thousand"]) if thousands else []
    hundreds, rest = divmod(rest, 100)
    keys += [f"num-{hundreds}", "hundred"] if hundreds else []
    return keys + ([f"num-{rest}"] if rest else [])


def balance(cents: int, language: str = "fr") -> list[str]:
    """C6, before a paid call: "Votre solde est de douze euros cinquante" ("un euro", "zéro euro
    quatre-vingts"); the words of ``tenants.prepaid_rules.spoken_amount`` as segments."""
    if not 0 <= cents < 100_000_000:
        raise ValueError("balance out of range")
    euros, rest = divmod(cents, 100)
    plural = euros != 1 if language == "en" else euros >= 2
    return ["balance-is"] + _amount_number(euros, language) + ["euros" if plural else "euro"] + (
        _amount_number(rest, language) if rest else [])
