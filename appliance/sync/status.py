"""The outbox and sync state as one summary: for ``appliance queue status`` and the kiosk."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from appliance.store import outbox
from appliance.store.sync_state import read_state
from appliance.wording import text

HALL_TIME = ZoneInfo("Asia/Shanghai")


def queue_status(db: sqlite_utils.Database) -> dict[str, Any]:
    counts = outbox.counts(db)
    state = read_state(db)
    return {
        "backlog": counts.backlog,
        "pending": counts.pending,
        "in_flight": counts.in_flight,
        "delivered": counts.delivered,
        "rejected": counts.rejected,
        "rejected_items": [
            {"receipt_number": r.receipt_number, "reason": r.reason}
            for r in outbox.rejected_items(db)
        ],
        "online": state.get("online") == "1",
        "last_success_at": state.get("last_success_at"),
        "last_error": state.get("last_error"),
        "last_error_at": state.get("last_error_at"),
    }


def format_status(status: dict[str, Any]) -> str:
    lines = [
        f"backlog:      {status['backlog']} (pending {status['pending']}, "
        f"in flight {status['in_flight']})",
        f"delivered:    {status['delivered']}",
        f"rejected:     {status['rejected']}",
        *(f"  {r['receipt_number']}: {r['reason']}" for r in status["rejected_items"]),
        f"last success: {status['last_success_at'] or 'never'}",
        f"last error:   {status['last_error'] or 'none'}"
        + (f" (at {status['last_error_at']})" if status["last_error_at"] else ""),
    ]
    return "\n".join(lines)


def hall_clock(stamp: str | None) -> str | None:
    """``HH:MM`` in hall time for a stored UTC stamp (``MM-DD HH:MM`` if not today)."""
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp).astimezone(HALL_TIME)
    if moment.date() == datetime.now(HALL_TIME).date():
        return moment.strftime("%H:%M")
    return moment.strftime("%m-%d %H:%M")


def status_bar_texts(db: sqlite_utils.Database) -> tuple[str, str]:
    """(network, backlog) for the kiosk's status bar, in the manual's words."""
    state = read_state(db)
    counts = outbox.counts(db)
    online = state.get("online") == "1"
    if not (last := hall_clock(state.get("last_success_at"))):
        network = text("sync.online") if online else text("sync.offline")
    elif online:
        network = text("sync.online_since", last=last)
    else:
        network = text("sync.offline_since", last=last)
    if counts.rejected:
        backlog = text("sync.backlog_rejected", backlog=counts.backlog, rejected=counts.rejected)
    else:
        backlog = text("sync.backlog", backlog=counts.backlog)
    return network, backlog
