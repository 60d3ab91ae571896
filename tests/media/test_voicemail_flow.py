"""The caller's voicemail flow, driven by lists of events (no network)."""
from __future__ import annotations

import pytest

from rtp.flows.events import (
    Digit,
    DiscardRecording,
    EnterLogin,
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
    StoreMessage,
    Timeout,
    Transfer,
)
from rtp.flows.voicemail import FlowContext, VoicemailFlow
from tenants.voicemail.rules import GreetingChoice, Greetings, choose_greeting

SPEECH = Recorded(speech_seconds=4.0, recorded_seconds=5.0, has_speech=True)


def ctx(**kw) -> FlowContext:
    base = dict(number="2001", domain="acme.pbx.example", greeting=GreetingChoice("unavailable", "g/unavail.wav"))
    base.update(kw)
    return FlowContext(**base)


def record(flow_ctx=None, *events):
    flow = VoicemailFlow(flow_ctx or ctx())
    actions = flow.run([PromptEnd("greeting"), PromptEnd("beep"), *events])
    return flow, actions


@pytest.mark.parametrize("greetings, reason, expected", [
    (Greetings(unavailable="u.wav", busy="b.wav", temporary="t.wav", temporary_on=True), "busy", ("temporary", "t.wav")),
    (Greetings(unavailable="u.wav", busy="b.wav", temporary="t.wav", temporary_on=False), "busy", ("busy", "b.wav")),
    (Greetings(unavailable="u.wav", busy="b.wav"), "noanswer", ("unavailable", "u.wav")),
    (Greetings(unavailable="u.wav", busy="b.wav"), "unavailable", ("unavailable", "u.wav")),
    (Greetings(unavailable="u.wav", name="n.wav"), "busy", ("system_name", "n.wav")),
    (Greetings(busy="b.wav", name="n.wav"), "noanswer", ("system_name", "n.wav")),
    (Greetings(), "noanswer", ("system_number", None)),
    (Greetings(temporary_on=True), "busy", ("system_number", None)),  # on but never recorded
    # E8: the system greeting chosen in the portal wins over one's own (not over the temporary one)
    (Greetings(unavailable="u.wav", name="n.wav", choice="system"), "noanswer", ("system", None)),
    (Greetings(unavailable="u.wav", name="n.wav", choice="system_number"), "busy", ("system_number", None)),
    (Greetings(unavailable="u.wav", name="n.wav", choice="system_name"), "noanswer", ("system_name", "n.wav")),
    (Greetings(unavailable="u.wav", choice="system_name"), "noanswer", ("unavailable", "u.wav")),  # no name yet
    (Greetings(unavailable="u.wav", choice="custom"), "noanswer", ("unavailable", "u.wav")),
    (Greetings(temporary="t.wav", temporary_on=True, choice="system"), "noanswer", ("temporary", "t.wav")),
])
def test_greeting_choice(greetings, reason, expected):
    choice = choose_greeting(greetings, reason)
    assert (choice.kind, choice.path) == expected
    assert choice.busy == (reason == "busy")


def test_each_greeting_is_played_first():
    recorded = VoicemailFlow(ctx(greeting=GreetingChoice("busy", "b.wav", True))).start()
    assert recorded == [Play((File("b.wav"),), "greeting")]
    named = VoicemailFlow(ctx(greeting=GreetingChoice("system_name", "n.wav", True))).start()
    assert named == [Play(("your-party", File("n.wav"), "is-busy", "leave-message"), "greeting")]
    plain = VoicemailFlow(ctx(greeting=GreetingChoice("system", None, False))).start()
    assert plain == [Play(("party-unavailable", "leave-message"), "greeting")]  # E8: nobody identified
    numbered = VoicemailFlow(ctx(greeting=GreetingChoice("system_number", None, False))).start()
    assert numbered == [Play(("your-party", "extension", "digit-2", "digit-0", "digit-0", "digit-1",
                              "is-unavailable", "leave-message"), "greeting")]


def test_greeting_beep_record_hash_accept():
    flow, actions = record(None, Digit("#"), SPEECH, Digit("1"), PromptEnd("bye"))
    assert actions[:2] == [Play((File("g/unavail.wav"),), "greeting"), Play(("beep",), "beep")]
    assert StartRecording(180) in actions and StartTimer(180, "max") in actions
    i = actions.index(StopRecording())
    assert actions[i + 1] == Play(("review-menu",), "menu")
    assert actions[-3:] == [StoreMessage(False), Play(("message-saved", "goodbye"), "bye"), Hangup()]
    assert flow.done


