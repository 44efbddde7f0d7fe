"""Schema for issue 9: how far the audit chain reached the branch server, and when each
acceptance's first look-up happened (handling time).

Neither table holds personal data, so both survive the retention purge.
"""

from __future__ import annotations

import sqlite_utils

AUDIT_STATS_SCHEMA = """
CREATE TABLE audit_delivery (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    delivered_seq INTEGER NOT NULL,
    delivered_at TEXT NOT NULL,
    last_error TEXT
);
CREATE TABLE handling_times (
    submission_id TEXT PRIMARY KEY REFERENCES submissions(id),
    looked_up_at TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    seconds REAL NOT NULL
)
"""


def audit_stats_tables(db: sqlite_utils.Database) -> None:
    """Migration: audit delivery mark, handling times."""
    for statement in AUDIT_STATS_SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)


AUDIT_SEAL_SCHEMA = """
ALTER TABLE audit_log ADD COLUMN seal TEXT;
CREATE TABLE audit_seal (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    first_seq INTEGER NOT NULL,
    created_at TEXT NOT NULL
)
"""


def audit_seal_tables(db: sqlite_utils.Database) -> None:
    """Migration (issue 18): each audit entry's seal, and where sealing began (the key
    itself lives in a file beside the database, never in SQLite).

    Entries already in the chain keep no seal; the next one appended is the first sealed
    (the seed is made then, see :mod:`appliance.store.audit_seal`)."""
    for statement in AUDIT_SEAL_SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
