"""The virtual receptionist (H1, D13, A6, D2 from outside) as a state machine.

    Menu(n) plays the greeting of the time (recorded, typed or built in) and the menu:
      2XXX (an extension, digit by digit) --> Connecting: "please hold", then Connect((2XXX,))
      a mapped key alone (no digit within DIGIT_SECONDS) --> Connecting(its extensions, rung at once)
      0 --> Connecting(operator)                       (no operator: "invalid choice", Menu(n+1))
      * --> MailboxNumber (A6 on; off: * does nothing) --4 digits--> AnswerCall, EnterLogin(ext): PIN, menu
      # --> NameEntry --keys then #/pause--> NameMatch(i) ("Dupont, le poste 2 0 0 1; 1 connects, 2 next")
      nothing for MENU_WAIT_SECONDS, or a wrong key --> Menu(n+1); after MENU_REPEATS:
          the operator (Connecting) or a polite goodbye (Goodbye, then Hangup)
    Every wait has a timer; a hang-up ends the flow wherever it is. A caller back from extensions
    nobody answered (a group, an extension without voicemail) hears why, then the menu.

The caller stays in early media the whole time: ``Connect`` makes the media app end its leg
with the chosen extensions, and Kamailio rings them with the routing plan (rtp/README.md,
"Transfers"). ``ReceptionistFlow(setup).start()`` returns the first actions; ``handle(event)`` the next.
"""
from __future__ import annotations

from rtp.flows.events import (
    AnswerCall,
    Connect,
    Digit,
    EnterLogin,
    File,
    HangUp,
    Hangup,
    Play,
    PromptEnd,
    Speech,
    StartTimer,
    StopPlayback,
    Timeout,
)
from rtp.flows.machine import Done, FlowMachine, FlowState
from rtp.prompts import phrases
from tenants.receptionist import rules
from tenants.receptionist.service import CallSetup

MENU_WAIT_SECONDS = 6.0  # after the menu, for a first key
DIGIT_SECONDS = 3.0  # between the keys of an extension number, or after a mapped key
NAME_SECONDS = 5.0  # after the letters of a name
MENU_REPEATS = 3
EXTENSION_LENGTH = 4


State = FlowState


def _greeting(setup: CallSetup) -> tuple:
    g = setup.greeting
    if g.path:
        return (File(g.path),)
    if g.text:
        return (Speech(g.text),)
    return ("receptionist-open" if g.when == rules.OPEN else "receptionist-closed",)


def _menu_items(setup: CallSetup, first: bool) -> tuple:
    """The greeting (only the first time: a repeat is the menu alone) and the menu itself."""
    items = _greeting(setup) if first else ()
    if not setup.greeting.path:  # a recorded greeting says the menu itself
        items += ("receptionist-menu",)
        if setup.operator:
            items += ("receptionist-operator",)
        if setup.voicemail_access:
            items += ("receptionist-mailbox",)
    return items


def _starts_extension(setup: CallSetup, digits: str) -> bool:
    return any(n.startswith(digits) for n in setup.extensions)


class Menu(State):
    """The greeting and the menu; ``repeats``: how many times it already went unanswered."""

    name = "menu"

    def __init__(self, repeats: int = 0):
        self.repeats = repeats

    def enter(self, flow):
        back = flow.back and self.repeats == 0  # back from an extension nobody answered: why, then the menu
        items = _menu_items(flow.setup, self.repeats == 0 and not back)
        if not items:  # a recorded greeting repeated: played again whole
            items = _greeting(flow.setup)
        if back:
            items = ("your-party", "is-busy" if flow.back == "busy" else "is-unavailable", *items)
        return [Play(items, f"menu-{self.repeats}")]

    def handle(self, flow, event):
        if isinstance(event, Digit):
            return flow.key(self, event.key)
        if event == PromptEnd(f"menu-{self.repeats}"):
            return self, [StartTimer(MENU_WAIT_SECONDS, f"menu-{self.repeats}")]
        if event == Timeout(f"menu-{self.repeats}"):
            return flow.again(self.repeats)
        return super().handle(flow, event)


