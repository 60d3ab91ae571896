"""The mailbox by phone (issue 7) driven as events: every menu path of seed 003, PIN, first access."""
from __future__ import annotations

import datetime as dt

import pytest

from rtp.flows.events import (
    DiscardRecording,
    File,
    Hangup,
    Play,
    PlayRecording,
    Recorded,
    StartRecording,
    StopPlayback,
)
from rtp.flows.mailbox import MENU_REPEATS
from rtp.flows.mailbox import events as mb
from rtp.prompts.texts import FIXED, segment_text
from tenants.pin_rules import PinState
from tenants.voicemail.rules import Capacity, Greetings
from tests.mailbox.driver import Phone, Store, info, logged_in, message


# ------------------------------------------------------------------ login (D1, D2, D4)
def test_star_97_asks_the_pin_then_announces_the_count_and_the_main_menu():
    phone = Phone(info()).start()
    assert phone.heard() == "Entrez votre code secret, puis appuyez sur dièse."
    phone.mark_now().keys("1234#")
    heard = phone.heard()
    assert heard.startswith("Vous avez un nouveau message Pour écouter vos messages, appuyez sur 1.")
    assert "Pour les options de la boîte vocale, appuyez sur 0." in heard and "Pour quitter, appuyez sur dièse." in heard


def test_count_agreement_two_new_and_one_old():
    store = Store(messages=[message(1), message(2), message(3, "old")])
    phone = Phone(info(new=2, old=1), store=store).start().keys("1234#")
    assert "Vous avez deux nouveaux messages et un ancien message" in phone.heard()


def test_skip_pin_from_ones_own_phone_only():
    own = Phone(info(skip_pin=True), own_phone=True).start()
    assert own.state == "main" and not own.did(mb.CheckPin)
    other = Phone(info(skip_pin=True), own_phone=False).start()
    assert other.state == "pin"


def test_star_98_asks_the_mailbox_then_the_pin():
    phone = Phone(None, own_phone=False, lookup=info()).start()
    assert phone.heard() == "Entrez le numéro de votre boîte vocale, puis appuyez sur dièse."
    phone.mark_now().keys("2001#")
    assert phone.did(mb.LookupMailbox) == [mb.LookupMailbox("2001")] and phone.state == "pin"
    phone.keys("1234#")
    assert phone.state == "main"


def test_star_98_unknown_mailbox_three_times_then_goodbye():
    phone = Phone(None, own_phone=False, lookup=info()).start()
    phone.keys("2999#").keys("2998#")
    assert "Ce numéro de boîte vocale n'est pas valide." in phone.heard()
    phone.keys("2997#")
    assert phone.state == "goodbye"
    phone.end_prompt()
    assert phone.flow.done and phone.actions[-1] == Hangup()


def test_three_wrong_pins_lock_the_mailbox():
    store = Store()
    phone = Phone(info(), store=store).start()
    phone.keys("1111#")
    assert "Code secret erroné." in phone.heard() and phone.state == "pin"
    phone.keys("2222#").mark_now().keys("3333#")
    assert store.state.locked and phone.state == "goodbye"
    assert phone.heard().startswith("Votre boîte vocale est verrouillée")
    phone.end_prompt()
    assert phone.actions[-1] == Hangup()
    # the next call: even the right PIN is refused until an admin unlocks
    again = Phone(info(), store=store).start().mark_now().keys("1234#")
    assert again.state == "goodbye" and "verrouillée" in again.heard()


def test_a_good_pin_resets_the_count():
    store = Store()
    Phone(info(), store=store).start().keys("1111#").keys("2222#").keys("1234#")
    assert store.state.failed_attempts == 0
    phone = Phone(info(), store=store).start().keys("1111#").keys("2222#")
    assert not store.state.locked and phone.state == "pin"


def test_star_clears_the_digits_typed_so_far():
    phone = Phone(info()).start().keys("99*1234#")
    assert phone.did(mb.CheckPin) == [mb.CheckPin(7, "1234")]


def test_a_pause_ends_the_pin_like_pound():
    phone = Phone(info()).start().keys("1234").time_out()
    assert phone.state == "main"


# ------------------------------------------------------------------ issue 11: saying nothing is not a wrong PIN
def star_98(store: Store) -> Phone:
    """*98 from another phone, mailbox 2001 typed: now at the PIN prompt."""
    phone = Phone(None, own_phone=False, lookup=info(), store=store).start().keys("2001#")
    assert phone.state == "pin"
    return phone.mark_now()


