"""The mailbox by phone (D1-D9, D11, D12) as a state machine: one module per menu, no network.

    login.py      ask-mailbox (*98) / looking-up-mailbox (*97) -> pin -> checking-pin -> logged in
    setup.py      logged in -> first access (D3: new PIN, name, unavailable greeting) -> opening-mailbox
    main.py       opening-mailbox -> main (1 listen, 2 folders, 3 advanced, 0 options, * help, # exit)
                  choose-folder, loading-folder
    message.py    message (envelope and/or audio, D9) -> message-menu (4 5 6 7 8 9, * help, # back)
    advanced.py   advanced (5 send) -> ask-number -> record-greeting(message) -> sending-recording;
                  ask-number(forward) -> forwarding-message (8 after a message)
    options.py    options (1 2 3 greetings, 4 temporary, 5 PIN, * back) -> temporary (1 record, 2 off)
    greetings.py  record-greeting -> greeting-recording -> greeting-checking -> greeting-review
                  (1 accept, 2 listen, 3 again) -> saving-greeting
    pin.py        new-pin -> confirm-pin (1 keep, 2 another) -> changing-pin
    base.py       what the states share: Menu, Collect, Waiting, Goodbye, the apology
    table.py      the transition table: every state, event -> next state and actions (``python -m
                  rtp.flows.mailbox.table [asterisk|ooma]`` prints it)

Each module's docstring draws its part. Which key does what comes from
``tenants.voicemail.access.LAYOUTS`` (seed 003's Asterisk layout, seed 000's Ooma one): a
layout is a table over these states. Domain work is asked for with an action of ``events``
and its result comes back as an event (``Answer``). Every state that waits for one has a
timer (``ANSWER_WAIT_SECONDS``); no answer, or ``ActionFailed``, says "Désolé, une erreur
est survenue" and returns to the menu the caller was in (the login, or goodbye, before any).
"""
from rtp.flows.mailbox.base import (
    ANSWER_WAIT_SECONDS,
    APOLOGY,
    DIGIT_WAIT_SECONDS,
    LOGIN_ATTEMPTS,
    MENU_REPEATS,
    MENU_WAIT_SECONDS,
)
from rtp.flows.mailbox.flow import MailboxContext, MailboxFlow

__all__ = ["ANSWER_WAIT_SECONDS", "APOLOGY", "DIGIT_WAIT_SECONDS", "LOGIN_ATTEMPTS", "MENU_REPEATS",
           "MENU_WAIT_SECONDS", "MailboxContext", "MailboxFlow"]
