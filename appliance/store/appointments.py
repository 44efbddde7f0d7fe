"""Appointments (预约) known on the box, looked up by appointment number offline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from appliance.domain.submission import Applicant
from appliance.store.db import write_transaction


@dataclass(frozen=True)
class Appointment:
    number: str
    item_code: str
    day: date
    applicant: Applicant
    used: bool


def find_appointment(db: sqlite_utils.Database, number: str) -> Appointment | None:
    row = db.execute(
        "SELECT appointment_number, item_code, day, applicant_name, id_type, id_number, "
        "phone, used FROM appointments WHERE appointment_number = ?",
        [number],
    ).fetchone()
    if row is None:
        return None
    return Appointment(
        number=row[0],
        item_code=row[1],
        day=date.fromisoformat(row[2]),
        applicant=Applicant(name=row[3], id_type=row[4], id_number=row[5], phone=row[6]),
        used=bool(row[7]),
    )


def save_appointments(db: sqlite_utils.Database, appointments: list[Appointment]) -> None:
    """Insert or replace appointments (the demo seeds them; sync pulls them later)."""
    with write_transaction(db):
        db["appointments"].upsert_all(
            [
                {
                    "appointment_number": a.number,
                    "item_code": a.item_code,
                    "day": a.day.isoformat(),
                    "applicant_name": a.applicant.name,
                    "id_type": a.applicant.id_type,
                    "id_number": a.applicant.id_number,
                    "phone": a.applicant.phone,
                    "used": int(a.used),
                }
                for a in appointments
            ],
            pk="appointment_number",
        )
