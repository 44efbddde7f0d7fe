"""Schema for the print-job journal: every receipt stays attached to its submission.

Kept apart from ``migrations.py`` so that file only lists the steps in order.
"""

from __future__ import annotations

import sqlite_utils

PRINT_SCHEMA = """
CREATE TABLE print_jobs (
    submission_id TEXT PRIMARY KEY REFERENCES submissions(id),
    receipt_number TEXT NOT NULL,
    columns INTEGER NOT NULL,
    lines TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX print_jobs_state ON print_jobs (state, created_at)
"""


def print_tables(db: sqlite_utils.Database) -> None:
    """Migration: the print-job journal (masked receipt lines and their print state)."""
    for statement in PRINT_SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
