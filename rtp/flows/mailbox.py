"""The mailbox by phone (D1-D9, D11) as a state machine: one state per menu, no network.

    AskMailbox (*98) --digits #--> [LookupMailbox] --> Pin --digits #--> [CheckPin]
    Pin --accepted--> first access (D3): NewPin -> ConfirmPin -> [ChangePin] -> RecordGreeting(name)
                      -> RecordGreeting(unavailable) -> [FinishSetup] -> Main
    Pin --wrong--> Pin (3rd wrong: locked, goodbye)          Main --#--> Goodbye
    Pin --nothing typed--> Pin, "vous n'avez rien composé" (3rd in a row: goodbye; nothing is counted)
    Main is first entered with the capacity warning when nearly full or full (D12), then the counts
    Main (1 listen, 2 folders, 3 advanced, 0 options, * help, # exit: seed 003; or seed 000's
    layout) -> Message (envelope and/or message, D9; * rewinds, # skips ahead) -> MessageMenu
    (4 previous, 5 repeat, 6 next, 7 delete, 8 forward, 9 save) ...

Which key does what comes from ``tenants.voicemail.access.LAYOUTS``: a layout is a table
over these states. Domain work is asked for with actions of ``mailbox_events`` and its
result comes back as an event. ``MailboxFlow.start()`` returns the first actions,
``handle(event)`` the next ones.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from rtp.flows import mailbox_events as mb
from rtp.flows.events import (
    Digit,
    DiscardRecording,
    File,
    HangUp,
    Hangup,
    Play,
    PlayRecording,
    PromptEnd,
    Recorded,
    StartRecording,
    StartTimer,
    StopPlayback,
    StopRecording,
    Timeout,
)
from rtp.flows.machine import Done, FlowMachine, FlowState
from rtp.prompts import phrases
from tenants.voicemail import access, rules

MENU_WAIT_SECONDS = 8.0
DIGIT_WAIT_SECONDS = 6.0
MENU_REPEATS = 3
LOGIN_ATTEMPTS = 3
GREETING_MAX_SECONDS = 120
GREETING_MIN_SECONDS = 0.5
SEEK_SECONDS = 3.0
KEY_NAMES = {"*": "star", "#": "pound"}


@dataclass(frozen=True)
class MailboxContext:
    domain: str
    info: mb.MailboxInfo | None = None  # already loaded (tests)
    own_phone: bool = False  # D1: skip-PIN applies only here (*97, own number)
    language: str = "fr"
    number: str | None = None  # the mailbox when known (*97, own number, "*" during a greeting); None: *98 asks


State = FlowState  # the base of this flow's states


def press(key: str) -> str:
    return f"press-{KEY_NAMES.get(key, key)}"


def menu_items(table: dict[str, str]) -> tuple:
    """"Pour écouter vos messages, appuyez sur 1. ..." from a layout table."""
    items: list[str] = []
    for key, what in table.items():
        items += [f"menu-{what}", press(key)]
    return tuple(items)


# ------------------------------------------------------------------ building blocks
class Menu(State):
    """A prompt, then a wait for one key; repeated MENU_REPEATS times, then goodbye."""

    menu = ""

    def __init__(self, repeats: int = 0, before: tuple = ()):
        self.repeats, self.before = repeats, before

    def items(self, flow) -> tuple:
        return menu_items(flow.table(self.menu))

    def enter(self, flow):
        self.tag = flow.tag(self.name)
        return [Play(self.before + self.items(flow), self.tag)]

    def copy(self, repeats, before):
        state = type(self).__new__(type(self))
        state.__dict__.update(self.__dict__)
        state.repeats, state.before = repeats, before
        return state

    def handle(self, flow, event):
        if isinstance(event, Digit):
            what = flow.table(self.menu).get(event.key)
            if what is None:
                return flow.go(self.copy(self.repeats, ("invalid-choice",)), [StopPlayback()])
            return self.choose(flow, what, event.key)
        if event == PromptEnd(self.tag):
            return self, [StartTimer(MENU_WAIT_SECONDS, self.tag)]
        if event == Timeout(self.tag):
            if self.repeats + 1 >= MENU_REPEATS:
                return flow.go(Goodbye())
            return flow.go(self.copy(self.repeats + 1, ()))
        return super().handle(flow, event)

    def choose(self, flow, what: str, key: str):
        return self, []


class Collect(State):
    """Digits ended by ``#`` (or a pause): a PIN, a mailbox number. ``*`` starts over."""

    prompt: tuple = ()

    def __init__(self, before: tuple = ()):
        self.before = before
        self.digits = ""

    def enter(self, flow):
        self.tag = flow.tag(self.name)
        return [Play(self.before + self.prompt, self.tag)]

    def handle(self, flow, event):
        if isinstance(event, Digit):
            stop = [StopPlayback()]
            if event.key == "#":
                return self.done(flow, self.digits)
            if event.key == "*":
                self.digits = ""
            else:
                self.digits += event.key
            return self, stop + [StartTimer(DIGIT_WAIT_SECONDS, self.tag)]
        if event == PromptEnd(self.tag):
            return self, [StartTimer(DIGIT_WAIT_SECONDS if self.digits else MENU_WAIT_SECONDS, self.tag)]
        if event == Timeout(self.tag):
            return self.done(flow, self.digits)
        return super().handle(flow, event)

    def done(self, flow, digits: str):
        return self, []


