"""Delivering the audit chain to the branch server, in the same drain as submissions.

The chain is its own queue: entries after ``audit_delivery.delivered_seq`` are owed, in
``seq`` order (the server checks each link, so none may be skipped). The mark moves
only to what the server says it holds, so a crash or a lost answer resends harmlessly.
A refused batch (the server's copy disagrees: the box's chain was rewritten) stops the
audit queue alone and is shown in 系统诊断; submissions keep flowing.

Before the first sealed entry goes, the box hands its audit verification key to the
server (issue 18) and, once the server holds it, erases its own copy: from then on the
seed lives only at the branch server and with 网建办.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlite_utils

from appliance import log
from appliance.store.audit_seal import forget_handover, handover_key
from appliance.store.db import write_transaction
from appliance.store.outbox import stamp
from appliance.wording import text

if TYPE_CHECKING:
    from appliance.sync.client import BranchClient


def delivered_seq(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT delivered_seq FROM audit_delivery WHERE id = 1").fetchone()
    return row[0] if row else 0


def audit_backlog(db: sqlite_utils.Database) -> int:
    """Audit entries not yet held by the branch server."""
    return db.execute(
        "SELECT COUNT(*) FROM audit_log WHERE seq > ?", [delivered_seq(db)]
    ).fetchone()[0]


def audit_refusal(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT last_error FROM audit_delivery WHERE id = 1").fetchone()
    return row[0] if row else None


def audit_delivery_line(db: sqlite_utils.Database) -> str:
    """系统诊断's line on the audit chain's way to the branch server."""
    refused = audit_refusal(db)
    if refused:
        return text("sync.audit_refused")
    return text("sync.audit_waiting", entries=audit_backlog(db))


def _mark(db: sqlite_utils.Database, seq: int, at: datetime, error: str | None) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO audit_delivery (id, delivered_seq, delivered_at, last_error) "
            "VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "delivered_seq = MAX(delivered_seq, excluded.delivered_seq), "
            "delivered_at = excluded.delivered_at, last_error = excluded.last_error",
            [seq, stamp(at), error],
        )


ENTRY_FIELDS = ("seq", "at", "action", "entry", "previous_hash", "hash", "seal")


def _hand_over_key(db: sqlite_utils.Database, client: BranchClient, now: datetime) -> bool:
    """Register the verification key the box still holds; False when the server refused."""
    from appliance.sync.client import BatchRefused

    pending = handover_key(db)
    if pending is None:
        return True
    key, first_seq = pending
    try:
        client.register_audit_key(key, first_seq)
    except BatchRefused as refused:
        _mark(db, delivered_seq(db), now, str(refused)[:300])
        log.event("audit.key_handover", outcome="failure", reason=str(refused)[:200])
        return False
    with write_transaction(db):
        if handover_key(db) == pending:
            forget_handover(db)
    log.event("audit.key_handover", outcome="success", first_seq=first_seq)
    return True


def deliver_audit(
    db: sqlite_utils.Database, client: BranchClient, now: datetime, batch_size: int
) -> int:
    """Send every owed entry; return how many the server took. SyncProblem propagates."""
    from appliance.sync.client import BatchRefused  # HTTP stack: the sync process only

    if not _hand_over_key(db, client, now):
        return 0
    taken = 0
    while True:
        mark = delivered_seq(db)
        rows = db.execute(
            "SELECT seq, at, action, entry, previous_hash, hash, seal FROM audit_log "
            "WHERE seq > ? ORDER BY seq LIMIT ?",
            [mark, batch_size],
        ).fetchall()
        if not rows:
            return taken
        entries = [dict(zip(ENTRY_FIELDS, row, strict=True)) for row in rows]
        try:
            through = client.submit_audit(entries)
        except BatchRefused as refused:
            _mark(db, mark, now, str(refused)[:300])
            log.event("audit.delivery", outcome="failure", seq=mark, reason=str(refused)[:200])
            return taken
        through = min(through, rows[-1][0])
        _mark(db, through, now, None)
        log.event("audit.delivery", outcome="success", seq=through)
        if through <= mark:
            return taken
        taken += through - mark
