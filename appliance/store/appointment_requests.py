"""Online appointment look-ups between the two processes, through the shared database.

The kiosk asks (a ``pending`` row), the sync process answers once (``found``,
``not_found`` or ``failed``); the first answer is final, so a kiosk that gave up
(``failed``, detail ``timeout``) is not overruled by a late answer. Asking again for the
same number starts a fresh request in the same row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import sqlite_utils

from appliance.store.db import write_transaction
from appliance.store.outbox import stamp


class RequestState(Enum):
    PENDING = "pending"
    FOUND = "found"
    NOT_FOUND = "not_found"
    FAILED = "failed"


@dataclass(frozen=True)
class RequestAnswer:
    state: RequestState
    detail: str | None


def ask(db: sqlite_utils.Database, number: str, now: datetime) -> None:
    """Ask the sync process to look ``number`` up online (again, if asked before)."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO appointment_requests (number, requested_at) VALUES (?, ?) "
            "ON CONFLICT (number) DO UPDATE SET requested_at = excluded.requested_at, "
            "state = 'pending', answered_at = NULL, detail = NULL",
            [number, stamp(now)],
        )


def answer(
    db: sqlite_utils.Database,
    number: str,
    state: RequestState,
    now: datetime,
    detail: str | None = None,
) -> bool:
    """Answer a pending request; False when it was already answered (or never asked)."""
    assert state is not RequestState.PENDING
    with write_transaction(db):
        changed = db.execute(
            "UPDATE appointment_requests SET state = ?, answered_at = ?, detail = ? "
            "WHERE number = ? AND state = 'pending'",
            [state.value, stamp(now), detail, number],
        ).rowcount
    return changed == 1


def answer_of(db: sqlite_utils.Database, number: str) -> RequestAnswer | None:
    row = db.execute(
        "SELECT state, detail FROM appointment_requests WHERE number = ?", [number]
    ).fetchone()
    return None if row is None else RequestAnswer(RequestState(row[0]), row[1])


def pending(db: sqlite_utils.Database, limit: int = 20) -> list[str]:
    """Numbers waiting for an answer, oldest request first."""
    return [
        row[0]
        for row in db.execute(
            "SELECT number FROM appointment_requests WHERE state = 'pending' "
            "ORDER BY requested_at LIMIT ?",
            [limit],
        )
    ]


def has_pending(db: sqlite_utils.Database) -> bool:
    """The sync worker's cheap idle check (an indexed probe, like the outbox's)."""
    return (
        db.execute("SELECT 1 FROM appointment_requests WHERE state = 'pending' LIMIT 1").fetchone()
        is not None
    )