class Waiting(State):
    """Waiting for the media app's answer to a domain action; ``then(flow, event)`` decides."""

    name = "waiting"

    def __init__(self, answer: type, then):
        self.answer, self.then = answer, then

    def handle(self, flow, event):
        if isinstance(event, self.answer):
            return self.then(flow, event)
        return super().handle(flow, event)


# ------------------------------------------------------------------ login (D1, D2, D4)
class AskMailbox(Collect):
    name = "ask-mailbox"
    prompt = ("enter-mailbox",)

    def __init__(self, before: tuple = (), attempts: int = 0):
        super().__init__(before)
        self.attempts = attempts

    def done(self, flow, digits):
        if not digits:
            return self._retry(flow, ("nothing-entered",))
        return Waiting(mb.MailboxLoaded, self.loaded), [mb.LookupMailbox(digits)]

    def _retry(self, flow, why: tuple = ("invalid-mailbox",)):
        if self.attempts + 1 >= LOGIN_ATTEMPTS:
            return flow.go(Goodbye())
        return flow.go(AskMailbox(why, self.attempts + 1))

    def loaded(self, flow, event):
        if event.info is None:
            return self._retry(flow)
        flow.info = event.info
        return flow.go(Pin())


class Pin(Collect):
    name = "pin"
    prompt = ("enter-pin",)

    def __init__(self, before: tuple = (), silent: int = 0):
        super().__init__(before)
        self.silent = silent  # prompts answered with nothing in a row

    def done(self, flow, digits):
        entry = access.pin_entry(digits, self.silent, MENU_REPEATS)  # issue 11: nothing typed is no PIN
        if entry.action == access.GIVE_UP:
            return flow.go(Goodbye(("nothing-entered",)))
        if entry.action == access.ASK_AGAIN:
            return flow.go(Pin(("nothing-entered",), entry.silent))
        return Waiting(mb.PinChecked, self.checked), [mb.CheckPin(flow.info.mailbox_id, digits)]

    def checked(self, flow, event):
        if event.outcome == "accepted":
            return flow.logged_in()
        if event.outcome in ("locked", "just_locked"):  # D4: locked until an admin unlocks it
            return flow.go(Goodbye(("mailbox-locked",)))
        return flow.go(Pin(("wrong-pin",)))


# ------------------------------------------------------------------ PIN change (seed 002)
class NewPin(Collect):
    """"Veuillez composer les chiffres du code secret que vous avez choisi", then ``#``."""

    name = "new-pin"
    prompt = ("enter-new-pin",)

    def __init__(self, then, before: tuple = ()):
        super().__init__(before)
        self.then = then

    def done(self, flow, digits):
        if not access.valid_new_pin(digits):
            return flow.go(NewPin(self.then, ("pin-invalid",)))
        return flow.go(ConfirmPin(digits, self.then))


