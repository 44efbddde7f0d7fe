"""A tiny table-driven state machine: states and events are Enums, moves are a dict."""

from __future__ import annotations

from enum import Enum
from typing import Generic, TypeVar

from appliance import log

S = TypeVar("S", bound=Enum)
E = TypeVar("E", bound=Enum)


class InvalidTransition(Exception):
    def __init__(self, state: Enum, event: Enum) -> None:
        super().__init__(f"event {event.name} is not allowed in state {state.name}")
        self.state = state
        self.event = event


class StateMachine(Generic[S, E]):
    """Holds the current state and applies only the transitions in ``table``."""

    log_event = "flow.transition"

    def __init__(self, initial: S, table: dict[tuple[S, E], S]) -> None:
        self._state = initial
        self._table = table

    @property
    def state(self) -> S:
        return self._state

    def can(self, event: E) -> bool:
        return (self._state, event) in self._table

    def fire(self, event: E) -> S:
        try:
            target = self._table[(self._state, event)]
        except KeyError:
            raise InvalidTransition(self._state, event) from None
        log.event(self.log_event, source=self._state.name, trigger=event.name, target=target.name)
        self._state = target
        return target
