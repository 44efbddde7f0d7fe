"""Schema for background sync: the sync process's state for the UI, retention marks.

Kept apart from ``migrations.py`` so that file only lists the steps in order.
"""

from __future__ import annotations

import sqlite_utils

SYNC_SCHEMA = """
CREATE TABLE sync_state (
    name TEXT PRIMARY KEY,
    value TEXT
);
ALTER TABLE submissions ADD COLUMN purged_at TEXT;
CREATE INDEX outbox_delivered_at ON outbox (state, delivered_at)
"""


def sync_tables(db: sqlite_utils.Database) -> None:
    """Migration: the sync state table and the personal-data purge mark."""
    for statement in SYNC_SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