class ConfirmPin(Menu):
    """"Vous avez composé le 4 7 1 1": 1 keeps it, 2 types another."""

    name = "confirm-pin"

    def __init__(self, pin: str, then, repeats: int = 0, before: tuple = ()):
        super().__init__(repeats, before)
        self.pin, self.then = pin, then

    def items(self, flow):
        return ("you-dialed",) + tuple(phrases.digits(self.pin)) + ("menu-pin-accept", "press-1",
                                                                     "menu-pin-retype", "press-2")

    def handle(self, flow, event):
        if isinstance(event, Digit):
            if event.key == "1":
                return Waiting(mb.PinChanged, self.changed), [StopPlayback(),
                                                             mb.ChangePin(flow.info.mailbox_id, self.pin)]
            if event.key == "2":
                return flow.go(NewPin(self.then), [StopPlayback()])
            return flow.go(self.copy(self.repeats, ("invalid-choice",)), [StopPlayback()])
        return super().handle(flow, event)

    def changed(self, flow, event):
        if not event.ok:
            return flow.go(NewPin(self.then, ("pin-invalid",)))
        flow.info = replace(flow.info, pin_must_change=False)
        return self.then(flow, ("pin-changed",))


# ------------------------------------------------------------------ greetings (D7, D8)
class RecordGreeting(State):
    """Prompt, beep, record until ``#``; then 1 accept, 2 listen, 3 record again (seed 003)."""

    name = "record-greeting"

    def __init__(self, kind: str, then, before: tuple = ()):
        self.kind, self.then, self.before = kind, then, before

    def enter(self, flow):
        self.tag = flow.tag(self.name)
        return [Play(self.before + (f"record-{self.kind}", "beep"), self.tag)]

    def handle(self, flow, event):
        if event == PromptEnd(self.tag) or (isinstance(event, Digit) and event.key == "#"):
            stop = [StopPlayback()] if isinstance(event, Digit) else []
            self.tag = flow.tag("rec-max")
            return GreetingRecording(self), stop + [StartRecording(GREETING_MAX_SECONDS),
                                                    StartTimer(GREETING_MAX_SECONDS, self.tag)]
        return super().handle(flow, event)


class GreetingRecording(State):
    name = "greeting-recording"

    def __init__(self, owner: RecordGreeting):
        self.owner = owner

    def handle(self, flow, event):
        if (isinstance(event, Digit) and event.key == "#") or event == Timeout(self.owner.tag):
            return GreetingChecking(self.owner), [StopRecording()]
        if isinstance(event, HangUp):  # a greeting is kept only once accepted
            return GreetingChecking(self.owner, hung_up=True), [StopRecording()]
        return self, []


class GreetingChecking(State):
    name = "greeting-checking"

    def __init__(self, owner: RecordGreeting, hung_up: bool = False):
        self.owner, self.hung_up = owner, hung_up

    def handle(self, flow, event):
        if isinstance(event, Recorded) and self.hung_up:
            return Done(), [DiscardRecording()]
        if isinstance(event, Recorded):
            if not event.has_speech or event.speech_seconds < GREETING_MIN_SECONDS:
                return flow.go(RecordGreeting(self.owner.kind, self.owner.then, ("too-short",)),
                               [DiscardRecording()])
            return flow.go(GreetingReview(self.owner))
        if isinstance(event, HangUp):
            self.hung_up = True
        return self, []


class GreetingReview(Menu):
    name = "greeting-review"

    def __init__(self, owner: RecordGreeting, repeats: int = 0, before: tuple = ()):
        super().__init__(repeats, before)
        self.owner = owner

    def items(self, flow):
        return ("review-menu",)

    def handle(self, flow, event):
        if isinstance(event, Digit):
            key = event.key
            if key == "1" and self.owner.kind == "message":  # D11: sent, not kept as a greeting
                return self.owner.then(flow, ())
            if key == "1":
                return Waiting(mb.GreetingSaved, self.saved), [StopPlayback(),
                                                              mb.SaveGreeting(flow.info.mailbox_id, self.owner.kind)]
            if key == "2":
                self.tag = flow.tag("listen")
                return self, [StopPlayback(), PlayRecording(self.tag)]
            if key == "3":
                return flow.go(RecordGreeting(self.owner.kind, self.owner.then), [StopPlayback(), DiscardRecording()])
            return flow.go(self.copy(self.repeats, ("invalid-choice",)), [StopPlayback()])
        if isinstance(event, HangUp):
            return Done(), [DiscardRecording()]
        if isinstance(event, PromptEnd) and event.tag == self.tag and event.tag.startswith("listen"):
            return flow.go(self.copy(self.repeats, ()))
        if event == Timeout(self.tag) and self.repeats + 1 >= MENU_REPEATS:
            return flow.go(Goodbye(), [DiscardRecording()])
        return super().handle(flow, event)

    def saved(self, flow, event):
        if event.path is None:
            return self.owner.then(flow, ("invalid-choice",))
        flow.info = replace(flow.info, greetings=access.greeting_recorded(self.owner.kind, flow.info.greetings,
                                                                          event.path))
        return self.owner.then(flow, ("greeting-saved",))


