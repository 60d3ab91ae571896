"""Issue 13 / 12: every wait for the domain has a timeout, and every failure an apology and the
way back to the menu the caller was in (events only, no network: tests/mailbox/driver.py).

Each case drives a call to the moment the flow asks the domain for something; the store then
either fails the work (the media app answers ``ActionFailed``) or never answers (the flow's
own timer ends the wait). Either way the caller hears "Désolé, une erreur est survenue." and
the menu they were in, never silence."""
from __future__ import annotations

import pytest

from rtp.flows import events as ev
from rtp.flows.mailbox import ANSWER_WAIT_SECONDS
from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox.flow import MailboxContext
from rtp.prompts.phrases import render_text
from tenants.voicemail.rules import Greetings
from tests.mailbox.driver import Phone, Store, info, logged_in

SORRY = "Désolé, une erreur est survenue."
FIRST_ACCESS = dict(pin_must_change=True, setup_done=False, greetings=Greetings())


def star_98(store: Store) -> Phone:
    return Phone(None, own_phone=False, lookup=info(), store=store).start()


def star_97_known_number(store: Store) -> Phone:
    """Not started: starting it is what asks for the mailbox."""
    phone = Phone(None, own_phone=True, lookup=info(), store=store)
    phone.flow.ctx = MailboxContext("acme.pbx.example", number="2001")
    return phone


def at_the_pin(store: Store, **kw) -> Phone:
    return Phone(info(**kw), store=store).start()


def listening(store: Store) -> Phone:
    return logged_in(store).keys("1").end_prompt()  # the message played: the menu after it


def recorded(store: Store, keys: str) -> Phone:
    """From the main menu, ``keys`` lead to a recording; it is recorded and its review is said."""
    phone = logged_in(store).keys(keys).end_prompt().keys("#")
    assert phone.state == "greeting-review", phone.heard()
    return phone


def first_access_name_recorded(store: Store) -> Phone:
    phone = at_the_pin(store, **{**FIRST_ACCESS, "pin_must_change": False}).keys("1234#").end_prompt().keys("#")
    assert phone.state == "greeting-review" and phone.flow.state.kind == "name", phone.heard()
    return phone


def press(keys: str):
    return lambda phone: phone.keys(keys)


# what fails: (its action, how the call gets there, what then asks for it, where the caller is taken back,
# the start of the menu's prompt after the apology)
CASES = {
    "*98 mailbox lookup": (mb.LookupMailbox, star_98, press("2001#"), "ask-mailbox",
                           "Entrez le numéro de votre boîte vocale, puis appuyez sur dièse."),
    "*97 mailbox lookup": (mb.LookupMailbox, star_97_known_number, Phone.start, "goodbye", "Au revoir."),
    "PIN check": (mb.CheckPin, at_the_pin, press("1234#"), "pin", "Entrez votre code secret, puis appuyez sur dièse."),
    "opening the mailbox": (mb.LoadMessages, at_the_pin, press("1234#"), "pin",
                            "Entrez votre code secret, puis appuyez sur dièse."),
    "opening a folder": (mb.LoadMessages, logged_in, press("23"), "choose-folder",
                         "Pour les nouveaux messages, appuyez sur 0."),
    "new PIN from the options": (mb.ChangePin, logged_in, press("054711#1"), "options",
                                 "Pour enregistrer votre message de non disponibilité, appuyez sur 1."),
    "new PIN at first access": (mb.ChangePin, lambda store: at_the_pin(store, **FIRST_ACCESS).keys("1234#"),
                                press("4711#1"), "new-pin",
                                "Bienvenue. Vous devez d'abord choisir un nouveau code secret."),
    "greeting from the options": (mb.SaveGreeting, lambda store: recorded(store, "01"), press("1"), "options",
                                  "Pour enregistrer votre message de non disponibilité, appuyez sur 1."),
    "name at first access": (mb.SaveGreeting, first_access_name_recorded, press("1"), "record-greeting",
                             "Enregistrez votre nom après le bip, puis appuyez sur dièse."),
    "forwarding a message": (mb.ForwardMessage, listening, press("82002#"), "message-menu",
                             "Pour le message précédent, appuyez sur 4."),
    "sending a recording": (mb.SendRecording, lambda store: recorded(store, "352002#"), press("1"), "main",
                            "Pour écouter vos messages, appuyez sur 1."),
}


def driven(case: str, mode: str) -> Phone:
    """The call of ``case`` up to its domain action, which then fails (``fails``) or is never
    answered (``no answer``: the flow's timer runs out)."""
    action, reach, ask, _state, _said = CASES[case]
    store = Store()
    phone = reach(store).mark_now()
    if mode == "fails":
        store.failing = (action,)
        ask(phone)
    else:
        store.unanswered = (action,)
        ask(phone)
        assert phone.flow.state.busy and phone.did(action), f"{phone.state} should be waiting for {action.__name__}"
        assert phone.did(ev.StartTimer)[-1] == ev.StartTimer(ANSWER_WAIT_SECONDS, phone.flow.state.tag)
        phone.time_out()
    return phone


