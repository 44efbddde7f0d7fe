"""The branch server's own SQLite: submissions by idempotency key, catalogue, appointments.

Idempotency is stored durably with the submission in one transaction, so a server that
dies after storing a batch still answers "duplicate" when the box resends it. One lock
serialises writers: the dev server is small and correctness is the point.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from appliance.sync.canonical import body_digest
from appliance_dev.devserver.audit import held_entries, register_verify_key, store_audit_batch

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    idempotency_key TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    body TEXT NOT NULL,
    device TEXT NOT NULL,
    received_at TEXT NOT NULL,
    deliveries INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS catalogue (
    code TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS appointments (
    number TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    body TEXT NOT NULL,
    used_at TEXT
);
CREATE TABLE IF NOT EXISTS heartbeats (
    device TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class ItemResult:
    idempotency_key: str
    status: str  # accepted | duplicate | conflict | invalid
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"idempotency_key": self.idempotency_key, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class BranchStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()

    def _write(self, work):
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return result

    def store_batch(
        self, device: str, items: list[tuple[dict[str, Any], str | None]]
    ) -> list[ItemResult]:
        """Store valid items not seen before; ``items`` pairs each item with its problem."""

        def work(conn: sqlite3.Connection) -> list[ItemResult]:
            results = []
            for item, problem in items:
                key: str = item["idempotency_key"]  # the handler refused keyless batches
                if problem is not None:
                    results.append(ItemResult(str(key), "invalid", problem))
                    continue
                digest = body_digest(item)
                row = conn.execute(
                    "SELECT body_sha256 FROM submissions WHERE idempotency_key = ?", [key]
                ).fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO submissions (idempotency_key, submission_id, body_sha256, "
                        "body, device, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                        [
                            key,
                            item["submission"]["id"],
                            digest,
                            json.dumps(item, ensure_ascii=False),
                            device,
                            _now(),
                        ],
                    )
                    if number := item["submission"].get("appointment_number"):
                        conn.execute(
                            "UPDATE appointments SET used_at = COALESCE(used_at, ?) "
                            "WHERE number = ?",
                            [_now(), number],
                        )
                    results.append(ItemResult(key, "accepted"))
                elif row[0] == digest:
                    conn.execute(
                        "UPDATE submissions SET deliveries = deliveries + 1 "
                        "WHERE idempotency_key = ?",
                        [key],
                    )
                    results.append(ItemResult(key, "duplicate"))
                else:
                    results.append(
                        ItemResult(key, "conflict", "idempotency key reused with a different body")
                    )
            return results

        return self._write(work)

    def submission_ids(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT submission_id FROM submissions")]

    def seed_catalogue(self, items: list[dict[str, Any]]) -> None:
        """Load items when the catalogue is empty (a fresh dev server)."""

        def work(conn: sqlite3.Connection) -> None:
            if conn.execute("SELECT COUNT(*) FROM catalogue").fetchone()[0]:
                return
            for version, item in enumerate(items, start=1):
                conn.execute(
                    "INSERT INTO catalogue (code, body, version) VALUES (?, ?, ?)",
                    [item["code"], json.dumps(item, ensure_ascii=False), version],
                )

        self._write(work)

    def put_catalogue_item(self, item: dict[str, Any]) -> None:
        """Change (or add, or mark deleted) one item; it gets the next version number."""

        def work(conn: sqlite3.Connection) -> None:
            version = conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM catalogue"
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO catalogue (code, body, version) VALUES (?, ?, ?) "
                "ON CONFLICT (code) DO UPDATE SET body = excluded.body, "
                "version = excluded.version",
                [item["code"], json.dumps(item, ensure_ascii=False), version],
            )

        self._write(work)

    def catalogue_since(self, cursor: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT body, version FROM catalogue WHERE version > ? ORDER BY version LIMIT ?",
                [cursor, limit + 1],
            ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        items = [{**json.loads(body), "updated_at": version} for body, version in rows]
        return items, (rows[-1][1] if rows else cursor), more

    def seed_appointments(self, appointments: list[dict[str, Any]]) -> None:
        """Add appointments not there yet; one seeded ``used`` is used from the start."""

        def work(conn: sqlite3.Connection) -> None:
            for a in appointments:
                body = {k: v for k, v in a.items() if k != "used"}
                conn.execute(
                    "INSERT OR IGNORE INTO appointments (number, day, body, used_at) "
                    "VALUES (?, ?, ?, ?)",
                    [
                        a["number"],
                        a["day"],
                        json.dumps(body, ensure_ascii=False),
                        _now() if a.get("used") else None,
                    ],
                )

        self._write(work)

    def appointments_between(self, first: date, last: date) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT body, used_at FROM appointments WHERE day BETWEEN ? AND ? ORDER BY number",
                [first.isoformat(), last.isoformat()],
            ).fetchall()
        return [{**json.loads(body), "used": used_at is not None} for body, used_at in rows]

    def appointment(self, number: str) -> dict[str, Any] | None:
        """One appointment by number, any day (the box asks when its cache misses)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT body, used_at FROM appointments WHERE number = ?", [number]
            ).fetchone()
        return None if row is None else {**json.loads(row[0]), "used": row[1] is not None}

    def mark_appointment_used(self, number: str) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            return (
                conn.execute(
                    "UPDATE appointments SET used_at = COALESCE(used_at, ?) WHERE number = ?",
                    [_now(), number],
                ).rowcount
                == 1
            )

        return self._write(work)

    def record_heartbeat(self, device: str, body: dict[str, Any]) -> None:
        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO heartbeats (device, body, received_at) VALUES (?, ?, ?) "
                "ON CONFLICT (device) DO UPDATE SET body = excluded.body, "
                "received_at = excluded.received_at",
                [device, json.dumps(body, ensure_ascii=False), _now()],
            )

        self._write(work)

    def store_audit(self, device: str, entries: list[dict[str, Any]]) -> int:
        """A box's audit entries (issue 9); returns the highest seq held for it."""
        return self._write(lambda conn: store_audit_batch(conn, device, entries))

    def register_audit_key(self, device: str, key: str, first_seq: int) -> bool:
        """A box's audit verification key (issue 18); True when newly registered."""

        def work(conn: sqlite3.Connection) -> bool:
            held_entries(conn, device)  # the tables exist
            return register_verify_key(conn, device, key, first_seq)

        return self._write(work)

    def audit_entries(self, device: str) -> list[tuple[int, str, str]]:
        with self._lock:
            return held_entries(self._conn, device)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