def checked_pins(phone: Phone) -> list:
    return [a for a in phone.actions if isinstance(a, mb.CheckPin)]


def test_silence_at_the_pin_prompt_is_said_then_hung_up_without_counting():
    store = Store()
    phone = star_98(store)
    for _ in range(MENU_REPEATS - 1):
        phone.end_prompt().time_out()  # the prompt played, then nothing typed until the timer ran out
        assert phone.state == "pin"
        assert phone.heard() == "Vous n'avez rien composé. Entrez votre code secret, puis appuyez sur dièse."
        phone.mark_now()
    phone.end_prompt().time_out()
    assert phone.state == "goodbye" and phone.heard() == "Vous n'avez rien composé. Au revoir."
    phone.end_prompt()
    assert phone.flow.done and phone.actions[-1] == Hangup()
    assert checked_pins(phone) == []  # nothing was tried, so nothing can count toward the lock
    assert store.state == PinState(0, False)


def test_pound_alone_is_nothing_entered_too():
    store = Store()
    phone = star_98(store).keys("#")
    assert phone.state == "pin" and phone.heard().startswith("Vous n'avez rien composé.")
    phone.keys("#").keys("#")
    assert phone.state == "goodbye" and checked_pins(phone) == [] and not store.state.locked


def test_wrong_pins_typed_still_lock_and_silences_between_them_count_nothing():
    store = Store()
    phone = star_98(store).keys("1111#")
    phone.end_prompt().time_out()  # nothing this time
    assert phone.state == "pin" and store.state == PinState(1, False)
    phone.keys("2222#").end_prompt().time_out().end_prompt().time_out()  # twice nothing
    assert phone.state == "pin" and store.state == PinState(2, False)
    phone.mark_now().keys("3333#")
    assert store.state.locked and phone.state == "goodbye" and "verrouillée" in phone.heard()
    assert [c.pin for c in checked_pins(phone)] == ["1111", "2222", "3333"]


def test_nothing_typed_for_the_mailbox_number_is_said_as_such():
    phone = Phone(None, own_phone=False, lookup=info()).start().mark_now()
    phone.end_prompt().time_out()
    assert phone.state == "ask-mailbox"
    assert phone.heard() == "Vous n'avez rien composé. Entrez le numéro de votre boîte vocale, puis appuyez sur dièse."


def test_a_partly_typed_pin_ended_by_the_pause_is_a_pin_entered():
    store = Store()
    star_98(store).keys("12").time_out()
    assert store.state == PinState(1, False)


# ------------------------------------------------------------------ first access (D3) and PIN change (002)
def test_first_access_forces_the_pin_then_the_name_then_the_greeting():
    store = Store()
    phone = Phone(info(pin_must_change=True, setup_done=False, greetings=Greetings()), store=store).start()
    phone.mark_now().keys("1234#")
    assert phone.state == "new-pin"
    assert phone.heard().startswith("Bienvenue. Vous devez d'abord choisir un nouveau code secret.")
    # menu keys are PIN digits here: nothing else is reachable before the PIN is changed
    phone.keys("0#")
    assert phone.state == "new-pin" and "au moins quatre chiffres" in phone.heard()
    phone.mark_now().keys("4711#")
    assert phone.heard().startswith("Vous avez composé le quatre sept un un Si ce code secret vous convient, "
                                    "appuyez sur 1.")
    phone.mark_now().keys("1")
    assert store.pin == "4711"
    assert phone.heard().startswith("Votre demande est prise en compte.")
    assert "Enregistrez votre nom après le bip" in phone.heard() and phone.state == "record-greeting"
    phone.end_prompt()
    assert phone.did(StartRecording)
    phone.mark_now().keys("#")  # stop; the media app answers Recorded
    assert phone.state == "greeting-review"
    phone.keys("1")
    assert store.greetings.name == "voicemail/g-name.wav"
    assert "Enregistrez votre message de non disponibilité" in phone.heard()
    phone.end_prompt().keys("#").mark_now().keys("1")
    assert store.greetings.unavailable and store.setup_done
    assert phone.state == "main" and "Vous avez un nouveau message" in phone.heard()
    assert phone.flow.info.pin_must_change is False


def test_a_default_pin_set_by_the_admin_is_changed_again_even_after_setup():
    phone = Phone(info(pin_must_change=True)).start().keys("1234#")
    assert phone.state == "new-pin"
    phone.keys("5678#1")
    assert phone.state == "main"


