"""Hearing the messages (D6, D9) and what to do after one (seed 003 / Asterisk's keys):

    message --prompt-end--> message-menu     (envelope and/or message, D9; a new one is now Old)
    message --*--> message (rewinds), --#--> message (skips ahead), another key: as in message-menu
    message-menu --previous/repeat/next--> message (none left: main "il n'y a plus de message")
                 --delete--> the next message (or main)   --forward--> ask-number(forward)
                 --save--> choose-folder(save)   --help--> message-menu   --exit-listen--> main
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rtp.flows import events as ev
from rtp.flows.mailbox import advanced, main
from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox.base import SEEK_SECONDS, MailboxState, Menu, Session, Transition
from rtp.prompts import phrases
from tenants.voicemail import access

if TYPE_CHECKING:
    from rtp.flows.mailbox.flow import MailboxFlow


def envelope(index: int, message: mb.MessageInfo) -> tuple:
    """"Message 1, reçu le 3 mars à 14 heures 5, de 0 6 1 2..." (D9)."""
    who = tuple(phrases.digits(message.caller_number)) if message.caller_number else ("unknown-caller",)
    return (("message-word",) + tuple(phrases.number(index + 1)) + ("received",)
            + tuple(phrases.date_time(message.received_local)) + ("from",) + who)


def to_message(flow: MailboxFlow, session: Session, index: int, before: tuple = (), first: tuple = ()
               ) -> Transition:
    """Play message ``index`` of the open folder (``first``: actions before it). A new message once
    played is Old (Asterisk: INBOX -> Old): the move is asked for right after the playback is queued."""
    session = replace(session, index=index)
    heard = access.after_heard(session.current.folder)
    marks = []
    if heard != session.current.folder:
        marks = [mb.MoveMessage(session.mailbox_id, session.current.id, heard)]
        session = session.with_current(folder=heard)
    state, actions = flow.go(Message(session, before=before), list(first))
    return state, actions + marks


@dataclass(frozen=True)
class Message(MailboxState):
    """The envelope and/or the message (D9); ``*`` rewinds, ``#`` skips ahead; other keys act as after it."""

    session: Session
    before: tuple = ()
    name = "message"
    busy = True  # a failure said now would cut the message: it is said with the menu after it

    @property
    def envelope_tag(self) -> str:
        return f"envelope-{self.serial}"

    @property
    def tags(self) -> tuple[str, ...]:
        return (self.envelope_tag, self.tag)

    def enter(self, flow: MailboxFlow) -> list:
        say_envelope, play_message = access.playback_parts(self.session.info.envelope)
        parts = []
        if say_envelope:
            parts.append(envelope(self.session.index, self.session.current))
        if play_message:
            parts.append((ev.File(self.session.current.path),))
        parts[0] = self.before + parts[0]
        tags = (self.envelope_tag, self.tag)[-len(parts):]  # the last part's end ends the message
        return [ev.Play(items, tag) for items, tag in zip(parts, tags, strict=True)]

    def handle(self, flow: MailboxFlow, event: object) -> Transition:
        if event == ev.PromptEnd(self.tag):
            return flow.go(MessageMenu(self.session))
        if isinstance(event, ev.Digit):
            if event.key == "*":
                return self, [mb.Seek(-SEEK_SECONDS)]
            if event.key == "#":
                return self, [mb.Seek(SEEK_SECONDS)]
            return MessageMenu(self.session).press(flow, event.key)
        return super().handle(flow, event)


@dataclass(frozen=True)
class MessageMenu(Menu):
    """After a message: 4 previous, 5 repeat, 6 next, 7 delete, 8 forward, 9 save, * help, # back."""

    name = "message-menu"
    menu = "message"

    def choose(self, flow: MailboxFlow, what: str, key: str) -> Transition:
        session, index = self.session, self.session.index
        if what == "previous":
            if index == 0:
                return flow.go(MessageMenu(session, before=("no-previous",)))
            return to_message(flow, session, index - 1)
        if what == "repeat":
            return to_message(flow, session, index)
        if what == "next":
            if index + 1 >= len(session.messages):
                return flow.go(main.Main(session, before=("no-more-messages",)))
            return to_message(flow, session, index + 1)
        if what == "delete":
            return self.delete(flow)
        if what == "forward":
            return flow.go(advanced.AskNumber(session, advanced.FORWARD))
        if what == "save":
            return flow.go(main.ChooseFolder(session, main.SAVE))
        if what == "help":
            return flow.go(MessageMenu(session, before=("message-help",)))
        if what == "exit-listen":
            return flow.go(main.Main(session))
        return self.invalid(flow)

    def delete(self, flow: MailboxFlow) -> Transition:
        """7: to the Deleted folder (E7), then the message after it, or the main menu after the last."""
        session, index = self.session, self.session.index
        gone = session.current
        move = mb.MoveMessage(session.mailbox_id, gone.id, access.deleted(gone.folder))
        rest = replace(session, messages=session.messages[:index] + session.messages[index + 1:])
        if index < len(rest.messages):
            return to_message(flow, rest, index, before=("message-deleted",), first=(move,))
        return flow.go(main.Main(rest, before=("message-deleted", "no-more-messages")), [move])
