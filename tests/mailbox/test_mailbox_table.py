"""The mailbox flow's transition table (rtp/flows/mailbox/table.py): printed, and checked against the
guide's menus, seed 003 (``asterisk`` layout) and seed 000 (``ooma`` layout), key for key.

The table is built by feeding every event to every state of the flow through its machine, so
what is checked here is what the code does."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import rtp.flows.mailbox as package
from rtp.flows.mailbox import ANSWER_WAIT_SECONDS, table
from rtp.flows.mailbox.base import KEY_NAMES, MailboxState, Menu, Waiting

# Seed 003, as its menus read (what the guide gives a key: where the caller goes).
SEED_003 = {
    # "Menu principal: 1 Écouter Message(s), 2 Changer de dossier, 3 Options avancées,
    #  0 Options de la boite vocale, * Aide, # Quitter"
    ("main", "2 messages"): {"1": "message", "2": "choose-folder(open)", "3": "advanced", "0": "options",
                             "*": "main", "#": "goodbye"},
    # "0 Options de la boite vocale: 1 Enregistrer message non disponible, 2 Enregistrer message occupé,
    #  3 Nom, 4 Message temporaire, 5 Changer mot de passe, * Retour au menu principal"
    ("options", ""): {"1": "record-greeting(unavailable; options)", "2": "record-greeting(busy; options)",
                      "3": "record-greeting(name; options)", "4": "temporary", "5": "new-pin(options)", "*": "main"},
    # "2 Changer de dossier: 0 Nouveaux messages, 1 Anciens, 2 Travail, 3 Famille, 4 Amis, # annuler"
    ("choose-folder(open)", ""): {"0": "loading-folder(new)", "1": "loading-folder(old)", "2": "loading-folder(work)",
                                  "3": "loading-folder(family)", "4": "loading-folder(friends)", "#": "main"},
    # "3 Options avancées: 5 Envoyer message vocal, * Retour au menu principal"
    ("advanced", ""): {"5": "ask-number(send)", "*": "main"},
    # "* ...pendant l'écoute du message: Recule message; # ...pendant l'écoute du message: Avance rapide"
    ("message", "first of 2"): {"*": "message", "#": "message"},
    # "Après l'enregistrement d'un message (entrant, occupé, non disponible, temporaire ou nom):
    #  1 Accepter, 2 Réentendre, 3 Recommencer l'enregistrement"
    ("greeting-review(unavailable; options)", ""): {"1": "saving-greeting(unavailable; options)",
                                                    "2": "greeting-listening(unavailable; options)",
                                                    "3": "record-greeting(unavailable; options)"},
    # "Enregistrez votre message temporaire: *97, mot de passe, 0, 4 ... pour l'enlever: 0,4,2"
    # (0,4 is a small menu here: 1 records the temporary greeting, 2 turns it off)
    ("temporary", "temporary on"): {"1": "record-greeting(temporary; options)", "2": "options", "*": "options"},
}
# Seed 000: "option 5 dans le menu principal", then "option 1" greeting, "option 2" name, "option 3" PIN.
SEED_000 = {
    ("main", "2 messages"): {"1": "message", "2": "choose-folder(open)", "3": "advanced", "5": "options",
                             "*": "main", "#": "goodbye"},
    ("options", ""): {"1": "record-greeting(unavailable; options)", "2": "record-greeting(name; options)",
                      "3": "new-pin(options)", "4": "temporary", "*": "main"},
}
GUIDES = {"asterisk": SEED_003, "ooma": SEED_000}
# After a message, both layouts: Asterisk's keys (the guides name only * and # during playback).
AFTER_A_MESSAGE = {"4": "message-menu", "5": "message", "6": "message", "7": "message", "8": "ask-number(forward)",
                   "9": "choose-folder(save)", "*": "message-menu", "#": "main"}


def row(rows: list[table.Row], state: str, situation: str, event: str) -> table.Row:
    found = [r for r in rows if (r.state, r.situation) == (state, situation) and event in r.event.split()]
    assert len(found) == 1, f"{state} [{situation}] {event}: {found}"
    return found[0]


def invalid(r: table.Row) -> bool:
    return any(a.startswith("say invalid-choice") for a in r.actions) and r.next == r.state


@pytest.fixture(scope="module", params=list(GUIDES))
def layout(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def rows(layout) -> list[table.Row]:
    rows = table.transition_table(layout)
    print(f"\n--- the mailbox flow, {layout} layout ---\n{table.format_table(rows)}")
    return rows


def test_the_transition_table_gives_each_key_what_the_guide_gives_it(layout, rows):
    for (state, situation), keys in GUIDES[layout].items():
        for key, goes_to in keys.items():
            assert row(rows, state, situation, key).next == goes_to, f"{layout}: {state} {key}"
        announced = set(re.findall(r"press-(\w+)", " ".join(row(rows, state, situation, table.ENTER).actions)))
        if announced:  # the menu's prompt says exactly the guide's keys, no other key does anything
            assert announced == {KEY_NAMES.get(k, k) for k in keys}, f"{layout}: {state}"
            for key in set(table.KEYS) - set(keys):
                assert invalid(row(rows, state, situation, key)), f"{layout}: {state} {key}"


def test_what_the_guides_keys_do_besides_where_they_lead(layout, rows):
    assert "say main-help" in " ".join(row(rows, "main", "2 messages", "*").actions)  # "* Aide"
    assert "MoveMessage(old)" in row(rows, "main", "2 messages", "1").actions  # a new message heard is Old
    assert row(rows, "message", "first of 2", "*").actions == ("Seek(-3)",)  # "Recule message"
    assert row(rows, "message", "first of 2", "#").actions == ("Seek(+3)",)  # "Avance rapide"
    assert "SetTemporary(False)" in row(rows, "temporary", "temporary on", "2").actions  # "0,4,2"
    refused = row(rows, "temporary", "no unavailable greeting", "2")
    assert refused.next == "temporary" and "temporary-needs-unavailable" in refused.actions[-1]  # D8
    assert "SaveGreeting(unavailable)" in row(rows, "greeting-review(unavailable; options)", "", "1").actions
    assert row(rows, "greeting-review(message; send)", "", "1").next == "sending-recording"  # a message is sent


def test_after_a_message_and_the_login(layout, rows):
    for key, goes_to in AFTER_A_MESSAGE.items():
        assert row(rows, "message-menu", "first of 2", key).next == goes_to, key
    assert row(rows, "message-menu", "last of 2", "6").next == "main"  # no more messages
    assert row(rows, "ask-mailbox", "digits typed", "#").next == "checking-mailbox"  # *98
    assert row(rows, "checking-mailbox", "", "MailboxLoaded(found)").next == "pin"
    assert row(rows, "pin", "digits typed", "#").next == "checking-pin"
    assert row(rows, "checking-pin", "", "PinChecked(accepted)").next == "opening-mailbox"
    assert row(rows, "checking-pin", "first access", "PinChecked(accepted)").next == "new-pin(first access)"
    assert row(rows, "checking-pin", "", "PinChecked(just_locked)").next == "goodbye"
    assert row(rows, "opening-mailbox", "", "MessagesLoaded(new)").next == "main"
    # seed 003 "Changer le mot de passe: *97, mot de passe existant, 0, 5, nouveau mot de passe"
    options = "0" if layout == "asterisk" else "5"
    change = "5" if layout == "asterisk" else "3"
    assert row(rows, "main", "2 messages", options).next == "options"
    assert row(rows, "options", "", change).next == "new-pin(options)"
    assert row(rows, "new-pin(options)", "digits typed", "#").next == "confirm-pin(options)"
    assert row(rows, "confirm-pin(options)", "", "1").next == "changing-pin(options)"
    assert row(rows, "changing-pin(options)", "", "PinChanged(True)").next == "options"


def test_every_wait_has_a_timer_and_every_failure_an_apology_and_a_way_back(layout, rows):
    waits = [(situation, state) for situation, state in table.samples(layout) if isinstance(state, Waiting)]
    assert len(waits) >= 10
    for situation, state in waits:
        entry = row(rows, state.label, situation, table.ENTER)
        assert entry.actions[0] == f"timer {ANSWER_WAIT_SECONDS:g}s", state.label
        for event in ("timeout", "ActionFailed"):
            failed = row(rows, state.label, situation, event)
            assert failed.next not in ("done", state.label), f"{state.label} {event}"
            assert any(a.startswith("say action-failed ") for a in failed.actions), f"{state.label} {event}"
    for r in rows:  # a failure of a change not waited for: said now in a menu, else owed to the next prompt
        if r.event.split()[-1] == "ActionFailed(earlier)" and r.event != table.ENTER:
            assert r.next.endswith("+apology owed") or any(a.startswith("say action-failed") for a in r.actions), r


def test_every_state_of_the_flow_is_in_the_table_and_leads_only_to_states_in_it(layout, rows):
    classes = {cls for module in pkgutil.iter_modules(package.__path__)
               for _name, cls in inspect.getmembers(importlib.import_module(f"{package.__name__}.{module.name}"),
                                                    inspect.isclass)
               if issubclass(cls, MailboxState) and cls is not MailboxState and "name" in vars(cls)}
    names = {r.state.split("(")[0] for r in rows}
    assert {cls.name for cls in classes} == names
    reached = {r.next.split("(")[0].split(" ")[0] for r in rows}
    assert reached <= names | {"done"}, reached - names
    menus = {state.name for _s, state in table.samples(layout) if isinstance(state, Menu)}
    assert {"main", "options", "temporary", "advanced", "choose-folder", "message-menu", "confirm-pin",
            "greeting-review"} <= menus
