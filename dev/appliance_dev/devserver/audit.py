"""The branch server's copy of each box's audit chain (``POST /v1/audit/batch``).

Entries arrive in ``seq`` order; each is stored only if its hash is right and it links
to the entry before it, so the server's copy is itself a verified chain. The same entry
again is a harmless duplicate; a different entry under a known ``seq`` is a conflict:
the box's chain was rewritten after the server saw it.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from appliance.store.audit import GENESIS, entry_hash

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_entries (
    device TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    entry TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (device, seq)
)
"""
FIELDS = ("at", "action", "entry", "previous_hash", "hash")
MAX_ENTRIES = 500
MAX_SEQ = 2**63 - 1  # SQLite's INTEGER


class AuditRefused(Exception):
    """The batch does not continue the chain held for the device (HTTP 409 or 400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def entries_problem(body: dict[str, Any]) -> str | None:
    entries = body.get("entries")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
        return f"entries: a list of 1 to {MAX_ENTRIES} entries"
    for entry in entries:
        seq = entry.get("seq") if isinstance(entry, dict) else None
        if isinstance(seq, float) and seq.is_integer():
            seq = entry["seq"] = int(seq)  # JSON Schema counts 3.0 as an integer
        if (
            not isinstance(seq, int)
            or isinstance(seq, bool)
            or not 1 <= seq <= MAX_SEQ
            or not all(isinstance(entry.get(name), str) for name in FIELDS)
        ):
            return (
                f"every entry needs seq (integer from 1 to {MAX_SEQ}) and at, action, entry, "
                "previous_hash, hash (strings)"
            )
        if not all(_encodable(entry[name]) for name in FIELDS):
            return "entry texts must be valid Unicode"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def store_audit_batch(conn: sqlite3.Connection, device: str, entries: list[dict[str, Any]]) -> int:
    """Store the entries; return the highest ``seq`` now held for the device."""
    conn.execute(SCHEMA)
    for e in sorted(entries, key=lambda item: item["seq"]):
        if entry_hash(e["previous_hash"], e["at"], e["action"], e["entry"]) != e["hash"]:
            raise AuditRefused(409, f"entry {e['seq']} does not hash to its digest")
        held = conn.execute(
            "SELECT hash FROM audit_entries WHERE device = ? AND seq = ?", [device, e["seq"]]
        ).fetchone()
        if held is not None:
            if held[0] != e["hash"]:
                raise AuditRefused(409, f"entry {e['seq']} differs from the one received before")
            continue
        before = GENESIS if e["seq"] == 1 else _hash_at(conn, device, e["seq"] - 1)
        if before != e["previous_hash"]:
            raise AuditRefused(409, f"entry {e['seq']} does not follow the chain held")
        conn.execute(
            "INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                device,
                e["seq"],
                *(e[name] for name in FIELDS),
                datetime.now(UTC).isoformat(timespec="milliseconds"),
            ],
        )
    row = conn.execute("SELECT MAX(seq) FROM audit_entries WHERE device = ?", [device]).fetchone()
    return row[0] or 0


def _hash_at(conn: sqlite3.Connection, device: str, seq: int) -> str | None:
    row = conn.execute(
        "SELECT hash FROM audit_entries WHERE device = ? AND seq = ?", [device, seq]
    ).fetchone()
    return row[0] if row else None


def held_entries(conn: sqlite3.Connection, device: str) -> list[tuple[int, str, str]]:
    conn.execute(SCHEMA)
    return conn.execute(
        "SELECT seq, action, hash FROM audit_entries WHERE device = ? ORDER BY seq", [device]
    ).fetchall()