class Collecting(State):
    """Keys of an extension number (or a mapped key alone), until 4 digits or a pause."""

    name = "collecting"

    def __init__(self, digits: str, repeats: int):
        self.digits, self.repeats = digits, repeats

    def enter(self, flow):
        return [StartTimer(DIGIT_SECONDS, f"digit-{len(self.digits)}")]

    def handle(self, flow, event):
        setup = flow.setup
        if isinstance(event, Digit) and event.key.isdigit():
            digits = self.digits + event.key
            if len(digits) == EXTENSION_LENGTH:
                if digits in setup.extensions:
                    return flow.go(Connecting((digits,), "extension"))
                return flow.wrong(self.repeats, "receptionist-unknown")
            return flow.go(Collecting(digits, self.repeats))
        if isinstance(event, Digit):  # * or # in the middle of a number
            return flow.wrong(self.repeats)
        if event == Timeout(f"digit-{len(self.digits)}"):
            if len(self.digits) == 1 and self.digits in setup.keys:
                return flow.go(Connecting(setup.keys[self.digits], f"key {self.digits}"))
            return flow.wrong(self.repeats, "receptionist-unknown" if len(self.digits) > 1 else "invalid-choice")
        return super().handle(flow, event)


class Connecting(State):
    """"Please hold", then the caller is put through (``Connect``); the flow ends there."""

    name = "connecting"

    def __init__(self, targets: tuple[str, ...], via: str):
        self.targets, self.via = targets, via

    def enter(self, flow):
        return [Play(("receptionist-connecting",), "connecting")]

    def handle(self, flow, event):
        if event == PromptEnd("connecting"):
            return Done(), [Connect(self.targets, self.via)]
        return super().handle(flow, event)


class MailboxNumber(State):
    """``*`` (A6 on): the caller's extension number, then its mailbox's PIN (D2 from outside)."""

    name = "mailbox-number"

    def __init__(self, digits: str = "", repeats: int = 0):
        self.digits, self.repeats = digits, repeats

    def enter(self, flow):
        timer = [StartTimer(DIGIT_SECONDS + (MENU_WAIT_SECONDS if not self.digits else 0), f"box-{len(self.digits)}")]
        return ([Play(("receptionist-mailbox-number",), "box")] if not self.digits else []) + timer

    def handle(self, flow, event):
        if isinstance(event, Digit) and event.key.isdigit():
            digits = self.digits + event.key
            if len(digits) < EXTENSION_LENGTH:
                return flow.go(MailboxNumber(digits, self.repeats), [StopPlayback()] if not self.digits else [])
            if digits in flow.setup.mailboxes:
                return Done(), [StopPlayback(), AnswerCall(), EnterLogin(digits, flow.setup.domain)]
            return flow.wrong(self.repeats, "receptionist-unknown")
        if event == Timeout(f"box-{len(self.digits)}") or isinstance(event, Digit):
            return flow.wrong(self.repeats)
        return super().handle(flow, event)


class NameEntry(State):
    """D13: the first letters of a name on the keypad, ended by # or a pause."""

    name = "name-entry"

    def __init__(self, digits: str, repeats: int):
        self.digits, self.repeats = digits, repeats

    def enter(self, flow):
        prompt = [Play(("name-enter",), "name")] if not self.digits else []
        return prompt + [StartTimer(NAME_SECONDS + (MENU_WAIT_SECONDS if not self.digits else 0),
                                    f"name-{len(self.digits)}")]

    def handle(self, flow, event):
        if isinstance(event, Digit) and event.key.isdigit():
            return flow.go(NameEntry(self.digits + event.key, self.repeats), [StopPlayback()] if not self.digits else [])
        done = (isinstance(event, Digit) and event.key == "#") or event == Timeout(f"name-{len(self.digits)}")
        if done:
            found = tuple(rules.match_names(flow.setup.people, self.digits))
            if not found:
                return flow.wrong(self.repeats, "name-none")
            return flow.go(NameMatch(found, 0, self.repeats))
        if isinstance(event, Digit) and event.key == "*":  # back to the menu
            return flow.go(Menu(self.repeats), [StopPlayback()])
        return super().handle(flow, event)


