"""D7, 0 = reception, when the caller's side refuses REFER (issue 16): the flow's bridge states,
driven by lists of events (no network). The media app calls the reception and relays the two legs."""
from __future__ import annotations

import pytest

from rtp.flows.events import (
    Bridge,
    BridgeAnswered,
    BridgeEnded,
    BridgeFailed,
    Digit,
    DropBridge,
    HangUp,
    Hangup,
    Play,
    PromptEnd,
    Recorded,
    StartTimer,
    StoreMessage,
    Timeout,
    Transfer,
    TransferAccepted,
    TransferFailed,
)
from rtp.flows.voicemail import BRIDGE_RING_SECONDS, FlowContext, VoicemailFlow
from tenants.voicemail.rules import GreetingChoice

SPEECH = Recorded(speech_seconds=4.0, recorded_seconds=5.0, has_speech=True)
TO_RECEPTION = [PromptEnd("greeting"), PromptEnd("beep"), Digit("#"), SPEECH, Digit("0"), PromptEnd("transfer")]
BRIDGE = [Bridge("2000"), StartTimer(BRIDGE_RING_SECONDS, "bridge")]
UNREACHABLE = Play(("reception-unreachable",), "transfer-failed")


def flow_after(*events, refer: bool = True) -> tuple[VoicemailFlow, list]:
    flow = VoicemailFlow(FlowContext(number="2001", domain="acme.pbx.example", reception="2000", refer=refer,
                                     greeting=GreetingChoice("unavailable", "g/unavail.wav")))
    return flow, flow.run([*TO_RECEPTION, *events])


@pytest.mark.parametrize("status", [403, 405, 420, 489, 501])
def test_a_refused_refer_falls_back_to_the_bridge(status):
    flow, actions = flow_after(TransferFailed(status))
    assert actions[-3:] == [Transfer("2000"), *BRIDGE]
    assert flow.state.name == "bridging" and Hangup() not in actions


def test_a_caller_without_refer_in_allow_is_bridged_at_once():
    flow, actions = flow_after(refer=False)
    assert actions[-2:] == BRIDGE and not any(isinstance(a, Transfer) for a in actions)
    assert sum(isinstance(a, StoreMessage) for a in actions) == 1  # the message is kept before


def test_an_accepted_refer_that_fails_later_is_not_bridged():
    """A NOTIFY sipfrag 403 is the reception's answer, not the caller's side refusing REFER."""
    flow, actions = flow_after(TransferAccepted(), TransferFailed(403))
    assert actions[-1] == UNREACHABLE and not any(isinstance(a, Bridge) for a in actions)


@pytest.mark.parametrize("after", [[TransferFailed(405)], []])
def test_answered_then_either_side_hangs_up_ends_both_legs(after):
    refer = bool(after)
    flow, actions = flow_after(*after, BridgeAnswered(), refer=refer)
    assert flow.state.name == "bridged" and not flow.done
    assert flow.handle(Digit("5")) == [] and flow.handle(Timeout("bridge")) == []  # relayed; timer over
    assert flow.handle(BridgeEnded()) == [Hangup()] and flow.done  # the reception hung up: BYE the caller
    flow, _ = flow_after(*after, BridgeAnswered(), refer=refer)
    assert flow.handle(HangUp()) == [DropBridge()] and flow.done  # the caller hung up: BYE the reception


@pytest.mark.parametrize("end, dropped", [(BridgeFailed(486), False), (Timeout("bridge"), True)])
def test_an_unanswered_bridge_says_so_and_returns_to_the_menu(end, dropped):
    flow, actions = flow_after(end, refer=False)
    assert actions[-1] == UNREACHABLE and (DropBridge() in actions) == dropped
    assert flow.state.name == "transfer-failed"
    more = flow.handle(PromptEnd("transfer-failed"))
    assert flow.state.name == "review" and more
    again = flow.handle(Digit("0")) + flow.handle(PromptEnd("transfer"))
    assert again[-2:] == BRIDGE  # 0 tries again
    assert sum(isinstance(a, StoreMessage) for a in actions + more + again) == 1


def test_the_caller_hanging_up_while_the_reception_rings_cancels_it():
    flow, actions = flow_after(HangUp(), refer=False)
    assert actions[-1] == DropBridge() and flow.done
    assert flow.handle(BridgeFailed(487)) == []  # the CANCEL's 487 comes after: nothing more
