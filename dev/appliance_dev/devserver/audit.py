"""The branch server's copy of each box's audit chain (``POST /v1/audit/batch``).

Entries arrive in ``seq`` order; each is stored only if its hash is right and it links
to the entry before it, so the server's copy is itself a verified chain. The same entry
again is a harmless duplicate; a different entry under a known ``seq`` is a conflict:
the box's chain was rewritten after the server saw it.

Sealed chains (issue 18): at its first registration the box hands over its audit
verification key (``POST /v1/audit/verify-key``); the first key registered for a device
stays (a different one later is refused: whoever took the box cannot swap it). From then
on every entry from the first sealed ``seq`` on must carry the seal made with the key of
its place, derived here from the seed, so a chain edited on the box and re-hashed before
delivery is refused, naming the entry.
"""

from __future__ import annotations

import hmac
import sqlite3
from datetime import UTC, datetime
from typing import Any

from appliance.store.audit import GENESIS, entry_hash
from appliance.store.audit_seal import BadVerifyKey, decode_verify_key, evolve, seal

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
);
CREATE TABLE IF NOT EXISTS audit_keys (
    device TEXT PRIMARY KEY,
    seed BLOB NOT NULL,
    first_seq INTEGER NOT NULL,
    next_seq INTEGER NOT NULL,
    next_key BLOB NOT NULL,
    registered_at TEXT NOT NULL
)
"""
SEAL_COLUMN = "ALTER TABLE audit_entries ADD COLUMN seal TEXT"
FIELDS = ("at", "action", "entry", "previous_hash", "hash")
MAX_ENTRIES = 500
MAX_SEQ = 2**62  # within SQLite's INTEGER, with room for next_seq = seq + 1


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
            or not isinstance(entry.get("seal"), str | None)
        ):
            return (
                f"every entry needs seq (integer from 1 to {MAX_SEQ}) and at, action, entry, "
                "previous_hash, hash (strings), and seal (string) when sealed"
            )
        if not all(_encodable(entry[name]) for name in FIELDS):
            return "entry texts must be valid Unicode"
    return None


def verify_key_problem(body: dict[str, Any]) -> str | None:
    key, first_seq = body.get("verify_key"), body.get("first_seq")
    if isinstance(first_seq, float) and first_seq.is_integer() and abs(first_seq) <= MAX_SEQ:
        first_seq = body["first_seq"] = int(first_seq)  # JSON Schema counts 3.0 as an integer
    if (
        not isinstance(key, str)
        or not isinstance(first_seq, int)
        or isinstance(first_seq, bool)
        or not 1 <= first_seq <= MAX_SEQ
    ):
        return "verify_key (string) and first_seq (integer from 1) are required"
    try:
        decode_verify_key(key)
    except BadVerifyKey as bad:
        return f"verify_key: {bad}"
    return None


def ensure_schema(conn: sqlite3.Connection) -> None:
    """The tables, and the seal column on a copy made before issue 18 (in the caller's
    transaction: executescript would commit it)."""
    for statement in SCHEMA.split(";\n"):
        conn.execute(statement)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(audit_entries)")]
    if "seal" not in columns:
        conn.execute(SEAL_COLUMN)


def register_verify_key(conn: sqlite3.Connection, device: str, key: str, first_seq: int) -> bool:
    """Keep the device's verification key; True when new, False when the same one again.

    A different key for a device that has one is refused (409): the first registration,
    made when the box was set up, is the one that counts.
    """
    seed = decode_verify_key(key)
    held = conn.execute(
        "SELECT seed, first_seq FROM audit_keys WHERE device = ?", [device]
    ).fetchone()
    if held is not None:
        if bytes(held[0]) == seed and held[1] == first_seq:
            return False
        raise AuditRefused(409, "this box has a different audit verification key registered")
    conn.execute(
        "INSERT INTO audit_keys VALUES (?, ?, ?, ?, ?, ?)",
        [device, seed, first_seq, first_seq, evolve(seed), datetime.now(UTC).isoformat()],
    )
    return True


def _seal_key(conn: sqlite3.Connection, device: str, seq: int) -> bytes | None:
    """The sealing key of entry ``seq`` (None: no key registered, or before sealing)."""
    row = conn.execute(
        "SELECT seed, first_seq, next_seq, next_key FROM audit_keys WHERE device = ?", [device]
    ).fetchone()
    if row is None or seq < row[1]:
        return None
    key_seq, key = (row[2], bytes(row[3])) if seq >= row[2] else (row[1], evolve(bytes(row[0])))
    while key_seq < seq:
        key, key_seq = evolve(key), key_seq + 1
    conn.execute(
        "UPDATE audit_keys SET next_seq = ?, next_key = ? WHERE device = ? AND next_seq <= ?",
        [seq, key, device, seq],
    )
    return key


def _seal_problem(conn: sqlite3.Connection, device: str, e: dict[str, Any]) -> str | None:
    key = _seal_key(conn, device, e["seq"])
    if key is None:
        return None
    if e.get("seal") is None:
        return f"entry {e['seq']} has no seal"
    if not hmac.compare_digest(seal(key, e["seq"], e["hash"]), e["seal"]):
        return f"entry {e['seq']} is not sealed by the box's key of its time"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def store_audit_batch(conn: sqlite3.Connection, device: str, entries: list[dict[str, Any]]) -> int:
    """Store the entries; return the highest ``seq`` now held for the device."""
    ensure_schema(conn)
    for e in sorted(entries, key=lambda item: item["seq"]):
        if entry_hash(e["previous_hash"], e["at"], e["action"], e["entry"]) != e["hash"]:
            raise AuditRefused(409, f"entry {e['seq']} does not hash to its digest")
        held = conn.execute(
            "SELECT hash, seal FROM audit_entries WHERE device = ? AND seq = ?",
            [device, e["seq"]],
        ).fetchone()
        if held is not None:
            if tuple(held) != (e["hash"], e.get("seal")):
                raise AuditRefused(409, f"entry {e['seq']} differs from the one received before")
            continue
        before = GENESIS if e["seq"] == 1 else _hash_at(conn, device, e["seq"] - 1)
        if before != e["previous_hash"]:
            raise AuditRefused(409, f"entry {e['seq']} does not follow the chain held")
        if problem := _seal_problem(conn, device, e):  # linked: its key is a few steps on
            raise AuditRefused(409, problem)
        conn.execute(
            "INSERT INTO audit_entries (device, seq, at, action, entry, previous_hash, hash, "
            "received_at, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                device,
                e["seq"],
                *(e[name] for name in FIELDS),
                datetime.now(UTC).isoformat(timespec="milliseconds"),
                e.get("seal"),
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
    ensure_schema(conn)
    return conn.execute(
        "SELECT seq, action, hash FROM audit_entries WHERE device = ? ORDER BY seq", [device]
    ).fetchall()
