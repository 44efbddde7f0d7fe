"""What the sync process last saw, kept in the shared database for the kiosk and the CLI.

The sync process writes; the UI process only reads. Names are a small fixed set.
"""

from __future__ import annotations

import sqlite_utils

from appliance.store.db import write_transaction

NAMES = frozenset(
    {
        "online",
        "last_success_at",
        "last_error",
        "last_error_at",
        "catalogue_cursor",
        "appointments_pulled_at",
        "heartbeat_at",
    }
)


def write_state(db: sqlite_utils.Database, **values: str | None) -> None:
    unknown = set(values) - NAMES
    if unknown:
        raise KeyError(f"unknown sync state names: {sorted(unknown)}")
    with write_transaction(db):
        for name, value in values.items():
            db.execute(
                "INSERT INTO sync_state (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [name, value],
            )


def read_state(db: sqlite_utils.Database) -> dict[str, str | None]:
    return dict(db.execute("SELECT name, value FROM sync_state").fetchall())
