"""The acceptance in progress, kept in SQLite so a pulled key, a crash or a restart
loses nothing the clerk typed. One slot per box: one clerk serves one applicant."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from appliance.store.db import write_transaction

SLOT = "counter"


def save_draft(db: sqlite_utils.Database, payload: dict[str, Any], at: datetime) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT OR REPLACE INTO drafts (slot, saved_at, payload) VALUES (?, ?, ?)",
            [SLOT, at.isoformat(), json.dumps(payload, ensure_ascii=False)],
        )


def load_draft(db: sqlite_utils.Database) -> dict[str, Any] | None:
    row = db.execute("SELECT payload FROM drafts WHERE slot = ?", [SLOT]).fetchone()
    return json.loads(row[0]) if row else None


def clear_draft(db: sqlite_utils.Database) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM drafts WHERE slot = ?", [SLOT])
