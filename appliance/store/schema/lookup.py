"""Schema for online appointment look-ups asked by the kiosk, answered by the sync process.

The kiosk has no IP networking, so a cache miss becomes a row here; the sync process
asks the branch server and answers in the same row. Kept apart from ``migrations.py``
so that file only lists the steps in order.
"""

from __future__ import annotations

import sqlite_utils

LOOKUP_SCHEMA = """
CREATE TABLE appointment_requests (
    number TEXT PRIMARY KEY,
    requested_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'found', 'not_found', 'failed')),
    answered_at TEXT,
    detail TEXT
);
CREATE INDEX appointment_requests_state ON appointment_requests (state, requested_at)
"""


def appointment_request_table(db: sqlite_utils.Database) -> None:
    """Migration: one row per appointment number asked for online (asked again: reused)."""
    for statement in LOOKUP_SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
