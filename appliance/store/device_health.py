"""Device health shared between processes: the kiosk publishes, the heartbeat reads.

The sync process cannot see the printer, camera or key (they belong to the UI process),
so the kiosk writes what it last saw into this table. A row the kiosk has not refreshed
within ``max_age`` reads as "unknown": the kiosk may be stopped, and a stale "ready"
would hide that from the branch server.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from appliance.store.db import write_transaction
from appliance.store.outbox import stamp

DEVICES = ("printer", "camera", "key")
UNKNOWN = "unknown"
REFRESH = timedelta(seconds=60)  # the kiosk rewrites unchanged health this often
MAX_AGE = 3 * REFRESH  # older than this, the kiosk is presumed gone


def publish_health(db: sqlite_utils.Database, statuses: dict[str, str], now: datetime) -> None:
    """Record what the kiosk sees now (every device, so each row is fresh)."""
    with write_transaction(db):
        for device, status in statuses.items():
            db.execute(
                "INSERT INTO device_health (device, status, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (device) DO UPDATE SET status = excluded.status, "
                "updated_at = excluded.updated_at",
                [device, status, stamp(now)],
            )


def read_health(
    db: sqlite_utils.Database, now: datetime, max_age: timedelta = MAX_AGE
) -> dict[str, str]:
    """Each device's last published status, or "unknown" when none is fresh."""
    fresh_since = stamp(now - max_age)
    found = {
        device: status
        for device, status, updated in db.execute(
            "SELECT device, status, updated_at FROM device_health"
        )
        if updated >= fresh_since
    }
    return {device: found.get(device, UNKNOWN) for device in DEVICES}