# ------------------------------------------------------------------ main menu (seed 003 / 000)
class Main(Menu):
    name = "main"
    menu = "main"

    def choose(self, flow, what, key):
        stop = [StopPlayback()]
        if what == "listen":
            if not flow.messages:
                return flow.go(Main(0, ("no-messages",)), stop)
            return flow.go(Message(0), stop)
        if what == "folders":
            return flow.go(ChooseFolder("open"), stop)
        if what == "advanced":
            return flow.go(Advanced(), stop)
        if what == "options":
            return flow.go(Options(), stop)
        if what == "help":
            return flow.go(Main(0, ("main-help",)), stop)
        if what == "exit":
            return flow.go(Goodbye(), stop)
        return self, []


class Options(Menu):
    name = "options"
    menu = "options"

    def choose(self, flow, what, key):
        stop = [StopPlayback()]
        back = back_to(Options)
        if what.startswith("record-"):
            return flow.go(RecordGreeting(what[len("record-"):], back), stop)
        if what == "temporary":
            return flow.go(Temporary(), stop)
        if what == "change-pin":
            return flow.go(NewPin(back), stop)
        if what == "back":
            return flow.go(Main(), stop)
        return self, []


class Temporary(Menu):
    """Seed 003 ``0,4``: 1 record the temporary greeting (it is on once recorded), 2 turn it off."""

    name = "temporary"
    menu = "temporary"

    def choose(self, flow, what, key):
        stop = [StopPlayback()]
        if what == "record-temporary":
            return flow.go(RecordGreeting("temporary", back_to(Options)), stop)
        if what == "temporary-off":
            decision = access.temporary_off(flow.info.greetings)
            if not decision.ok:  # D8: refused while no unavailable greeting exists
                return flow.go(Temporary(0, ("temporary-needs-unavailable",)), stop)
            flow.info = replace(flow.info, greetings=replace(flow.info.greetings, temporary_on=False))
            return flow.go(Options(0, ("temporary-off",)), stop + [mb.SetTemporary(flow.info.mailbox_id, False)])
        if what == "back":
            return flow.go(Options(), stop)
        return self, []


class Advanced(Menu):
    name = "advanced"
    menu = "advanced"

    def choose(self, flow, what, key):
        stop = [StopPlayback()]
        if what == "send":  # D11: record a message for another mailbox
            return flow.go(AskNumber(self.send_to), stop)
        if what == "back":
            return flow.go(Main(), stop)
        return self, []

    @staticmethod
    def send_to(flow, number):
        def then(flow, before):
            return Waiting(mb.Sent, sent), [StopPlayback(), mb.SendRecording(flow.info.mailbox_id, number)]

        def sent(flow, event):
            return flow.go(Main(0, ("message-sent",) if event.ok else ("invalid-mailbox",)))
        return flow.go(RecordGreeting("message", then))


class AskNumber(Collect):
    """The mailbox a message goes to (D11), then ``#``."""

    name = "ask-number"
    prompt = ("enter-destination",)

    def __init__(self, then, before: tuple = ()):
        super().__init__(before)
        self.then = then

    def done(self, flow, digits):
        if not digits:
            return flow.go(Main())
        return self.then(flow, digits)


class ChooseFolder(Menu):
    """Seed 003 "2 Changer de dossier": 0 New ... 4 Friends, ``#`` cancels. Also "9 save" after a message."""

    name = "choose-folder"

    def __init__(self, purpose: str, repeats: int = 0, before: tuple = ()):
        super().__init__(repeats, before)
        self.purpose = purpose

    def items(self, flow):
        items: list[str] = []
        for key, folder in access.FOLDER_KEYS.items():
            items += [f"menu-folder-{folder}", press(key)]
        return tuple(items) + ("menu-cancel", "press-pound")

    def handle(self, flow, event):
        if isinstance(event, Digit):
            stop = [StopPlayback()]
            if event.key == "#":
                return flow.go(Main() if self.purpose == "open" else MessageMenu(), stop)
            folder = access.folder_for_key(event.key)
            if folder is None:
                return flow.go(self.copy(self.repeats, ("invalid-choice",)), stop)
            if self.purpose == "open":
                return Waiting(mb.MessagesLoaded, self.opened), stop + [mb.LoadMessages(flow.info.mailbox_id, folder)]
            message = flow.current
            target = access.move(message.folder, event.key)
            if target is None:
                return flow.go(MessageMenu(0, ("message-saved-to", f"folder-{folder}")), stop)
            flow.update_current(folder=target)
            return flow.go(MessageMenu(0, ("message-saved-to", f"folder-{folder}")),
                           stop + [mb.MoveMessage(flow.info.mailbox_id, message.id, target)])
        return super().handle(flow, event)

    def opened(self, flow, event):
        flow.folder, flow.messages, flow.index = event.folder, list(event.messages), 0
        return flow.go(Main(0, (f"folder-{event.folder}",) + tuple(phrases.number(len(event.messages)))
                            + ("message-word" if len(event.messages) < 2 else "messages-word",)))


