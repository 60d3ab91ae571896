"""A pretend phone and a pretend mailbox store around ``MailboxFlow`` (no network, no database).

The store answers the flow's domain actions the way rtp/mediaapp/mailbox_call.py does, with
the same pure rules (``tenants.pin_rules``, ``tenants.voicemail.access``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from rtp.flows.events import Digit, File, HangUp, Play, PromptEnd, Recorded, StartTimer, StopRecording, Timeout
from rtp.flows.mailbox import MailboxContext, MailboxFlow
from rtp.flows.mailbox import events as mb
from rtp.prompts.phrases import render_text
from tenants.pin_rules import PinState, after_attempt
from tenants.validation import check_pin
from tenants.voicemail.rules import Greetings

SPEECH = Recorded(speech_seconds=2.0, recorded_seconds=3.0, has_speech=True)
DONE_SETUP = dict(setup_done=True, greetings=Greetings(unavailable="g/u.wav", name="g/n.wav"))


def info(**kw) -> mb.MailboxInfo:
    """Mailbox 2001 of acme, past its first access, one new message (``kw`` changes any field)."""
    return mb.MailboxInfo(**{**dict(mailbox_id=7, number="2001", domain="acme.pbx.example", new=1, old=0),
                             **DONE_SETUP, **kw})


def message(id_: int, folder: str = "new", caller: str = "0612345678", when=None) -> mb.MessageInfo:
    return mb.MessageInfo(id_, folder, caller, "", when or dt.datetime(2026, 3, 3, 14, 5), f"voicemail/m{id_}.wav")


@dataclass
class Store:
    pin: str = "1234"
    state: PinState = field(default_factory=lambda: PinState(0, False))
    messages: list = field(default_factory=lambda: [message(1)])
    others: tuple = ("2002",)  # other mailboxes of the tenant
    greetings: Greetings = field(default_factory=Greetings)
    temporary_on: bool | None = None
    setup_done: bool = False
    sent: list = field(default_factory=list)
    recording: Recorded = SPEECH
    failing: tuple = ()  # action types whose work raises: answered ActionFailed
    unanswered: tuple = ()  # action types never answered (the flow's timer is what ends the wait)

    def answer(self, action, info: mb.MailboxInfo | None):
        if isinstance(action, self.failing):
            return mb.ActionFailed()
        if isinstance(action, self.unanswered):
            return None
        if isinstance(action, mb.LookupMailbox):
            return mb.MailboxLoaded(info if info and action.number == info.number else None)
        if isinstance(action, mb.CheckPin):
            if self.state.locked:
                return mb.PinChecked("locked")
            correct = action.pin == self.pin
            self.state = after_attempt(self.state, correct)
            if correct:
                return mb.PinChecked("accepted")
            return mb.PinChecked("just_locked" if self.state.locked else "wrong")
        if isinstance(action, mb.ChangePin):
            if check_pin(action.pin):
                return mb.PinChanged(False)
            self.pin = action.pin
            return mb.PinChanged(True)
        if isinstance(action, mb.LoadMessages):
            return mb.MessagesLoaded(action.folder, tuple(m for m in self.messages if m.folder == action.folder))
        if isinstance(action, mb.MoveMessage):
            self.messages = [replace(m, folder=action.folder) if m.id == action.message_id else m
                             for m in self.messages]
        if isinstance(action, mb.SaveGreeting):
            path = f"voicemail/g-{action.kind}.wav"
            self.greetings = replace(self.greetings, **{action.kind: path})
            return mb.GreetingSaved(action.kind, path)
        if isinstance(action, mb.SetTemporary):
            self.temporary_on = action.on
        if isinstance(action, mb.FinishSetup):
            self.setup_done = True
        if isinstance(action, (mb.ForwardMessage, mb.SendRecording)):
            ok = action.to_number in self.others
            if ok:
                self.sent.append(action)
            return mb.Sent(ok)
        if isinstance(action, StopRecording):
            return self.recording
        return None


class Phone:
    def __init__(self, info: mb.MailboxInfo | None = None, own_phone: bool = True, store: Store | None = None,
                 lookup: mb.MailboxInfo | None = None):
        self.store = store or Store()
        self.lookup = lookup or info
        self.flow = MailboxFlow(MailboxContext("acme.pbx.example", info, own_phone))
        self.actions: list = []
        self.mark = 0

    def _feed(self, actions):
        # As in the media app, the answers come after every action of the batch was performed
        # (the domain work runs on its pool): the flow has moved to the batch's state by then.
        answers = []
        for action in actions:
            self.actions.append(action)
            answer = self.store.answer(action, self.lookup)
            if isinstance(answer, mb.Answer):  # as the media app does: the answer names its request
                answer = replace(answer, request=action)
            if answer is not None:
                answers.append(answer)
        for answer in answers:
            self._feed(self.flow.handle(answer))

    def start(self) -> Phone:
        self._feed(self.flow.start())
        return self

    def send(self, event) -> Phone:
        self._feed(self.flow.handle(event))
        return self

    def keys(self, keys: str) -> Phone:
        for key in keys:
            self.send(Digit(key))
        return self

    def plays(self) -> list[Play]:
        return [a for a in self.actions if isinstance(a, Play)]

    def end_prompt(self) -> Phone:
        """The last prompt played to its end."""
        return self.send(PromptEnd(self.plays()[-1].tag))

    def time_out(self) -> Phone:
        timers = [a for a in self.actions if isinstance(a, StartTimer)]
        return self.send(Timeout(timers[-1].tag))

    def hang_up(self) -> Phone:
        return self.send(HangUp())

    def heard(self, since_mark: bool = True) -> str:
        """The words of the prompts played since the last ``mark()`` (files shown as [path])."""
        items = []
        for action in self.actions[self.mark if since_mark else 0:]:
            if isinstance(action, Play):
                items += [i.path if isinstance(i, File) else i for i in action.items]
        return render_text(items)

    def did(self, kind) -> list:
        return [a for a in self.actions[self.mark:] if isinstance(a, kind)]

    def mark_now(self) -> Phone:
        self.mark = len(self.actions)
        return self

    @property
    def state(self) -> str:
        return self.flow.state.name


def logged_in(store: Store | None = None, **kw) -> Phone:
    """``*97`` with the right PIN: at the main menu, marked there."""
    phone = Phone(info(**kw), store=store).start()
    phone.keys("1234#")
    assert phone.state == "main", phone.heard()
    return phone.mark_now()
