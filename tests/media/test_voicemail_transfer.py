"""D7, 0 = reception, when the transfer fails: the caller's flow driven by lists of events (no network).

A REFER refused (403/405/501: then the bridge, which may fail too), unanswered (timer F) or reported
failed by a NOTIFY sipfrag (RFC 3515) must not cut the caller off: they hear "the reception cannot be reached" and get
the after-recording menu back, with their message stored once.
"""
from __future__ import annotations

import pytest

from rtp.flows.events import (
    BridgeFailed,
    Digit,
    DiscardRecording,
    HangUp,
    Hangup,
    Play,
    PlayRecording,
    PromptEnd,
    Recorded,
    StartTimer,
    StopPlayback,
    StoreMessage,
    Timeout,
    Transfer,
    TransferAccepted,
    TransferFailed,
    TransferProgress,
    TransferSucceeded,
)
from rtp.flows.voicemail import TRANSFER_NOTIFY_SECONDS, TRANSFER_RING_SECONDS, FlowContext, VoicemailFlow
from rtp.sip.message import sipfrag_status
from tenants.voicemail.rules import GreetingChoice

SPEECH = Recorded(speech_seconds=4.0, recorded_seconds=5.0, has_speech=True)
TO_RECEPTION = [PromptEnd("greeting"), PromptEnd("beep"), Digit("#"), SPEECH, Digit("0"), PromptEnd("transfer")]
STORED_MENU = Play(("review-menu-stored", "review-reception"), "menu")


def flow_after(*events) -> tuple[VoicemailFlow, list]:
    """A flow with a reception that went through ``TO_RECEPTION`` then ``events``; all actions."""
    flow = VoicemailFlow(FlowContext(number="2001", domain="acme.pbx.example",
                                     greeting=GreetingChoice("unavailable", "g/unavail.wav"), reception="2000"))
    return flow, flow.run([*TO_RECEPTION, *events])


def stores(actions) -> list:
    return [a for a in actions if isinstance(a, StoreMessage)]


def test_the_refer_goes_out_and_the_caller_stays_until_the_outcome():
    flow, actions = flow_after()
    assert actions[-1] == Transfer("2000")
    assert len(stores(actions)) == 1  # stored before the transfer, as before
    assert flow.state.name == "awaiting-transfer" and not flow.done
    assert Hangup() not in actions


@pytest.mark.parametrize("failure", [
    [TransferFailed(403), BridgeFailed(480)],  # REFER refused, then the bridge's call unanswered
    [TransferFailed(405), BridgeFailed(486)],
    [TransferFailed(501), BridgeFailed(0)],
    [TransferFailed(408)],  # timer F: no answer to the REFER
    [TransferAccepted(), TransferProgress(100), TransferFailed(486)],  # NOTIFY sipfrag: reception busy
    [TransferAccepted(), TransferFailed(404)],  # NOTIFY sipfrag straight after the 202
])
def test_a_failed_transfer_says_so_and_returns_to_the_menu(failure):
    flow, actions = flow_after(*failure)
    assert actions[-1] == Play(("reception-unreachable",), "transfer-failed")
    assert flow.state.name == "transfer-failed" and Hangup() not in actions
    more = flow.handle(PromptEnd("transfer-failed"))
    assert more == [STORED_MENU]  # the menu again, without "record again": the message is kept
    assert flow.state.name == "review" and not flow.done
    assert len(stores(actions + more)) == 1


def test_after_a_failed_transfer_1_ends_without_storing_again():
    flow, actions = flow_after(TransferFailed(408), PromptEnd("transfer-failed"), Digit("1"))
    assert actions[-1] == Play(("message-saved", "goodbye"), "bye")
    assert len(stores(actions)) == 1
    assert flow.handle(PromptEnd("bye")) == [Hangup()] and flow.done