# ------------------------------------------------------------------ messages (D6, D9, D11)
class Message(State):
    """Envelope and/or message (D9); ``*`` rewinds, ``#`` skips ahead; other keys act as after it."""

    name = "message"

    def __init__(self, index: int):
        self.index = index

    def enter(self, flow):
        flow.index = self.index
        message = flow.current
        say_envelope, play_message = access.playback_parts(flow.info.envelope)
        actions: list = []
        self.tag = flow.tag("message")
        self.envelope_tag = flow.tag("envelope")
        self.playing_message = False
        if say_envelope:
            actions.append(Play(envelope(self.index, message), self.envelope_tag if play_message else self.tag))
        if play_message:
            actions.append(Play((File(message.path),), self.tag))
        heard = access.after_heard(message.folder)
        if heard != message.folder:  # a new message once played is old (MWI follows)
            flow.update_current(folder=heard)
            actions.append(mb.MoveMessage(flow.info.mailbox_id, message.id, heard))
        return actions

    def handle(self, flow, event):
        if event == PromptEnd(self.envelope_tag):
            self.playing_message = True
            return self, []
        if event == PromptEnd(self.tag):
            return flow.go(MessageMenu())
        if isinstance(event, Digit):
            if event.key == "*":
                return self, [mb.Seek(-SEEK_SECONDS)]
            if event.key == "#":
                return self, [mb.Seek(SEEK_SECONDS)]
            return MessageMenu().pressed(flow, event.key, [StopPlayback()])
        return super().handle(flow, event)


def envelope(index: int, message: mb.MessageInfo) -> tuple:
    """"Message 1, reçu le 3 mars à 14 heures 5, de 0 6 1 2..." (D9)."""
    who = tuple(phrases.digits(message.caller_number)) if message.caller_number else ("unknown-caller",)
    return (("message-word",) + tuple(phrases.number(index + 1)) + ("received",)
            + tuple(phrases.date_time(message.received_local)) + ("from",) + who)


class MessageMenu(Menu):
    """After a message: 4 previous, 5 repeat, 6 next, 7 delete, 8 forward, 9 save, * help, # back."""

    name = "message-menu"
    menu = "message"

    def choose(self, flow, what, key):
        return self.pressed(flow, key, [StopPlayback()])

    def pressed(self, flow, key, stop):
        what = flow.table("message").get(key)
        count = len(flow.messages)
        if what == "previous":
            if flow.index == 0:
                return flow.go(MessageMenu(0, ("no-previous",)), stop)
            return flow.go(Message(flow.index - 1), stop)
        if what == "repeat":
            return flow.go(Message(flow.index), stop)
        if what == "next":
            if flow.index + 1 >= count:
                return flow.go(Main(0, ("no-more-messages",)), stop)
            return flow.go(Message(flow.index + 1), stop)
        if what == "delete":
            message = flow.current
            flow.messages.pop(flow.index)
            move = mb.MoveMessage(flow.info.mailbox_id, message.id, access.deleted(message.folder))
            if flow.index < len(flow.messages):
                return flow.go(Message(flow.index), stop + [move, Play(("message-deleted",), flow.tag("deleted"))])
            return flow.go(Main(0, ("message-deleted", "no-more-messages")), stop + [move])
        if what == "forward":
            return flow.go(AskNumber(self.forward_to), stop)
        if what == "save":
            return flow.go(ChooseFolder("save"), stop)
        if what == "help":
            return flow.go(MessageMenu(0, ("message-help",)), stop)
        if what == "exit-listen":
            return flow.go(Main(), stop)
        return flow.go(MessageMenu(self.repeats if isinstance(self, MessageMenu) else 0, ("invalid-choice",)), stop)

    @staticmethod
    def forward_to(flow, number):
        def sent(flow, event):
            return flow.go(MessageMenu(0, ("message-sent",) if event.ok else ("invalid-mailbox",)))
        return Waiting(mb.Sent, sent), [mb.ForwardMessage(flow.info.mailbox_id, flow.current.id, number)]


