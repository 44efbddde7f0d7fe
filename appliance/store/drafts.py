"""The acceptance in progress, kept in SQLite so a pulled key, a crash or a restart
loses nothing the clerk typed. One slot per box: one clerk serves one applicant.

A draft holds the applicant's full ID number, so it is not kept for ever (issue 18): it
goes at the end of the hall's day it was last saved on (midnight, Asia/Shanghai) or,
where ``[appliance] draft_keep_hours`` is set, that many hours after it was last saved,
whichever comes first. The database runs with ``secure_delete``, so the row's bytes are
zeroed, not left in a free page.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from appliance.store.db import write_transaction

SLOT = "counter"
HALL_TIME = ZoneInfo("Asia/Shanghai")


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


def draft_expired(saved_at: datetime, now: datetime, keep_hours: int | None) -> bool:
    """Whether a draft last saved at ``saved_at`` must be gone by ``now``."""
    if saved_at.astimezone(HALL_TIME).date() < now.astimezone(HALL_TIME).date():
        return True  # a day has ended since
    return keep_hours is not None and now - saved_at >= timedelta(hours=keep_hours)


def purge_stale_draft(
    db: sqlite_utils.Database, now: datetime, keep_hours: int | None
) -> datetime | None:
    """Delete the draft whose time is up; when it was last saved, or None if none went."""
    row = db.execute("SELECT saved_at FROM drafts WHERE slot = ?", [SLOT]).fetchone()
    if row is None or not draft_expired(datetime.fromisoformat(row[0]), now, keep_hours):
        return None
    with write_transaction(db):
        gone = db.execute(
            "DELETE FROM drafts WHERE slot = ? AND saved_at = ?", [SLOT, row[0]]
        ).rowcount
    return datetime.fromisoformat(row[0]) if gone else None