def test_retyping_the_new_pin_with_2():
    store = Store()
    phone = logged_in(store).keys("05")
    assert phone.state == "new-pin"
    phone.keys("4711#").keys("2")
    assert phone.state == "new-pin" and store.pin == "1234"
    phone.keys("8642#").mark_now().keys("1")
    assert store.pin == "8642" and phone.state == "options" and "Votre code secret a été modifié" in phone.heard()


def test_hanging_up_during_first_access_records_nothing_and_the_setup_is_asked_again():
    store = Store()
    phone = Phone(info(setup_done=False, greetings=Greetings()), store=store).start().keys("1234#")
    assert phone.state == "record-greeting"
    phone.end_prompt().hang_up()  # the fake media app answers StopRecording with a Recorded at once
    assert phone.flow.done and phone.actions[-1] == DiscardRecording() and not store.setup_done
    assert Phone(info(setup_done=False, greetings=Greetings()), store=store).start().keys("1234#").state == \
        "record-greeting"


# ------------------------------------------------------------------ main menu (seed 003)
def test_main_hash_exits():
    phone = logged_in().keys("#")
    assert phone.state == "goodbye" and phone.heard().endswith("Au revoir.")
    phone.end_prompt()
    assert phone.actions[-1] == Hangup()


def test_main_star_is_help():
    phone = logged_in().keys("*")
    assert phone.state == "main" and "étoile pour reculer" in phone.heard()


def test_main_invalid_key_says_so_and_stays():
    phone = logged_in().keys("9")
    assert phone.state == "main" and phone.heard().startswith("Choix non valide.")


def test_main_menu_repeats_then_goodbye_when_nobody_answers():
    phone = logged_in()
    for _ in range(MENU_REPEATS - 1):
        phone.end_prompt().time_out()
        assert phone.state == "main"
    phone.end_prompt().time_out()
    assert phone.state == "goodbye"


def test_listen_plays_envelope_then_message_and_marks_it_heard():
    store = Store()
    phone = logged_in(store).keys("1")
    heard = phone.heard()
    assert heard.startswith("message un reçu le trois mars à quatorze heures cinq de zéro six un deux")
    assert heard.endswith("[voicemail/m1.wav]")
    assert phone.did(mb.MoveMessage) == [mb.MoveMessage(7, 1, "old")]  # heard: New -> Old (MWI follows)
    assert store.messages[0].folder == "old"


@pytest.mark.parametrize("mode, envelope, audio", [("both", True, True), ("envelope", True, False),
                                                    ("message", False, True)])
def test_envelope_settings(mode, envelope, audio):
    phone = logged_in(envelope=mode).keys("1")
    heard = phone.heard()
    assert ("reçu le" in heard) is envelope
    assert ("[voicemail/m1.wav]" in heard) is audio
    phone.end_prompt()
    assert phone.state == "message-menu"


def test_envelope_of_a_hidden_number_and_the_first_of_the_month_at_one():
    store = Store(messages=[message(1, caller="", when=dt.datetime(2026, 5, 1, 1, 0))])
    heard = logged_in(store).keys("1").heard()
    assert "reçu le premier mai à une heure de numéro masqué" in heard


def test_playback_star_rewinds_and_pound_skips_ahead():
    phone = logged_in().keys("1").keys("*#")
    assert phone.did(mb.Seek) == [mb.Seek(-3.0), mb.Seek(3.0)] and phone.state == "message"


def test_after_a_message_keys_4_5_6():
    store = Store(messages=[message(1), message(2)])
    phone = logged_in(store, new=2).keys("1")
    phone.end_prompt().end_prompt()  # envelope, message
    assert phone.state == "message-menu"
    assert "Pour supprimer ce message, appuyez sur 7." in phone.heard()
    phone.mark_now().keys("4")
    assert "Il n'y a pas de message précédent." in phone.heard()
    phone.mark_now().keys("5")
    assert "[voicemail/m1.wav]" in phone.heard()
    phone.mark_now().keys("6")
    assert "message deux" in phone.heard() and "[voicemail/m2.wav]" in phone.heard()
    phone.mark_now().keys("4")
    assert "[voicemail/m1.wav]" in phone.heard()
    phone.keys("6").mark_now().keys("6")
    assert phone.state == "main" and "Il n'y a plus de message." in phone.heard()


def test_a_key_during_playback_stops_it_and_acts():
    store = Store(messages=[message(1), message(2)])
    phone = logged_in(store, new=2).keys("1").mark_now().keys("6")
    assert phone.did(StopPlayback) and "[voicemail/m2.wav]" in phone.heard()


