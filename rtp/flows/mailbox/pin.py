"""Choosing a new PIN (seed 002; the options' "5", the first access):

    new-pin --digits #--> confirm-pin ("vous avez composé le 4 7 1 1")  (fewer than 4 digits: new-pin again)
    confirm-pin --1--> changing-pin --PinChanged(ok)--> then.resume ("votre code secret a été modifié")
    confirm-pin --2--> new-pin
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox.base import Collect, MailboxState, Menu, Session, Then, Transition, Waiting, menu_items
from rtp.prompts import phrases
from tenants.voicemail import access

if TYPE_CHECKING:
    from rtp.flows.mailbox.flow import MailboxFlow


@dataclass(frozen=True)
class _PinStep(MailboxState):
    """What the steps of a PIN change share: the session, and where the change goes after."""

    session: Session
    then: Then

    @property
    def label(self) -> str:
        return f"{self.name}({self.then.label})"


@dataclass(frozen=True)
class NewPin(Collect, _PinStep):
    """"Veuillez composer les chiffres du code secret que vous avez choisi", then ``#``."""

    name = "new-pin"
    prompt = ("enter-new-pin",)

    def done(self, flow: MailboxFlow, digits: str) -> Transition:
        if not access.valid_new_pin(digits):
            return flow.go(NewPin(self.session, self.then, before=("pin-invalid",)))
        return flow.go(ConfirmPin(self.session, self.then, digits))


@dataclass(frozen=True)
class ConfirmPin(Menu, _PinStep):
    """"Vous avez composé le 4 7 1 1": 1 keeps it, 2 types another."""

    pin: str
    name = "confirm-pin"

    def keys(self) -> dict[str, str]:
        return {"1": "pin-accept", "2": "pin-retype"}

    def items(self) -> tuple:
        return ("you-dialed", *phrases.digits(self.pin), *menu_items(self.keys()))

    def choose(self, flow: MailboxFlow, what: str, key: str) -> Transition:
        if what == "pin-accept":
            return flow.go(ChangingPin(self.session, self.then, self.pin))
        return flow.go(NewPin(self.session, self.then))


@dataclass(frozen=True)
class ChangingPin(Waiting, _PinStep):
    pin: str
    name = "changing-pin"
    answer = mb.PinChanged

    @property
    def request(self) -> mb.ChangePin:
        return mb.ChangePin(self.session.mailbox_id, self.pin)

    def answered(self, flow: MailboxFlow, event: mb.PinChanged) -> Transition:
        if not event.ok:
            return flow.go(NewPin(self.session, self.then, before=("pin-invalid",)))
        return self.then.resume(flow, self.session.with_info(pin_must_change=False), ("pin-changed",))

    def back(self, flow: MailboxFlow) -> MailboxState:
        return self.then.back(flow, self.session)
