"""The mailbox flow's transition table: for every state, each event -> the next state and the actions.

The table is what the code does, not a description of it: each state (``samples``: every state
of the flow, in the situations that change where its events lead) is entered and fed every
event a call can bring (keys, ends of prompts, timers, hang-up, the media app's answers and
failures) through the flow's own machine. Events a state ignores are left out; events with the
same outcome share a row. ``python -m rtp.flows.mailbox.table [asterisk|ooma]`` prints it.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import sys
from dataclasses import dataclass, replace

from rtp.flows import events as ev
from rtp.flows.machine import FlowState
from rtp.flows.mailbox import advanced, greetings, login, main, message, options, pin, setup
from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox.base import LOGIN_ATTEMPTS, MENU_REPEATS, Goodbye, MailboxState, Session, Waiting
from rtp.flows.mailbox.flow import MailboxContext, MailboxFlow
from tenants.voicemail import access
from tenants.voicemail.rules import Greetings

KEYS = "1234567890*#"
SPEECH, SILENCE = ev.Recorded(2.0, 3.0, True), ev.Recorded(0.0, 3.0, False)
EARLIER_CHANGE = mb.MoveMessage(7, 1, "old")  # a change the flow did not wait for
ENTER = "(enter)"  # the row of what a state does on entry (its prompt, its request)
HIDDEN = {"mailbox_id", "message_id", "pin", "tag", "request"}  # fields a row does not show


@dataclass(frozen=True)
class Row:
    state: str  # the state's label: its name, and what changes its transitions
    situation: str  # what the call knows that matters here ("" when nothing does)
    event: str  # the events, space-separated, that all lead to the same
    next: str
    actions: tuple[str, ...]

    def __str__(self) -> str:
        where = f"{self.state} [{self.situation}]" if self.situation else self.state
        return f"{where:<44} {self.event:<24} -> {self.next:<44} {', '.join(self.actions)}"


def samples(layout: str = access.DEFAULT_LAYOUT) -> list[tuple[str, MailboxState]]:
    """Every state of the flow, in each situation that changes its transitions."""
    known = mb.MailboxInfo(7, "2001", "acme.pbx.example", Greetings(unavailable="g/u.wav", name="g/n.wav"),
                           layout=layout, new=2)
    first = replace(known, pin_must_change=True, setup_done=False, greetings=Greetings())
    two = tuple(mb.MessageInfo(i, "new", "0612345678", "", dt.datetime(2026, 3, 3, 14, 5), f"voicemail/m{i}.wav")
                for i in (1, 2))
    listening, empty, last = Session(known, two), Session(known), Session(known, two, index=1)
    temporary_on = listening.with_info(greetings=replace(known.greetings, temporary="g/t.wav", temporary_on=True))
    no_unavailable = listening.with_info(greetings=Greetings(temporary="g/t.wav", temporary_on=True))
    fresh, setup_steps = Session(first), setup.FirstAccess(("pin", "name", "unavailable"))
    pin_changed = fresh.with_info(pin_must_change=False)
    back, send = options.BackToOptions(), advanced.SendTo("2002")
    third = LOGIN_ATTEMPTS - 1
    recording = [("", cls(listening, kind, then)) for kind, then in (("unavailable", back), ("message", send))
                 for cls in (greetings.RecordGreeting, greetings.GreetingRecording, greetings.GreetingChecking,
                             greetings.GreetingReview, greetings.GreetingListening)]
    recording.insert(3, ("", greetings.GreetingChecking(listening, "unavailable", back, hung_up=True)))
    return [
        ("", login.LookingUpMailbox("2001")),
        ("", login.AskMailbox()), ("digits typed", login.AskMailbox(digits="2001")),
        ("third try", login.AskMailbox(attempts=third)),
        ("", login.CheckingMailbox("2001")), ("third try", login.CheckingMailbox("2001", attempts=third)),
        ("", login.Pin(empty)), ("digits typed", login.Pin(empty, digits="1234")),
        ("third silence", login.Pin(empty, silent=MENU_REPEATS - 1)),
        ("", login.CheckingPin(empty, "1234")), ("first access", login.CheckingPin(fresh, "1234")),
        ("", main.OpeningMailbox(empty)),
        ("2 messages", main.Main(listening)), ("no message", main.Main(empty)),
        ("said 3 times", main.Main(listening, repeats=MENU_REPEATS - 1)),
        ("", main.ChooseFolder(listening, main.OPEN)), ("message in New", main.ChooseFolder(listening, main.SAVE)),
        ("", main.LoadingFolder(listening, "family")),
        ("first of 2", message.Message(listening)), ("first of 2", message.MessageMenu(listening)),
        ("last of 2", message.MessageMenu(last)),
        ("", advanced.Advanced(listening)),
        ("", advanced.AskNumber(listening, advanced.SEND)),
        ("digits typed", advanced.AskNumber(listening, advanced.SEND, digits="2002")),
        ("digits typed", advanced.AskNumber(listening, advanced.FORWARD, digits="2002")),
        ("", advanced.SendingRecording(listening, "2002")), ("", advanced.ForwardingMessage(listening, "2002")),
        ("", options.Options(listening)),
        ("temporary on", options.Temporary(temporary_on)),
        ("no unavailable greeting", options.Temporary(no_unavailable)),
        ("", pin.NewPin(listening, back)), ("digits typed", pin.NewPin(listening, back, digits="4711")),
        ("too short", pin.NewPin(listening, back, digits="47")),
        ("", pin.ConfirmPin(listening, back, "4711")),
        ("", pin.ChangingPin(listening, back, "4711")), ("", pin.ChangingPin(fresh, setup_steps, "4711")),
        *recording,
        ("", greetings.SavingGreeting(listening, "unavailable", back)),
        ("name step", greetings.SavingGreeting(pin_changed, "name", replace(setup_steps, steps=("name", "unavailable")))),
        ("last step", greetings.SavingGreeting(pin_changed, "unavailable", replace(setup_steps, steps=("unavailable",)))),
        ("", Goodbye()),
    ]


def answers(state: MailboxState) -> list[mb.Answer]:
    """What the media app may answer a waiting state: each outcome, and the failure."""
    if not isinstance(state, Waiting):
        return []
    outcomes: dict[type, list[mb.Answer]] = {
        mb.MailboxLoaded: [mb.MailboxLoaded(mb.MailboxInfo(7, "2001", "acme.pbx.example")), mb.MailboxLoaded(None)],
        mb.PinChecked: [mb.PinChecked(o) for o in ("accepted", "wrong", "locked", "just_locked")],
        mb.PinChanged: [mb.PinChanged(True), mb.PinChanged(False)],
        mb.MessagesLoaded: [mb.MessagesLoaded(getattr(state.request, "folder", "new"), ())],
        mb.GreetingSaved: [mb.GreetingSaved("kind", "g/new.wav"), mb.GreetingSaved("kind", None)],
        mb.Sent: [mb.Sent(True), mb.Sent(False)],
    }
    return [replace(answer, request=state.request) for answer in outcomes[state.answer]] + [
        mb.ActionFailed(request=state.request)]


def events(state: MailboxState) -> list[object]:
    """Every event a call can bring to ``state``."""
    timers = [event(tag) for tag in state.tags for event in (ev.PromptEnd, ev.Timeout)]
    return [*(ev.Digit(key) for key in KEYS), *timers, ev.HangUp(), SPEECH, SILENCE, *answers(state),
            mb.ActionFailed(request=EARLIER_CHANGE)]


def describe_event(state: MailboxState, event: object) -> str:
    if isinstance(event, ev.Digit):
        return event.key
    if isinstance(event, ev.PromptEnd | ev.Timeout):
        what = "end" if isinstance(event, ev.PromptEnd) else "timeout"
        return what if event.tag == state.tag else f"{what}:{event.tag.rsplit('-', 1)[0]}"
    if isinstance(event, mb.ActionFailed):
        return "ActionFailed" if event.request == getattr(state, "request", None) else "ActionFailed(earlier)"
    if isinstance(event, ev.Recorded):
        return "Recorded(speech)" if event.has_speech else "Recorded(silence)"
    if isinstance(event, mb.MailboxLoaded):
        return "MailboxLoaded(found)" if event.info else "MailboxLoaded(unknown)"
    if isinstance(event, mb.GreetingSaved):
        return "GreetingSaved(saved)" if event.path else "GreetingSaved(not saved)"
    return describe(event)


def describe(action: object) -> str:
    """An action (or an answer) as a row shows it: its kind and what tells it apart."""
    if isinstance(action, ev.Play):
        return "say " + " ".join(i if isinstance(i, str) else "<file>" for i in action.items)
    if isinstance(action, ev.StartTimer):
        return f"timer {action.seconds:g}s"
    shown = [f.name for f in dataclasses.fields(action) if f.name not in HIDDEN] \
        if dataclasses.is_dataclass(action) else []
    values = [getattr(action, name) for name in shown]
    text = ",".join(f"{v:+g}" if isinstance(v, float) else str(v) for v in values if not isinstance(v, tuple))
    return f"{type(action).__name__}({text})" if text else type(action).__name__


def label(state: FlowState) -> str:
    if not isinstance(state, MailboxState):
        return state.name
    return f"{state.label} +apology owed" if state.owed else state.label


def transition_table(layout: str = access.DEFAULT_LAYOUT) -> list[Row]:
    """The rows for ``layout``: each sample's prompt on entry, then where each event leads."""
    rows: list[Row] = []
    for situation, sample in samples(layout):
        flow = MailboxFlow(MailboxContext("acme.pbx.example", language="fr"))
        state, entry = flow.go(sample)
        assert isinstance(state, MailboxState)
        flow.state = state
        rows.append(Row(state.label, situation, ENTER, state.label, tuple(describe(a) for a in entry)))
        for event in events(state):
            probe = copy.copy(flow)  # the machine as it is in this state, for this event only
            actions = probe.handle(event)
            if probe.state == state and not actions:
                continue  # ignored
            row = Row(state.label, situation, describe_event(state, event), label(probe.state),
                      tuple(describe(a) for a in actions))
            same = [i for i, r in enumerate(rows) if r.event != ENTER and replace(r, event="") == replace(row, event="")]
            if same:  # another event with the same outcome: one row
                rows[same[0]] = replace(rows[same[0]], event=f"{rows[same[0]].event} {row.event}")
            else:
                rows.append(row)
    return rows


def format_table(rows: list[Row]) -> str:
    return "\n".join(str(row) for row in rows)


if __name__ == "__main__":
    print(format_table(transition_table(sys.argv[1] if len(sys.argv) > 1 else access.DEFAULT_LAYOUT)))