def test_7_deletes_and_goes_on_to_the_next_message():
    store = Store(messages=[message(1), message(2)])
    phone = logged_in(store, new=2).keys("1").mark_now().keys("7")
    assert mb.MoveMessage(7, 1, "deleted") in phone.did(mb.MoveMessage)
    assert phone.heard().startswith("Message supprimé. message un")  # the one that is now first
    assert "[voicemail/m2.wav]" in phone.heard()
    phone.mark_now().keys("7")
    assert phone.state == "main" and "Il n'y a plus de message." in phone.heard()
    assert [m.folder for m in store.messages] == ["deleted", "deleted"]
    phone.mark_now().keys("1")
    assert "Vous n'avez aucun message dans ce dossier." in phone.heard()


def test_8_forwards_to_another_mailbox():
    store = Store()
    phone = logged_in(store).keys("1").keys("8")
    assert phone.state == "ask-number"
    phone.mark_now().keys("2002#")
    assert store.sent == [mb.ForwardMessage(7, 1, "2002")] and "Votre message a été envoyé." in phone.heard()
    phone.mark_now().keys("8").keys("2999#")
    assert "n'est pas valide" in phone.heard() and phone.state == "message-menu"


def test_9_saves_to_a_folder():
    store = Store()
    phone = logged_in(store).keys("1").mark_now().keys("9")
    heard = phone.heard()
    assert "Pour le dossier Travail, appuyez sur 2." in heard and "Pour annuler, appuyez sur dièse." in heard
    phone.mark_now().keys("2")
    assert store.messages[0].folder == "work" and "Message classé dans le dossier Travail" in phone.heard()
    assert phone.state == "message-menu"
    phone.keys("9").keys("#")
    assert phone.state == "message-menu" and store.messages[0].folder == "work"


def test_message_menu_hash_returns_to_main():
    assert logged_in().keys("1").keys("#").state == "message"  # during playback: skip ahead
    phone = logged_in().keys("1").end_prompt().end_prompt().keys("#")
    assert phone.state == "main"


def test_2_changes_folder():
    store = Store(messages=[message(1), message(2, "family"), message(3, "family")])
    phone = logged_in(store).keys("2")
    assert "Pour les anciens messages, appuyez sur 1." in phone.heard()
    phone.mark_now().keys("3")
    assert phone.heard().startswith("Famille deux messages")
    phone.mark_now().keys("1")
    assert "[voicemail/m2.wav]" in phone.heard()
    assert not phone.did(mb.MoveMessage)  # only New becomes Old when heard
    phone.keys("#").keys("2").keys("#")
    assert phone.state == "main"


def test_3_advanced_5_sends_a_recorded_message():
    store = Store()
    phone = logged_in(store).keys("3")
    assert phone.heard().startswith("Pour envoyer un message vocal, appuyez sur 5.")
    phone.keys("5").keys("2002#")
    assert phone.state == "record-greeting"
    phone.end_prompt().keys("#").keys("1")
    assert store.sent == [mb.SendRecording(7, "2002")]
    assert phone.state == "main" and not phone.did(mb.SaveGreeting)
    assert logged_in().keys("3").keys("*").state == "main"


@pytest.mark.parametrize("key, kind", [("1", "unavailable"), ("2", "busy"), ("3", "name")])
def test_0_options_records_greetings(key, kind):
    store = Store()
    phone = logged_in(store).keys("0").keys(key)
    assert phone.state == "record-greeting" and phone.plays()[-1].items[-1] == "beep"
    phone.end_prompt()
    assert phone.did(StartRecording) == [StartRecording(120)]
    phone.keys("#")
    assert phone.state == "greeting-review"
    phone.keys("2")  # listen again
    assert phone.did(PlayRecording)
    phone.end_prompt().keys("3")  # record again: the old take is discarded
    assert phone.did(DiscardRecording) and phone.state == "record-greeting"
    assert getattr(store.greetings, kind) is None  # nothing replaced before 1
    phone.end_prompt().keys("#").mark_now().keys("1")
    assert phone.did(mb.SaveGreeting) == [mb.SaveGreeting(7, kind)]
    assert getattr(store.greetings, kind) == f"voicemail/g-{kind}.wav"
    assert phone.state == "options" and phone.heard().startswith("Votre enregistrement a été accepté.")


def test_a_silent_greeting_is_not_kept():
    store = Store(recording=Recorded(0.0, 3.0, False))
    phone = logged_in(store).keys("01").end_prompt().mark_now().keys("#")
    assert phone.did(DiscardRecording) and phone.state == "record-greeting"
    assert "trop court" in phone.heard()


