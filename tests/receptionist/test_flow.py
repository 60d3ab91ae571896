"""The receptionist's call flow driven by lists of events, no network (H1, D13, A6, D2)."""
from __future__ import annotations

from dataclasses import replace

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
    Timeout,
)
from rtp.flows.receptionist import MENU_REPEATS, ReceptionistFlow
from tenants.receptionist import rules
from tenants.receptionist.service import CallSetup, Greeting

SETUP = CallSetup(
    domain="acme.pbx.example", language="fr", greeting=Greeting(rules.OPEN), keys={"1": ("2005",), "3": ("2001", "2002")},
    operator="2000", extensions=frozenset({"2000", "2001", "2002", "2005"}),
    people=(rules.Person("2001", "Jean Dupont", "names/2001.wav"), rules.Person("2002", "Émilie Moreau")),
    voicemail_access=True, mailboxes=frozenset({"2001", "2002"}))


def keys(text: str) -> list:
    return [Digit(k) for k in text]


def run(events: list, setup: CallSetup = SETUP) -> tuple[ReceptionistFlow, list]:
    flow = ReceptionistFlow(setup)
    return flow, flow.run(events)


def connects(actions: list) -> list[Connect]:
    return [a for a in actions if isinstance(a, Connect)]


def plays(actions: list) -> list[tuple]:
    return [a.items for a in actions if isinstance(a, Play)]


def test_the_greeting_of_the_time_then_the_menu():
    _flow, actions = run([])
    assert plays(actions) == [("receptionist-open", "receptionist-menu", "receptionist-operator",
                               "receptionist-mailbox")]
    closed = replace(SETUP, greeting=Greeting(rules.CLOSED, None, "Nous sommes fermés."), voicemail_access=False)
    assert plays(run([], closed)[1]) == [(Speech("Nous sommes fermés."), "receptionist-menu", "receptionist-operator")]
    recorded = replace(SETUP, greeting=Greeting(rules.OPEN, "receptionist/acme/open.wav"))
    assert plays(run([], recorded)[1]) == [(File("receptionist/acme/open.wav"),)]


def test_an_extension_dialled_directly_is_put_through():
    flow, actions = run([*keys("2001"), PromptEnd("connecting")])
    assert connects(actions) == [Connect(("2001",), "extension")] and flow.done


def test_an_unknown_extension_is_said_and_the_menu_comes_back():
    flow, actions = run(keys("2999"))
    assert ("receptionist-unknown",) in plays(actions) and not connects(actions) and flow.state.name == "menu"


def test_a_mapped_key_rings_its_extensions_once_nobody_types_more():
    _flow, actions = run([Digit("1"), PromptEnd("connecting")])
    assert connects(actions) == [Connect(("2005",), "key 1")]
    # 2 starts the extensions: a key 2 alone would wait; 3 does not, and rings its group at once
    _flow, actions = run([Digit("3"), PromptEnd("connecting")])
    assert connects(actions) == [Connect(("2001", "2002"), "key 3")]


def test_a_digit_that_starts_an_extension_and_is_mapped_waits_for_a_pause():
    setup = replace(SETUP, keys={"2": ("2005",)})
    _flow, actions = run([Digit("2"), Timeout("digit-1"), PromptEnd("connecting")], setup)
    assert connects(actions) == [Connect(("2005",), "key 2")]


def test_zero_is_the_operator():
    _flow, actions = run([Digit("0"), PromptEnd("connecting")])
    assert connects(actions) == [Connect(("2000",), "operator")]


def test_star_extension_then_the_mailbox_login_answered():
    flow, actions = run([Digit("*"), *keys("2001")])
    assert actions[-2:] == [AnswerCall(), EnterLogin("2001", "acme.pbx.example")] and flow.done


def test_star_does_nothing_when_the_admin_turned_it_off():
    flow, actions = run([Digit("*")], replace(SETUP, voicemail_access=False))
    assert flow.state.name == "menu" and len(actions) == 1  # the greeting only


def test_dial_by_name_announces_the_recorded_name_and_1_connects():
    flow, actions = run([Digit("#"), *keys("387"), Digit("#")])
    assert plays(actions)[-1] == (File("names/2001.wav"), "extension", "digit-2", "digit-0", "digit-0", "digit-1",
                                  "name-choose")
    actions = flow.handle(Digit("1")) + flow.handle(PromptEnd("connecting"))
    assert connects(actions) == [Connect(("2001",), "name")]


def test_dial_by_name_folds_accents_and_speaks_unrecorded_names():
    _flow, actions = run([Digit("#"), *keys("364"), Timeout("name-3")])
    assert plays(actions)[-1][0] == Speech("Émilie Moreau")


def test_nobody_matches():
    flow, actions = run([Digit("#"), *keys("999"), Digit("#")])
    assert ("name-none",) in plays(actions) and flow.state.name == "menu"


def menu_unanswered(times: int) -> list:
    events = []
    for n in range(times):
        events += [PromptEnd(f"menu-{n}"), Timeout(f"menu-{n}")]
    return events


def test_three_unanswered_menus_go_to_the_operator():
    _flow, actions = run([*menu_unanswered(MENU_REPEATS), PromptEnd("connecting")])
    assert connects(actions) == [Connect(("2000",), "operator (no choice)")]
    assert sum(1 for a in actions if isinstance(a, StartTimer) and a.tag.startswith("menu-")) == MENU_REPEATS


def test_or_a_polite_goodbye_without_an_operator():
    flow, actions = run([*menu_unanswered(MENU_REPEATS), PromptEnd("bye")], replace(SETUP, operator=None))
    assert ("receptionist-goodbye",) in plays(actions) and actions[-1] == Hangup() and flow.done
    assert not connects(actions)


def test_wrong_keys_count_as_tries():
    _flow, actions = run([Digit("9"), Digit("9"), Digit("9"), PromptEnd("connecting")])
    assert connects(actions) == [Connect(("2000",), "operator (no choice)")]


def test_a_hang_up_ends_it_anywhere():
    for events in ([], keys("20"), [Digit("#"), Digit("3")], [Digit("*")]):
        flow, _actions = run([*events, HangUp()])
        assert flow.done


def test_back_from_an_extension_nobody_answered_the_caller_hears_why_then_the_menu():
    flow = ReceptionistFlow(SETUP, back="busy")
    assert plays(flow.start()) == [("your-party", "is-busy", "receptionist-menu", "receptionist-operator",
                                    "receptionist-mailbox")]
    assert plays(ReceptionistFlow(SETUP, back="noanswer").start())[0][:2] == ("your-party", "is-unavailable")
    actions = flow.handle(Digit("0")) + flow.handle(PromptEnd("connecting"))
    assert connects(actions) == [Connect(("2000",), "operator")]
