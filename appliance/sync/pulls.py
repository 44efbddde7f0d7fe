"""Look-up data pulled from the branch server so the counter works offline.

The catalogue comes incrementally: the server's cursor is kept only after the items it
covers are stored, so a crash in between pulls the same changes again (harmless).
Appointments cover today and the next 10 working days.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import sqlite_utils

from appliance.domain.submission import Applicant, add_working_days
from appliance.store.appointments import Appointment, save_appointments
from appliance.store.catalogue import upsert_catalogue_items
from appliance.store.db import write_transaction
from appliance.store.sync_state import read_state, write_state
from appliance.sync.client import BranchClient, SyncProblem

APPOINTMENT_WORKING_DAYS = 10
MAX_CATALOGUE_PAGES = 100


def pull_catalogue(db: sqlite_utils.Database, client: BranchClient) -> int:
    """Store every change since the saved cursor; return how many items changed."""
    cursor = read_state(db).get("catalogue_cursor") or "0"
    changed = 0
    for _ in range(MAX_CATALOGUE_PAGES):
        items, cursor, more = client.catalogue_changes(cursor)
        try:
            live = [i for i in items if not i.get("deleted")]
            gone = [i["code"] for i in items if i.get("deleted")]
            if live:
                upsert_catalogue_items(db, live)
        except (KeyError, TypeError, ValueError) as exc:
            raise SyncProblem("protocol", f"catalogue item unusable: {exc}") from None
        if gone:
            with write_transaction(db):
                db.execute(
                    f"DELETE FROM catalogue_items WHERE code IN ({','.join('?' * len(gone))})", gone
                )
        write_state(db, catalogue_cursor=cursor)
        changed += len(items)
        if not more:
            break
    return changed


def pull_appointments(db: sqlite_utils.Database, client: BranchClient, today: date) -> int:
    """Store the appointments of the coming working days; a local "used" mark is kept."""
    last = add_working_days(today, APPOINTMENT_WORKING_DAYS)
    raw = client.appointments(today, last)
    try:
        appointments = [appointment_from_wire(a) for a in raw]
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncProblem("protocol", f"appointment unusable: {exc}") from None
    used_here = {
        row[0] for row in db.execute("SELECT appointment_number FROM appointments WHERE used = 1")
    }
    save_appointments(
        db, [replace(a, used=True) if a.number in used_here else a for a in appointments]
    )
    return len(appointments)


def appointment_from_wire(raw: dict[str, Any]) -> Appointment:
    return Appointment(
        number=str(raw["number"]),
        item_code=str(raw["item_code"]),
        day=date.fromisoformat(raw["day"]),
        applicant=Applicant(
            str(raw["applicant_name"]), str(raw["id_type"]), str(raw["id_number"]), raw.get("phone")
        ),
        used=bool(raw.get("used", False)),
        hall=raw.get("hall"),
    )