def test_temporary_greeting_is_on_once_recorded():
    store = Store()
    phone = logged_in(store).keys("04")
    assert "Pour enregistrer votre message temporaire, appuyez sur 1." in phone.heard()
    phone.keys("1").end_prompt().keys("#").keys("1")
    assert store.greetings.temporary and phone.flow.info.greetings.temporary_on


def test_temporary_off_refused_without_an_unavailable_greeting():
    store = Store()
    phone = logged_in(store, greetings=Greetings(temporary="g/t.wav", temporary_on=True)).keys("042")
    assert "Vous devez d'abord enregistrer un message de non disponibilité" in phone.heard()
    assert not phone.did(mb.SetTemporary) and phone.state == "temporary"


def test_temporary_off_once_an_unavailable_greeting_exists():
    store = Store()
    phone = logged_in(store, greetings=Greetings(unavailable="g/u.wav", temporary="g/t.wav",
                                                 temporary_on=True)).keys("042")
    assert phone.did(mb.SetTemporary) == [mb.SetTemporary(7, False)] and store.temporary_on is False
    assert "Votre message temporaire est désactivé." in phone.heard() and phone.state == "options"


def test_options_star_returns_to_main():
    assert logged_in().keys("0*").state == "main"


# ------------------------------------------------------------------ seed 000's layout
def test_ooma_layout_main_5_then_greeting_name_pin():
    phone = logged_in(layout="ooma")
    assert "Pour les options de la boîte vocale, appuyez sur 5." in phone.heard(since_mark=False)
    phone.keys("5")
    heard = phone.heard()
    assert "Pour enregistrer votre message de non disponibilité, appuyez sur 1." in heard
    assert "Pour enregistrer votre nom, appuyez sur 2." in heard and "Pour changer votre code secret, appuyez sur 3." in heard
    assert phone.keys("2").flow.state.kind == "name"
    assert logged_in(layout="ooma").keys("53").state == "new-pin"
    assert logged_in(layout="ooma").keys("0").heard().startswith("Choix non valide.")


# ------------------------------------------------------------------ D12: warned before the mailbox is full
NEARLY = ("Attention, votre boîte vocale est presque pleine. Elle contient quatre-vingt-douze messages sur cent "
          "Supprimez des messages pour libérer de l'espace.")
FULL = ("Attention, votre boîte vocale est pleine. Vos correspondants ne peuvent plus vous laisser de message. "
        "Supprimez des messages pour libérer de l'espace.")


def test_a_nearly_full_mailbox_is_announced_after_the_pin_before_the_counts():
    phone = Phone(info(capacity=Capacity(92, 100))).start()
    phone.mark_now().keys("1234#")
    assert phone.state == "main"
    assert phone.heard().startswith(NEARLY + " Vous avez un nouveau message Pour écouter vos messages, appuyez sur 1.")


def test_a_full_mailbox_is_announced_to_its_owner():
    phone = Phone(info(capacity=Capacity(100, 100))).start().mark_now().keys("1234#")
    assert phone.heard().startswith(FULL + " Vous avez un nouveau message")


@pytest.mark.parametrize("capacity", [Capacity(89, 100), Capacity(0, 100), None])
def test_below_the_threshold_nothing_is_said(capacity):
    phone = Phone(info(capacity=capacity)).start().mark_now().keys("1234#")
    assert phone.heard().startswith("Vous avez un nouveau message Pour écouter")
    assert "pleine" not in phone.heard(since_mark=False)


def test_the_warning_is_said_once_per_call_not_at_every_return_to_the_main_menu():
    phone = Phone(info(capacity=Capacity(95, 100))).start().keys("1234#")
    assert NEARLY.split(".")[0] in phone.heard()
    phone.mark_now().keys("*")  # help, then the main menu again
    assert phone.state == "main" and "pleine" not in phone.heard()
    phone.mark_now().keys("0*")  # options and back
    assert phone.state == "main" and "pleine" not in phone.heard()


def test_the_warning_waits_for_the_first_access_steps():
    store = Store()
    phone = Phone(info(pin_must_change=True, setup_done=False, greetings=Greetings(), capacity=Capacity(9, 10)),
                  store=store).start()
    phone.mark_now().keys("1234#")
    assert phone.state == "new-pin" and "pleine" not in phone.heard()
    phone.keys("4711#1")  # new PIN confirmed: the name next
    phone.end_prompt().keys("#1")  # name recorded and accepted
    phone.end_prompt().keys("#").mark_now().keys("1")  # unavailable greeting: then the main menu
    assert phone.state == "main"
    assert "Attention, votre boîte vocale est presque pleine. Elle contient neuf messages sur dix" in phone.heard()


