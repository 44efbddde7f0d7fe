"""An append-only audit log whose entries are chained by SHA-256 and sealed.

Each row stores its entry (canonical JSON), the hash of the row before it and its own
hash over both, so removing or editing a row breaks every later hash; triggers refuse
UPDATE and DELETE. The chain is public, so each row also carries a forward-secure seal
(:mod:`appliance.store.audit_seal`): whoever takes the box cannot re-seal what came
before. Entries never hold a PIN and hold ID numbers only masked.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlite_utils

from appliance.store.audit_seal import seal_entry

GENESIS = "0" * 64


def entry_hash(previous_hash: str, at: str, action: str, entry: str) -> str:
    payload = "\n".join((previous_hash, at, action, entry)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def append_audit(
    db: sqlite_utils.Database, at: datetime, action: str, entry: dict[str, Any]
) -> str:
    """Append one entry; call inside the write transaction of the change it records."""
    last = db.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    previous = last[0] if last else GENESIS
    stamp = at.isoformat()
    text = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = entry_hash(previous, stamp, action, text)
    seq = _next_seq(db)
    db.execute(
        "INSERT INTO audit_log (seq, at, action, entry, previous_hash, hash, seal) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [seq, stamp, action, text, previous, digest, seal_entry(db, seq, digest, at)],
    )
    return digest


def _next_seq(db: sqlite_utils.Database) -> int:
    """What AUTOINCREMENT would hand out (the write lock is held: nobody else appends)."""
    counter = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    last = db.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
    return max(counter[0] if counter else 0, last or 0) + 1


def first_broken_link(db: sqlite_utils.Database) -> int | None:
    """The ``seq`` of the first row whose chain does not verify, or None when intact."""
    previous = GENESIS
    for seq, at, action, entry, prev, digest in db.execute(
        "SELECT seq, at, action, entry, previous_hash, hash FROM audit_log ORDER BY seq"
    ):
        if prev != previous or entry_hash(prev, at, action, entry) != digest:
            return seq
        previous = digest
    return None
