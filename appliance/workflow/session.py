"""The operator session: locked → PIN entry → logged in → locked.

The machine only records what the key said; the login itself (a PKCS#11 call) runs in
a worker and reports back through :meth:`OperatorSession.pin_accepted` and friends.
"""

from __future__ import annotations

from enum import Enum, auto

from appliance.domain.submission import Operator
from appliance.workflow.machine import StateMachine


class SessionState(Enum):
    LOCKED = auto()
    PIN_ENTRY = auto()
    LOGGED_IN = auto()


class SessionEvent(Enum):
    KEY_PRESENT = auto()
    PIN_ACCEPTED = auto()
    PIN_REJECTED = auto()
    KEY_REMOVED = auto()
    LOCK = auto()


S, E = SessionState, SessionEvent
SESSION_TRANSITIONS: dict[tuple[SessionState, SessionEvent], SessionState] = {
    (S.LOCKED, E.KEY_PRESENT): S.PIN_ENTRY,
    (S.PIN_ENTRY, E.PIN_ACCEPTED): S.LOGGED_IN,
    (S.PIN_ENTRY, E.PIN_REJECTED): S.PIN_ENTRY,
    (S.PIN_ENTRY, E.KEY_REMOVED): S.LOCKED,
    (S.LOGGED_IN, E.KEY_REMOVED): S.LOCKED,
    (S.LOGGED_IN, E.LOCK): S.LOCKED,
}


class OperatorSession(StateMachine[SessionState, SessionEvent]):
    log_event = "session.transition"

    def __init__(self) -> None:
        super().__init__(SessionState.LOCKED, SESSION_TRANSITIONS)
        self.operator: Operator | None = None
        self.failed_attempts = 0

    def key_present(self) -> None:
        self.fire(SessionEvent.KEY_PRESENT)

    def pin_accepted(self, operator: Operator) -> None:
        self.fire(SessionEvent.PIN_ACCEPTED)
        self.operator = operator
        self.failed_attempts = 0

    def pin_rejected(self, reason: str = "wrong_pin") -> None:
        """The key refused the login; ``reason`` is its short code (``wrong_pin``,
        ``pin_locked``, ``key_mismatch``, ...), for the audit trail."""
        self.fire(SessionEvent.PIN_REJECTED)
        self.failed_attempts += 1

    def key_removed(self) -> None:
        """A pulled key locks at once, whatever the clerk was doing."""
        if self.can(SessionEvent.KEY_REMOVED):
            self.fire(SessionEvent.KEY_REMOVED)
        self.operator = None

    def lock(self) -> None:
        self.fire(SessionEvent.LOCK)
        self.operator = None