def test_skip_pin_from_ones_own_phone_is_warned_too():
    phone = Phone(info(skip_pin=True, capacity=Capacity(100, 100)), own_phone=True).start()
    assert phone.state == "main" and phone.heard(since_mark=False).startswith(FULL)


# ------------------------------------------------------------------ prompts
def test_every_prompt_the_flow_plays_has_a_text():
    """Walk many paths and check each segment played exists in both languages."""
    phones = [logged_in().keys("1"), logged_in().keys("19"), logged_in().keys("18"), logged_in().keys("2"),
              logged_in().keys("3"), logged_in().keys("0"), logged_in().keys("04"), logged_in().keys("05"),
              logged_in().keys("*"), logged_in().keys("#"), logged_in().keys("9"),
              Phone(None, own_phone=False, lookup=info()).start().keys("1#"),
              Phone(info(pin_must_change=True, setup_done=False, greetings=Greetings())).start().keys("1234#4711#1"),
              Phone(info()).start().keys("0#0#0#"),
              Phone(info()).start().keys("#"), Phone(None, own_phone=False, lookup=info()).start().keys("#"),
              Phone(info(capacity=Capacity(99, 100))).start().keys("1234#"),
              Phone(info(capacity=Capacity(100, 100))).start().keys("1234#")]
    for phone in phones:
        for play in phone.plays():
            for item in play.items:
                if isinstance(item, File) or item == "beep":
                    continue
                assert segment_text(item, "fr") is not None, item
                assert item in FIXED["en"] or segment_text(item, "en") is not None, item
    assert all(isinstance(a, Play) or a is not None for p in phones for a in p.actions)


def test_a_known_mailbox_number_is_loaded_first():
    phone = Phone(None, own_phone=True, lookup=info())
    phone.flow.ctx = phone.flow.ctx.__class__("acme.pbx.example", None, True, number="2001")
    phone.start()
    assert phone.did(mb.LookupMailbox) == [mb.LookupMailbox("2001")] and phone.state == "pin"
    gone = Phone(None, own_phone=True, lookup=info())
    gone.flow.ctx = gone.flow.ctx.__class__("acme.pbx.example", None, True, number="2999")
    assert gone.start().state == "goodbye"


# ------------------------------------------------------------------ issue 12: the tenant's language
def test_the_call_speaks_the_mailbox_tenants_language_once_it_is_known():
    phone = Phone(None, own_phone=False, lookup=info(language="en")).start()  # the call started in French
    phone.keys("2001#")
    switch = phone.actions.index(mb.UseLanguage("en"))
    assert phone.did(mb.UseLanguage) == [mb.UseLanguage("en")] and phone.state == "pin"
    assert isinstance(phone.actions[switch + 1], Play) and phone.actions[switch + 1].items == ("enter-pin",)
    known = Phone(None, own_phone=True, lookup=info(language="en"))
    known.flow.ctx = known.flow.ctx.__class__("acme.pbx.example", None, True, number="2001")
    assert known.start().did(mb.UseLanguage) == [mb.UseLanguage("en")]


def test_a_call_already_in_the_tenants_language_switches_nothing():
    phone = Phone(None, own_phone=False, lookup=info(language="en"))
    phone.flow.ctx = phone.flow.ctx.__class__("acme.pbx.example", None, False, language="en")
    assert not phone.start().keys("2001#").did(mb.UseLanguage) and phone.state == "pin"


def test_autoplay_plays_the_first_new_message_right_after_the_counts():
    """E8 (seed 001, "Messagerie vocale à lancement automatique"), set in the portal."""
    store = Store(messages=[message(1), message(2, "old")])
    phone = Phone(info(new=1, old=1, autoplay=True), store=store).start().mark_now().keys("1234#")
    heard = phone.heard()
    assert phone.state == "message" and heard.startswith("Vous avez un nouveau message et un ancien message")
    assert heard.endswith("[voicemail/m1.wav]") and "appuyez sur 1" not in heard
    assert [m.message_id for m in phone.did(mb.MoveMessage)] == [1]  # heard, as when 1 is pressed
    quiet = Phone(info(new=1, old=1), store=Store(messages=[message(1), message(2, "old")])).start().keys("1234#")
    assert quiet.state == "main"
