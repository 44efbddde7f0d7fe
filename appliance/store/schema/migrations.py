"""Versioned schema migrations, tracked in ``PRAGMA user_version``.

Each migration runs in its own write transaction; append new ones, never edit old ones.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import sqlite_utils

from appliance import log
from appliance.store.schema.acceptance import acceptance_tables
from appliance.store.schema.audit import audit_seal_tables, audit_stats_tables
from appliance.store.schema.health import device_health_table
from appliance.store.schema.identity import identity_columns
from appliance.store.schema.lookup import appointment_request_table
from appliance.store.schema.printing import print_tables
from appliance.store.schema.sync import sync_tables

V1_SCHEMA = """
CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    receipt_number TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    hall_name TEXT NOT NULL,
    window TEXT NOT NULL,
    operator_name TEXT NOT NULL,
    operator_serial TEXT NOT NULL,
    lookup_method TEXT NOT NULL CHECK (lookup_method IN ('qr', 'appointment', 'search')),
    queue_number TEXT,
    appointment_number TEXT,
    item_code TEXT NOT NULL,
    item_name TEXT NOT NULL,
    item_type TEXT NOT NULL CHECK (item_type IN ('branch', 'department')),
    promised_date TEXT,
    applicant_name TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_number TEXT NOT NULL,
    phone TEXT,
    printed_count INTEGER NOT NULL DEFAULT 0,
    last_printed_at TEXT
);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL UNIQUE REFERENCES submissions(id),
    idempotency_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'in_flight', 'delivered', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until TEXT,
    last_error TEXT,
    delivered_at TEXT
);
CREATE INDEX outbox_state ON outbox (state, seq);
CREATE TABLE appointments (
    appointment_number TEXT PRIMARY KEY,
    item_code TEXT NOT NULL,
    day TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_number TEXT NOT NULL,
    phone TEXT,
    used INTEGER NOT NULL DEFAULT 0
);
"""


def _v1(db: sqlite_utils.Database) -> None:
    for statement in V1_SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1,
    acceptance_tables,  # issue 7: catalogue, audit chain, drafts, appointment hall/use
    sync_tables,  # issue 5: sync state for the UI, retention purge mark
    print_tables,  # issue 6: print-job journal, receipt kept with its submission
    audit_stats_tables,  # issue 9: audit delivery mark, handling times
    device_health_table,  # issue 5: device health published by the kiosk for the heartbeat
    appointment_request_table,  # issue 7: online appointment look-ups via the sync process
    identity_columns,  # issue 14: identity read from the ID card, expired card accepted
    audit_seal_tables,  # issue 18: forward-secure seals on the audit chain
]


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(
    db: sqlite_utils.Database,
    transaction: Callable[[sqlite_utils.Database], AbstractContextManager],
) -> int:
    """Apply every migration newer than the database; return the resulting version."""
    for version, step in enumerate(MIGRATIONS, start=1):
        with transaction(db):
            if schema_version(db) >= version:
                continue
            step(db)
            db.execute(f"PRAGMA user_version = {version}")
        log.event("store.migrated", version=version)
    return schema_version(db)
