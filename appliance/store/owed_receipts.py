"""Receipts still owed to applicants: the print journal's unprinted jobs with what the
clerk needs to recognise each one, and the stored submission to lay one out again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from appliance.domain.catalogue import ItemType
from appliance.domain.identity import DocumentType
from appliance.domain.receipt import ReceiptData
from appliance.store.submissions import is_synced


@dataclass(frozen=True)
class OwedRow:
    submission_id: str
    receipt_number: str
    item_name: str
    applicant_name: str  # in clear: the workflow masks it before it reaches a screen
    accepted_at: datetime
    last_error: str | None  # a printer status name (paper_out…), or None after a restart


def owed_rows(db: sqlite_utils.Database) -> list[OwedRow]:
    """Oldest first, so the applicant who has waited longest is served first."""
    rows = db.execute(
        "SELECT s.id, s.receipt_number, s.item_name, s.applicant_name, s.created_at, "
        "p.last_error FROM print_jobs p JOIN submissions s ON s.id = p.submission_id "
        "WHERE p.state != 'printed' ORDER BY p.created_at, s.receipt_number"
    ).fetchall()
    return [
        OwedRow(sid, number, item, name, datetime.fromisoformat(at), error)
        for sid, number, item, name, at, error in rows
    ]


def owed_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM print_jobs WHERE state != 'printed'").fetchone()[0]


def stored_receipt_data(db: sqlite_utils.Database, submission_id: str) -> ReceiptData:
    """The receipt of a stored submission, for laying it out again on narrower paper."""
    (
        hall,
        window,
        number,
        item_name,
        item_code,
        item_type,
        name,
        id_type,
        id_number,
        created,
        operator,
        appointment,
        promised,
    ) = db.execute(
        "SELECT hall_name, window, receipt_number, item_name, item_code, item_type, "
        "applicant_name, id_type, id_number, created_at, operator_name, appointment_number, "
        "promised_date FROM submissions WHERE id = ?",
        [submission_id],
    ).fetchone()
    return ReceiptData(
        hall_name=hall,
        window=window,
        receipt_number=number,
        item_name=item_name,
        item_code=item_code,
        item_type_label=ItemType(item_type).label,
        applicant_name=name,
        id_type_label=DocumentType(id_type).label,
        id_number=id_number,
        accepted_at=datetime.fromisoformat(created),
        operator_name=operator,
        appointment_number=appointment,
        promised_date=date.fromisoformat(promised) if promised else None,
        synced=is_synced(db, submission_id),
    )