class NameMatch(State):
    """One person found: their recorded name (or spoken), their extension; 1 connects, 2 the next."""

    name = "name-match"

    def __init__(self, found: tuple[rules.Person, ...], index: int, repeats: int, waited: int = 0):
        self.found, self.index, self.repeats, self.waited = found, index, repeats, waited

    def enter(self, flow):
        person = self.found[self.index]
        name = File(person.name_path) if person.name_path else Speech(person.name)
        items = (name, "extension", *phrases.digits(person.number), "name-choose")
        return [Play(items, f"match-{self.index}-{self.waited}")]

    def handle(self, flow, event):
        person = self.found[self.index]
        if isinstance(event, Digit):
            if event.key == "1":
                return flow.go(Connecting((person.number,), "name"), [StopPlayback()])
            if event.key == "2":
                if self.index + 1 < len(self.found):
                    return flow.go(NameMatch(self.found, self.index + 1, self.repeats), [StopPlayback()])
                return flow.wrong(self.repeats, "name-no-more")
            if event.key == "*":
                return flow.go(Menu(self.repeats), [StopPlayback()])
            return flow.go(NameMatch(self.found, self.index, self.repeats, self.waited),
                           [StopPlayback(), Play(("invalid-choice",), "invalid")])
        tag = f"match-{self.index}-{self.waited}"
        if event == PromptEnd(tag):
            return self, [StartTimer(MENU_WAIT_SECONDS, tag)]
        if event == Timeout(tag):
            if self.waited + 1 >= MENU_REPEATS:
                return flow.again(self.repeats)
            return flow.go(NameMatch(self.found, self.index, self.repeats, self.waited + 1))
        return super().handle(flow, event)


class Goodbye(State):
    name = "goodbye"

    def enter(self, flow):
        return [Play(("receptionist-goodbye",), "bye")]

    def handle(self, flow, event):
        if event == PromptEnd("bye"):
            return Done(), [Hangup()]
        return super().handle(flow, event)


class ReceptionistFlow(FlowMachine):
    """``back``: the caller comes back from extensions that did not answer (``busy``, ``noanswer``,
    ``unavailable``): they hear why, then the menu (not the greeting again)."""

    def __init__(self, setup: CallSetup, back: str = ""):
        self.setup = setup
        self.back = back
        self.state: State = Done()

    def start(self) -> list:
        self.state, actions = self.go(Menu())
        return actions

    # ---- what several states share
    def key(self, menu: Menu, key: str):
        """A first key during the menu."""
        setup = self.setup
        if key == rules.MAILBOX_KEY:
            if not setup.voicemail_access:  # A6 off: * does nothing, as the guide's note says
                return menu, []
            return self.go(MailboxNumber(repeats=menu.repeats), [StopPlayback()])
        if key == rules.NAME_KEY:
            return self.go(NameEntry("", menu.repeats), [StopPlayback()])
        if key == rules.OPERATOR_KEY:
            if setup.operator:
                return self.go(Connecting((setup.operator,), "operator"), [StopPlayback()])
            return self.wrong(menu.repeats)
        if _starts_extension(setup, key):
            return self.go(Collecting(key, menu.repeats), [StopPlayback()])
        if key in setup.keys:
            return self.go(Connecting(setup.keys[key], f"key {key}"), [StopPlayback()])
        return self.wrong(menu.repeats)

    def wrong(self, repeats: int, prompt: str = "invalid-choice"):
        """A wrong key (or number): said, and it counts as one of the menu's tries."""
        if repeats + 1 >= MENU_REPEATS:
            return self.last_resort([StopPlayback(), Play((prompt,), "wrong")])
        return self.go(Menu(repeats + 1), [StopPlayback(), Play((prompt,), "wrong")])

    def again(self, repeats: int):
        """The menu went unanswered: again, or after the last try the operator or goodbye."""
        if repeats + 1 >= MENU_REPEATS:
            return self.last_resort([])
        return self.go(Menu(repeats + 1))

    def last_resort(self, before: list):
        if self.setup.operator:
            return self.go(Connecting((self.setup.operator,), "operator (no choice)"), before)
        return self.go(Goodbye(), before)


__all__ = ["HangUp", "ReceptionistFlow"]
