"""Schema for the device health the kiosk publishes for the heartbeat (issue 5).

Kept apart from ``migrations.py`` so that file only lists the steps in order.
"""

from __future__ import annotations

import sqlite_utils

HEALTH_SCHEMA = """
CREATE TABLE device_health (
    device TEXT PRIMARY KEY CHECK (device IN ('printer', 'camera', 'key')),
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL
)
"""


def device_health_table(db: sqlite_utils.Database) -> None:
    """Migration: one row per device, written by the kiosk, read by the sync process."""
    db.execute(HEALTH_SCHEMA)
