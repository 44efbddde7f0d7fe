"""Recording audit entries from wherever an action happens, with one-line calls.

Inside a change's own transaction, :func:`append_audit` is called directly (the
submission does that). Everything else goes through :func:`audit_now` (one short write
transaction) or, from the kiosk, an :class:`AuditTrail`: its own connection and its own
thread, so a login on the Kivy main thread never waits for an fsync and never interleaves
with the counter worker's transactions on the shared connection. SQLite's write lock
orders appends from both processes, so the chain stays one chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from appliance import log
from appliance.events import AUDIT_ACTIONS
from appliance.store.audit import append_audit
from appliance.store.db import connect, write_transaction


def audit_now(db: sqlite_utils.Database, at: datetime, action: str, entry: dict[str, Any]) -> str:
    """Append one entry in its own write transaction; return its hash."""
    if action not in AUDIT_ACTIONS:
        raise KeyError(f"audit action {action!r} is not in appliance.events.AUDIT_ACTIONS")
    with write_transaction(db):
        digest = append_audit(db, at, action, entry)
        seq = db.execute("SELECT seq FROM audit_log WHERE hash = ?", [digest]).fetchone()[0]
    log.event("audit.appended", outcome="success", action=action, seq=seq)
    return digest


class AuditTrail:
    """Appends in order on one background thread; :meth:`flush` waits for them."""

    def __init__(self, path: Path, now: Callable[[], datetime]) -> None:
        self.path = path
        self.now = now
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit")
        self._db: sqlite_utils.Database | None = None

    def record(self, action: str, **entry: Any) -> Future[str]:
        at = self.now()
        future = self._pool.submit(self._append, at, action, entry)
        future.add_done_callback(_log_failure(action))
        return future

    def _append(self, at: datetime, action: str, entry: dict[str, Any]) -> str:
        return audit_now(self._connection(), at, action, entry)

    def write(self, work: Callable[[sqlite_utils.Database], Any]) -> Future[Any]:
        """Run another small write on the trail's thread and connection, in order."""
        return self._pool.submit(lambda: work(self._connection()))

    def _connection(self) -> sqlite_utils.Database:
        if self._db is None:
            self._db = connect(self.path)
        return self._db

    def flush(self) -> None:
        self._pool.submit(lambda: None).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._db is not None:
            self._db.conn.close()


def _log_failure(action: str) -> Callable[[Future[str]], None]:
    def check(future: Future[str]) -> None:
        error = future.exception()
        if error is not None:
            log.event(
                "audit.appended",
                outcome="failure",
                action=action,
                error=type(error).__name__,
                detail=str(error)[:200],
            )

    return check


def database_path(db: sqlite_utils.Database) -> Path:
    """The file behind a connection (the trail opens its own connection to it)."""
    rows = db.execute("PRAGMA database_list").fetchall()
    return Path(next(row[2] for row in rows if row[1] == "main"))


def note_configuration(db: sqlite_utils.Database, source: Path, at: datetime) -> bool:
    """Audit the configuration file when it differs from the last one recorded."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    with write_transaction(db):
        last = db.execute(
            "SELECT entry FROM audit_log WHERE action = 'config.changed' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        previous = json.loads(last[0])["sha256"] if last else None
        if previous == digest:
            return False
        append_audit(
            db,
            at,
            "config.changed",
            {"file": str(source), "sha256": digest, "previous_sha256": previous},
        )
    log.event("config.changed", file=source, sha256=digest[:16])
    return True
