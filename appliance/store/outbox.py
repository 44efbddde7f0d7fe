"""The outbox's sending side: claim rows under a lease, settle them one by one.

States: pending -> in_flight (leased) -> delivered | rejected. A sender that dies leaves
its rows in flight; once the lease runs out any sender may claim them again, and the
server's idempotency keys make the resend harmless. A rejected row stops only itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from appliance.store.db import write_transaction


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    submission_id: str
    idempotency_key: str
    payload: str
    attempts: int


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    in_flight: int
    delivered: int
    rejected: int

    @property
    def backlog(self) -> int:
        """待同步: everything not yet delivered nor rejected."""
        return self.pending + self.in_flight


@dataclass(frozen=True)
class RejectedItem:
    receipt_number: str
    reason: str


def stamp(moment: datetime) -> str:
    """UTC text that sorts in time order (leases and delivery times are compared as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def claim(db: sqlite_utils.Database, limit: int, lease_s: float, now: datetime) -> list[OutboxItem]:
    """Lease the oldest ``limit`` sendable rows: pending ones and those whose lease ran out."""
    with write_transaction(db):
        rows = db.execute(
            "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, lease_until = ? "
            "WHERE seq IN (SELECT seq FROM outbox WHERE state = 'pending' "
            "  OR (state = 'in_flight' AND lease_until < ?) ORDER BY seq LIMIT ?) "
            "RETURNING seq, submission_id, idempotency_key, payload, attempts",
            [stamp(now + timedelta(seconds=lease_s)), stamp(now), limit],
        ).fetchall()
    return sorted((OutboxItem(*row) for row in rows), key=lambda item: item.seq)


def _placeholders(keys: list[str]) -> str:
    return ",".join("?" * len(keys))


def mark_delivered(db: sqlite_utils.Database, keys: Iterable[str], at: datetime) -> None:
    keys = list(keys)
    if not keys:
        return
    with write_transaction(db):
        db.execute(
            "UPDATE outbox SET state = 'delivered', delivered_at = ?, lease_until = NULL, "
            f"last_error = NULL WHERE idempotency_key IN ({_placeholders(keys)})",
            [stamp(at), *keys],
        )


def mark_rejected(db: sqlite_utils.Database, key: str, reason: str) -> None:
    """The server says the row is permanently wrong: keep it aside, never resend it blindly."""
    with write_transaction(db):
        db.execute(
            "UPDATE outbox SET state = 'rejected', lease_until = NULL, last_error = ? "
            "WHERE idempotency_key = ? AND state != 'delivered'",
            [reason[:500], key],
        )


def release(db: sqlite_utils.Database, keys: Iterable[str], error: str) -> None:
    """Give leased rows back at once after a failed attempt (no need to wait for the lease)."""
    keys = list(keys)
    if not keys:
        return
    with write_transaction(db):
        db.execute(
            "UPDATE outbox SET state = 'pending', lease_until = NULL, last_error = ? "
            f"WHERE state = 'in_flight' AND idempotency_key IN ({_placeholders(keys)})",
            [error[:500], *keys],
        )


def counts(db: sqlite_utils.Database) -> OutboxCounts:
    found = dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    return OutboxCounts(
        *(found.get(s, 0) for s in ("pending", "in_flight", "delivered", "rejected"))
    )


def rejected_items(db: sqlite_utils.Database, limit: int = 50) -> list[RejectedItem]:
    rows = db.execute(
        "SELECT s.receipt_number, o.last_error FROM outbox o JOIN submissions s "
        "ON s.id = o.submission_id WHERE o.state = 'rejected' ORDER BY o.seq LIMIT ?",
        [limit],
    ).fetchall()
    return [RejectedItem(number, reason or "") for number, reason in rows]


def has_sendable(db: sqlite_utils.Database, now: datetime) -> bool:
    return (
        db.execute(
            "SELECT EXISTS(SELECT 1 FROM outbox WHERE state = 'pending' "
            "OR (state = 'in_flight' AND lease_until < ?))",
            [stamp(now)],
        ).fetchone()[0]
        == 1
    )
