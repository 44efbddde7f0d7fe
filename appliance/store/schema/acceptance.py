"""Schema for the acceptance flow: the service-item catalogue, the audit chain, the kept
draft, and the hall and use of each appointment.

Kept apart from ``migrations.py`` so that file only lists the steps in order.
"""

from __future__ import annotations

import sqlite_utils

ACCEPTANCE_SCHEMA = """
CREATE TABLE catalogue_items (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    department TEXT NOT NULL,
    promised_days INTEGER,
    default_type TEXT NOT NULL CHECK (default_type IN ('branch', 'department')),
    pinyin TEXT NOT NULL,
    initials TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    entry TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE drafts (
    slot TEXT PRIMARY KEY,
    saved_at TEXT NOT NULL,
    payload TEXT NOT NULL
);
ALTER TABLE appointments ADD COLUMN hall TEXT;
ALTER TABLE appointments ADD COLUMN used_by TEXT
"""


def acceptance_tables(db: sqlite_utils.Database) -> None:
    """Migration: catalogue, audit chain, drafts, appointment hall and use."""
    for statement in ACCEPTANCE_SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