@pytest.mark.parametrize("mode", ["fails", "no answer"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_failed_or_unanswered_action_apologises_and_returns_to_the_menu(case, mode):
    phone = driven(case, mode)
    _action, _reach, _ask, state, said = CASES[case]
    assert phone.state == state
    last = phone.plays()[-1]
    assert last.items[0] == "action-failed"  # one prompt: the apology, then the menu's own
    assert render_text(list(last.items)).startswith(f"{SORRY} {said}")
    assert phone.heard().count(SORRY) == 1


def test_a_failed_pin_check_counts_nothing_and_the_next_try_gets_in():
    store = Store(failing=(mb.CheckPin,))
    phone = at_the_pin(store).keys("1234#")
    assert phone.state == "pin" and store.state.failed_attempts == 0
    store.failing = ()
    phone.keys("1234#")
    assert phone.state == "main"


def test_the_goodbye_after_a_failure_before_the_login_hangs_up():
    phone = driven("*97 mailbox lookup", "fails")
    assert phone.heard() == f"{SORRY} Au revoir."
    phone.end_prompt()
    assert phone.flow.done and phone.actions[-1] == ev.Hangup()


def test_skip_pin_has_no_login_to_go_back_to_so_a_failed_opening_says_goodbye():
    phone = Phone(info(skip_pin=True), own_phone=True, store=Store(failing=(mb.LoadMessages,))).start()
    assert phone.state == "goodbye" and phone.heard() == f"{SORRY} Au revoir."


def test_an_answer_that_comes_after_the_timeout_is_not_taken_for_a_later_question():
    phone = at_the_pin(Store(unanswered=(mb.CheckPin,))).keys("1111#").time_out()
    assert phone.state == "pin"
    late = mb.PinChecked("accepted", request=mb.CheckPin(7, "1111"))
    phone.send(late)
    assert phone.state == "pin"  # nobody waits for it any more: dropped
    phone.keys("2222#")
    assert phone.state == "checking-pin"
    phone.send(late)
    assert phone.state == "checking-pin"  # the answer to another question
    phone.mark_now().send(mb.PinChecked("wrong", request=mb.CheckPin(7, "2222")))
    assert phone.state == "pin" and phone.heard().startswith("Code secret erroné.")


def test_a_failed_change_not_waited_for_is_said_in_the_menu_at_once():
    store = Store(failing=(mb.SetTemporary,))
    phone = logged_in(store, greetings=Greetings(unavailable="g/u.wav", temporary="g/t.wav", temporary_on=True))
    phone.keys("042")  # options, temporary greeting, off: said off, then the change fails
    assert phone.state == "options" and phone.did(mb.SetTemporary)
    assert phone.actions[-2:] == [ev.StopPlayback(), phone.plays()[-1]]
    assert phone.plays()[-1].items[:2] == ("action-failed", "menu-record-unavailable")


def test_a_failure_during_a_message_is_said_after_it_not_over_it():
    store = Store(failing=(mb.MoveMessage,))  # a new message heard is moved to Old: that fails
    phone = logged_in(store).keys("1")
    assert phone.state == "message" and phone.did(mb.MoveMessage)
    assert phone.did(ev.StopPlayback) == [ev.StopPlayback()]  # the key's only: the message plays on
    assert not any("action-failed" in play.items for play in phone.plays())
    phone.mark_now().end_prompt()
    assert phone.state == "message-menu" and phone.heard().startswith(SORRY + " Pour le message précédent")


def test_a_failure_while_waiting_for_another_answer_is_said_with_what_comes_next():
    store = Store(failing=(mb.FinishSetup,))  # the last first-access step done: FinishSetup, then New's messages
    phone = at_the_pin(store, **{**FIRST_ACCESS, "pin_must_change": False, "greetings": Greetings(name="n.wav")})
    phone.keys("1234#").end_prompt().keys("#").mark_now().keys("1")
    assert phone.state == "main" and phone.did(mb.FinishSetup)
    assert phone.heard().startswith(SORRY + " Vous avez un nouveau message")


def test_a_stale_timer_does_not_end_a_wait():
    phone = at_the_pin(Store(unanswered=(mb.CheckPin,))).end_prompt().keys("1234#")
    waiting = phone.flow.state
    assert waiting.name == "checking-pin"
    pin_timer = phone.did(ev.StartTimer)[0]  # the PIN prompt's own, started before the PIN was typed
    phone.send(ev.Timeout(pin_timer.tag))
    assert phone.flow.state is waiting