def test_after_a_failed_transfer_2_listens_and_3_is_not_offered():
    flow, actions = flow_after(TransferFailed(408), PromptEnd("transfer-failed"), Digit("2"))
    assert actions[-2:] == [StopPlayback(), PlayRecording("listen")]
    assert flow.handle(PromptEnd("listen")) == [STORED_MENU]
    again = flow.handle(Digit("3"))  # a second recording would be a second message
    assert Play(("invalid-choice",), "invalid") in again
    assert not any(isinstance(a, DiscardRecording) for a in again) and flow.state.name == "review"


def test_a_key_during_the_notice_chooses_at_once():
    flow, actions = flow_after(TransferFailed(408), Digit("1"))
    assert actions[-2:] == [StopPlayback(), Play(("message-saved", "goodbye"), "bye")]
    assert len(stores(actions)) == 1 and flow.state.name == "goodbye"


def test_0_again_after_a_failure_retries_the_transfer_without_storing():
    flow, actions = flow_after(TransferFailed(408), PromptEnd("transfer-failed"), Digit("0"), PromptEnd("transfer"))
    assert actions[-1] == Transfer("2000") and flow.state.name == "awaiting-transfer"
    assert len(stores(actions)) == 1


def test_menu_timeouts_and_hang_up_after_a_failure_store_nothing_more():
    flow, actions = flow_after(TransferFailed(408), PromptEnd("transfer-failed"),
                               PromptEnd("menu"), Timeout("menu-0"), PromptEnd("menu"), Timeout("menu-1"),
                               PromptEnd("menu"), Timeout("menu-2"))
    assert actions[-1] == Play(("message-saved", "goodbye"), "bye") and len(stores(actions)) == 1
    flow, actions = flow_after(TransferFailed(408), PromptEnd("transfer-failed"), HangUp())
    assert flow.done and len(stores(actions)) == 1


def test_202_then_notify_200_hangs_up():
    flow, actions = flow_after(TransferAccepted(202), TransferProgress(100), TransferSucceeded(200))
    assert actions[-3:] == [StartTimer(TRANSFER_NOTIFY_SECONDS, "transfer"),
                            StartTimer(TRANSFER_RING_SECONDS, "transfer"), Hangup()]
    assert flow.done


def test_202_and_no_notify_hangs_up_as_before():
    """Phones that accept the REFER and never NOTIFY (they just call the target) keep today's behaviour."""
    flow, actions = flow_after(TransferAccepted(202), Timeout("transfer"))
    assert actions[-1] == Hangup() and flow.done


def test_a_notify_overtaking_the_202_keeps_the_longer_wait():
    flow, actions = flow_after(TransferProgress(180), TransferAccepted(202))
    assert actions[-1] == StartTimer(TRANSFER_RING_SECONDS, "transfer")  # the 202 adds no shorter timer
    assert not flow.done


def test_the_caller_hanging_up_during_the_transfer_ends_quietly():
    flow, actions = flow_after(TransferAccepted(202), HangUp())
    assert flow.done and Hangup() not in actions and len(stores(actions)) == 1


def test_late_transfer_events_in_the_menu_are_ignored():
    flow, _ = flow_after(TransferFailed(408), PromptEnd("transfer-failed"))
    assert flow.handle(TransferAccepted(202)) == [] and flow.handle(Timeout("transfer")) == []
    assert flow.state.name == "review"


@pytest.mark.parametrize("body, status", [
    (b"SIP/2.0 100 Trying\r\n", 100),
    (b"SIP/2.0 200 OK\r\n", 200),
    (b"SIP/2.0 403 Forbidden", 403),
    (b"SIP/2.0 603 Declined\r\nContent-Length: 0\r\n\r\n", 603),
    (b"", None),
    (b"INVITE sip:2000@x SIP/2.0\r\n", None),
    (b"SIP/2.0 99 Odd\r\n", None),
])
def test_sipfrag_status(body, status):
    assert sipfrag_status(body) == status
