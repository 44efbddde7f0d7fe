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
    hall: str | None = None  # None: this hall


def find_appointment(db: sqlite_utils.Database, number: str) -> Appointment | None:
    row = db.execute(
        "SELECT appointment_number, item_code, day, applicant_name, id_type, id_number, "
        "phone, used, hall FROM appointments WHERE appointment_number = ?",
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
        hall=row[8],
    )


def save_appointments(db: sqlite_utils.Database, appointments: list[Appointment]) -> None:
    """Insert or replace appointments (the demo seeds them; sync pulls them later)."""
    with write_transaction(db):
        db.table("appointments").upsert_all(
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
                    "hall": a.hall,
                }
                for a in appointments
            ],
            pk="appointment_number",
        )


def seed_appointments(db: sqlite_utils.Database, appointments: list[Appointment]) -> None:
    """Add demo appointments that are not there yet; a used one stays used on restart.

    One seeded as used is marked used even when a pull stored it first, so seeding and
    the sync's pull give the same box in either order (issue 18).
    """
    with write_transaction(db):
        for a in appointments:
            if a.used:
                db.execute(
                    "UPDATE appointments SET used = 1 WHERE appointment_number = ?", [a.number]
                )
            db.execute(
                "INSERT OR IGNORE INTO appointments (appointment_number, item_code, day, "
                "applicant_name, id_type, id_number, phone, used, hall) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    a.number,
                    a.item_code,
                    a.day.isoformat(),
                    a.applicant.name,
                    a.applicant.id_type,
                    a.applicant.id_number,
                    a.applicant.phone,
                    int(a.used),
                    a.hall,
                ],
            )


def mark_used(db: sqlite_utils.Database, number: str, submission_id: str) -> None:
    """Record that a submission used the appointment; call inside its write transaction."""
    db.execute(
        "UPDATE appointments SET used = 1, used_by = ? WHERE appointment_number = ?",
        [submission_id, number],
    )
