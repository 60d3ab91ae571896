"""The main menu (seed 003; seed 000's layout moves the options to 5) and changing folder:

    opening-mailbox --MessagesLoaded(new)--> main ("presque pleine" when so, D12, then the counts)
    main  --listen--> message (no message: main, "aucun message")   --folders--> choose-folder(open)
          --advanced--> advanced   --options--> options   --help--> main ("étoile pour reculer...")
          --exit--> goodbye
    choose-folder(open) --0..4--> loading-folder --MessagesLoaded--> main ("Famille, deux messages")
                        --#--> main
    choose-folder(save) --0..4--> message-menu ("message classé dans le dossier ...")   --#--> message-menu

Which key does what is the layout's (``tenants.voicemail.access.LAYOUTS``), never the states'.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rtp.flows.mailbox import advanced, login, message, options
from rtp.flows.mailbox import events as mb
from rtp.flows.mailbox.base import Goodbye, MailboxState, Menu, Session, Transition, Waiting, menu_items
from rtp.prompts import phrases
from tenants.voicemail import access, rules

if TYPE_CHECKING:
    from rtp.flows.mailbox.flow import MailboxFlow

OPEN, SAVE = "open", "save"  # what choosing a folder is for: open it, or file the current message there


def capacity_warning(info: mb.MailboxInfo) -> tuple:
    """D12: "votre boîte vocale est presque pleine..." right after the login, before the counts."""
    cap = info.capacity
    if cap is None:
        return ()
    level = rules.owner_warning(cap)
    return tuple(phrases.capacity_warning(level, cap.count, cap.limit)) if level else ()


@dataclass(frozen=True)
class OpeningMailbox(Waiting):
    """The messages of New, then the main menu with the counts (once per call)."""

    session: Session
    name = "opening-mailbox"
    answer = mb.MessagesLoaded

    @property
    def request(self) -> mb.LoadMessages:
        return mb.LoadMessages(self.session.mailbox_id, "new")

    def answered(self, flow: MailboxFlow, event: mb.MessagesLoaded) -> Transition:
        session = self.session.opened(event.folder, event.messages)
        new = sum(1 for m in session.messages if m.folder == "new")
        said = capacity_warning(session.info) + tuple(phrases.message_count(new, session.info.old))
        if session.info.autoplay and new:  # E8: "Messagerie vocale à lancement automatique"
            return message.to_message(flow, session, 0, before=said)
        return flow.go(Main(session, before=said))

    def back(self, flow: MailboxFlow) -> MailboxState:
        # No menu yet: the login again (the PIN; none to ask when skip-PIN spared it: goodbye).
        if access.needs_pin(flow.ctx.own_phone, self.session.info.skip_pin):
            return login.Pin(self.session)
        return Goodbye()


@dataclass(frozen=True)
class Main(Menu):
    name = "main"
    menu = "main"

    def choose(self, flow: MailboxFlow, what: str, key: str) -> Transition:
        session = self.session
        if what == "listen":
            if not session.messages:
                return flow.go(Main(session, before=("no-messages",)))
            return message.to_message(flow, session, 0)
        if what == "folders":
            return flow.go(ChooseFolder(session, OPEN))
        if what == "advanced":
            return flow.go(advanced.Advanced(session))
        if what == "options":
            return flow.go(options.Options(session))
        if what == "help":
            return flow.go(Main(session, before=("main-help",)))
        if what == "exit":
            return flow.go(Goodbye())
        return self.invalid(flow)


@dataclass(frozen=True)
class ChooseFolder(Menu):
    """Seed 003 "2 Changer de dossier": 0 New ... 4 Friends, ``#`` cancels. Also "9 save" after a message."""

    session: Session
    purpose: str  # OPEN or SAVE
    name = "choose-folder"

    @property
    def label(self) -> str:
        return f"choose-folder({self.purpose})"

    def keys(self) -> dict[str, str]:
        return {**{key: f"folder-{folder}" for key, folder in access.FOLDER_KEYS.items()}, "#": "cancel"}

    def items(self) -> tuple:
        return menu_items(self.keys())

    def choose(self, flow: MailboxFlow, what: str, key: str) -> Transition:
        session = self.session
        if what == "cancel":
            return flow.go(Main(session) if self.purpose == OPEN else message.MessageMenu(session))
        folder = access.folder_for_key(key)
        if folder is None:
            return self.invalid(flow)
        if self.purpose == OPEN:
            return flow.go(LoadingFolder(session, folder))
        said = ("message-saved-to", f"folder-{folder}")
        target = access.move(session.current.folder, key)
        if target is None:  # already there
            return flow.go(message.MessageMenu(session, before=said))
        move = mb.MoveMessage(session.mailbox_id, session.current.id, target)
        return flow.go(message.MessageMenu(session.with_current(folder=target), before=said), [move])


@dataclass(frozen=True)
class LoadingFolder(Waiting):
    session: Session
    folder: str
    name = "loading-folder"
    answer = mb.MessagesLoaded

    @property
    def label(self) -> str:
        return f"loading-folder({self.folder})"

    @property
    def request(self) -> mb.LoadMessages:
        return mb.LoadMessages(self.session.mailbox_id, self.folder)

    def answered(self, flow: MailboxFlow, event: mb.MessagesLoaded) -> Transition:
        count = len(event.messages)
        said = (f"folder-{event.folder}", *phrases.number(count), "message-word" if count < 2 else "messages-word")
        return flow.go(Main(self.session.opened(event.folder, event.messages), before=said))

    def back(self, flow: MailboxFlow) -> MailboxState:
        return ChooseFolder(self.session, OPEN)