def test_hash_then_2_listens_then_accepts():
    flow, actions = record(None, Digit("#"), SPEECH, Digit("2"))
    assert actions[-2:] == [StopPlayback(), PlayRecording("listen")]
    assert flow.state.name == "listening"
    more = flow.handle(PromptEnd("listen"))
    assert more == [Play(("review-menu",), "menu")]
    assert StoreMessage(False) in flow.handle(Digit("1"))


def test_hash_then_3_records_again():
    flow, actions = record(None, Digit("#"), SPEECH, Digit("3"))
    assert actions[-3:] == [StopPlayback(), DiscardRecording(), Play(("beep",), "beep")]
    assert flow.state.name == "beep"
    assert flow.handle(PromptEnd("beep"))[0] == StartRecording(180)


def test_hash_then_0_reaches_reception_when_configured():
    flow, actions = record(ctx(reception="2000"), Digit("#"), SPEECH)
    assert actions[-1] == Play(("review-menu", "review-reception"), "menu")
    actions = flow.handle(Digit("0"))
    assert StoreMessage(False) in actions
    assert flow.handle(PromptEnd("transfer")) == [Transfer("2000")]


def test_0_without_reception_is_an_invalid_choice():
    flow, _ = record(None, Digit("#"), SPEECH)
    actions = flow.handle(Digit("0"))
    assert Play(("invalid-choice",), "invalid") in actions and flow.state.name == "review"
    assert not any(isinstance(a, (StoreMessage, Transfer)) for a in actions)


def test_star_during_greeting_goes_to_login():
    flow = VoicemailFlow(ctx())
    flow.start()
    actions = flow.handle(Digit("*"))
    assert actions == [StopPlayback(), EnterLogin("2001", "acme.pbx.example")]
    assert flow.state.name == "login"


def test_hangup_during_recording_stores():
    flow, actions = record(None, HangUp())
    assert actions[-1] == StopRecording()
    assert flow.handle(SPEECH) == [StoreMessage(False)]
    assert flow.done


def test_too_short_is_not_kept_on_hangup():
    flow, _ = record(ctx(min_seconds=2), HangUp())
    assert flow.handle(Recorded(0.8, 1.0, True)) == [DiscardRecording()]


def test_no_speech_is_not_kept():
    flow, _ = record(None, HangUp())
    assert flow.handle(Recorded(0.0, 12.0, False)) == [DiscardRecording()]


def test_too_short_after_hash_records_again():
    flow, _ = record(ctx(min_seconds=2), Digit("#"))
    actions = flow.handle(Recorded(0.5, 0.9, True))
    assert actions == [DiscardRecording(), Play(("too-short",), "too-short-warning"), Play(("beep",), "beep")]


def test_too_long_is_cut_with_a_warning_and_kept():
    flow, actions = record(ctx(max_seconds=180), Timeout("max"))
    assert actions[-1] == StopRecording()
    actions = flow.handle(Recorded(179.0, 180.0, True))
    assert actions == [Play(("too-long",), "too-long-warning"), Play(("review-menu",), "menu")]
    assert flow.handle(Digit("1"))[1] == StoreMessage(True)


def test_full_mailbox_says_so_and_records_nothing():
    flow = VoicemailFlow(ctx(full=True))
    actions = flow.run([PromptEnd("full")])
    assert actions == [Play(("mailbox-full", "goodbye"), "full"), Hangup()]
    assert not any(isinstance(a, StartRecording) for a in actions)


def test_menu_timeouts_keep_the_message():
    flow, _ = record(None, Digit("#"), SPEECH)
    actions = []
    for i in range(3):
        actions += flow.handle(PromptEnd("menu"))
        actions += flow.handle(Timeout(f"menu-{i}"))
    assert StoreMessage(False) in actions and flow.state.name == "goodbye"


def test_hangup_in_review_stores_and_stale_events_are_ignored():
    flow, _ = record(None, Digit("#"), SPEECH)
    assert flow.handle(PromptEnd("greeting")) == []  # stale
    assert flow.handle(Timeout("max")) == []  # the recording timer of before
    assert flow.handle(HangUp()) == [StoreMessage(False)]