# ------------------------------------------------------------------ the end
class Goodbye(State):
    name = "goodbye"

    def __init__(self, before: tuple = ()):
        self.before = before

    def enter(self, flow):
        self.tag = flow.tag("bye")
        return [Play(self.before + ("goodbye",), self.tag)]

    def handle(self, flow, event):
        if event == PromptEnd(self.tag):
            return Done(), [Hangup()]
        return super().handle(flow, event)


def back_to(menu: type):
    def then(flow, before):
        return flow.go(menu(0, tuple(before)))
    return then


# ------------------------------------------------------------------ the flow
class MailboxFlow(FlowMachine):
    def __init__(self, ctx: MailboxContext):
        self.ctx = ctx
        self.info: mb.MailboxInfo | None = ctx.info
        self.state: State = Done()
        self.messages: list[mb.MessageInfo] = []
        self.folder = "new"
        self.index = 0
        self.steps: list[str] = []
        self._tags = 0

    # helpers for the states
    def tag(self, what: str) -> str:
        self._tags += 1
        return f"{what}-{self._tags}"

    def table(self, menu: str) -> dict[str, str]:
        return access.layout(self.info.layout if self.info else None)[menu]

    @property
    def current(self) -> mb.MessageInfo:
        return self.messages[self.index]

    def update_current(self, **changes) -> None:
        self.messages[self.index] = replace(self.current, **changes)

    def logged_in(self, before: tuple = ()) -> tuple[State, list]:
        """After the PIN (or skip-PIN): D3's first-access steps, then the messages of New and the main menu."""
        info = self.info
        self.steps = list(access.first_access_steps(info.pin_must_change, info.setup_done,
                                                    info.greetings.name is not None,
                                                    info.greetings.unavailable is not None))
        if self.steps:
            return self.next_step(before)
        return Waiting(mb.MessagesLoaded, self._first_folder), [mb.LoadMessages(info.mailbox_id, "new")]

    def next_step(self, before: tuple = ()) -> tuple[State, list]:
        if not self.steps:
            self.info = replace(self.info, setup_done=True)
            state, actions = self.logged_in(before)
            return state, [mb.FinishSetup(self.info.mailbox_id)] + actions
        step = self.steps.pop(0)
        then = _after_step
        if step == "pin":
            return self.go(NewPin(then, before + ("first-access",)))
        return self.go(RecordGreeting(step, then, before))

    def _first_folder(self, flow, event) -> tuple[State, list]:
        self.folder, self.messages, self.index = event.folder, list(event.messages), 0
        new = sum(1 for m in self.messages if m.folder == "new")
        return self.go(Main(0, self.capacity_warning() + tuple(phrases.message_count(new, self.info.old))))

    def capacity_warning(self) -> tuple:
        """D12: "votre boîte vocale est presque pleine..." right after the login, before the counts."""
        cap = self.info.capacity
        level = rules.owner_warning(cap) if cap is not None else None
        return tuple(phrases.capacity_warning(level, cap.count, cap.limit)) if level else ()

    # driving
    def start(self) -> list:
        if self.info is None and self.ctx.number:
            self.state, actions = Waiting(mb.MailboxLoaded, self._loaded), [mb.LookupMailbox(self.ctx.number)]
        elif self.info is None:
            self.state, actions = self.go(AskMailbox())
        else:
            self.state, actions = self._login()
        return actions

    def _loaded(self, flow, event) -> tuple[State, list]:
        if event.info is None:
            return self.go(Goodbye(("invalid-mailbox",)))
        self.info = event.info
        return self._login()

    def _login(self) -> tuple[State, list]:
        if access.needs_pin(self.ctx.own_phone, self.info.skip_pin):
            return self.go(Pin())
        return self.logged_in()



def _after_step(flow: MailboxFlow, before: tuple) -> tuple[State, list]:
    return flow.next_step(tuple(before))
