"""What every call flow shares: feeding events to the current state.

A flow holds its current state; a state handles one event (digit, timeout, end of
prompt, hang-up) and returns the next state with the actions for the media layer.
"""
from __future__ import annotations

from typing import Any, ClassVar

from rtp.flows.events import HangUp


class FlowState:
    """A state of a flow: what it does on entry, and the next state for each event.

    By default a hang-up ends the flow and anything else is ignored.
    """

    name: ClassVar[str] = "state"
    final: ClassVar[bool] = False

    def enter(self, flow: Any) -> list:
        return []

    def handle(self, flow: Any, event: object) -> tuple[FlowState, list]:
        if isinstance(event, HangUp):
            return Done(), []
        return self, []


class Done(FlowState):
    """The end of a flow: every event is ignored."""

    name = "done"
    final = True

    def handle(self, flow: Any, event: object) -> tuple[FlowState, list]:
        return self, []


class FlowMachine:
    """Base of the call flows (leaving a message, the mailbox menus)."""

    state: FlowState

    def go(self, state: FlowState, before: list | None = None) -> tuple[FlowState, list]:
        """Enter ``state``: the actions given first, then those of its entry."""
        return state, list(before or []) + state.enter(self)

    def handle(self, event: object) -> list:
        self.state, actions = self.state.handle(self, event)
        return actions

    @property
    def done(self) -> bool:
        return self.state.final

    def run(self, events: list) -> list:
        """Feed ``events`` in order; all actions, flattened (for tests)."""
        actions = self.start()
        for event in events:
            actions += self.handle(event)
        return actions

    def start(self) -> list:
        raise NotImplementedError
