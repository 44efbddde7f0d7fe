"""Storing submissions: the submission row and its outbox row in one transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlite_utils

from appliance import log
from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.masking import mask_id_number
from appliance.domain.submission import (
    Applicant,
    IdentityCheck,
    LookupMethod,
    Operator,
    Submission,
    receipt_number,
)
from appliance.store.appointments import mark_used
from appliance.store.audit import append_audit
from appliance.store.db import write_transaction


def _next_sequence(db: sqlite_utils.Database, window: str, day_prefix: str) -> int:
    row = db.execute(
        "SELECT COUNT(*) FROM submissions WHERE window = ? AND substr(created_at, 1, 10) = ?",
        [window, day_prefix],
    ).fetchone()
    return row[0] + 1


def _identity_fields(identity: IdentityCheck | None) -> dict[str, Any]:
    """Where the document number came from and, read from a card, the card's validity
    that day and the clerk's 仍然受理 (columns and the branch server's fields alike)."""
    validity = identity.card_validity if identity else None
    return {
        "id_source": identity.source.value if identity else None,
        "card_validity": validity.value if validity else None,
        "validity_override": bool(identity and identity.override),
    }


def _row(submission: Submission) -> dict[str, Any]:
    promised = submission.promised_date
    return {
        "id": submission.id,
        "receipt_number": submission.receipt_number,
        "created_at": submission.created_at.isoformat(),
        "hall_name": submission.hall_name,
        "window": submission.window,
        "operator_name": submission.operator.name,
        "operator_serial": submission.operator.serial,
        "lookup_method": submission.lookup_method.value,
        "queue_number": submission.queue_number,
        "appointment_number": submission.appointment_number,
        "item_code": submission.item.code,
        "item_name": submission.item.name,
        "item_type": submission.item_type.value,
        "promised_date": promised.isoformat() if promised else None,
        "applicant_name": submission.applicant.name,
        "id_type": submission.applicant.id_type,
        "id_number": submission.applicant.id_number,
        "phone": submission.applicant.phone,
        **_identity_fields(submission.identity),
    }


def store_submission(
    db: sqlite_utils.Database,
    *,
    created_at: datetime,
    hall_name: str,
    window: str,
    operator: Operator,
    lookup_method: LookupMethod,
    item: ServiceItem,
    item_type: ItemType,
    applicant: Applicant,
    queue_number: str | None = None,
    appointment_number: str | None = None,
    identity: IdentityCheck | None = None,
    envelope: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Submission:
    """Create the submission, give it a receipt number and queue it for the branch server.

    The id and the idempotency key exist before anything is sent, so a resend after a
    crash is recognised by the server as the same submission. ``envelope`` turns the row
    into the outbox payload (the operator's signature) inside the same transaction; if
    it raises, nothing is stored.
    """
    with write_transaction(db):
        sequence = _next_sequence(db, window, created_at.date().isoformat())
        submission = Submission(
            id=str(uuid.uuid4()),
            receipt_number=receipt_number(window, created_at.date(), sequence),
            created_at=created_at,
            hall_name=hall_name,
            window=window,
            operator=operator,
            lookup_method=lookup_method,
            item=item,
            item_type=item_type,
            applicant=applicant,
            queue_number=queue_number,
            appointment_number=appointment_number,
            identity=identity,
        )
        row = _row(submission)
        db.table("submissions").insert(row)
        db.table("outbox").insert(
            {
                "submission_id": submission.id,
                "idempotency_key": str(uuid.uuid4()),
                "payload": json.dumps(
                    envelope(row) if envelope else row, ensure_ascii=False, sort_keys=True
                ),
            }
        )
        if appointment_number:
            mark_used(db, appointment_number, submission.id)
        append_audit(
            db,
            created_at,
            "submission.created",
            {
                "submission": submission.id,
                "receipt": submission.receipt_number,
                "operator": operator.serial,
                "item": item.code,
                "item_type": item_type.value,
                "lookup": lookup_method.value,
                "appointment": appointment_number,
                "id_number": mask_id_number(applicant.id_number),
                **_identity_fields(identity),
            },
        )
    log.event(
        "submission.created",
        outcome="success",
        receipt=submission.receipt_number,
        item=item.code,
        item_type=item_type.value,
        id_number=mask_id_number(applicant.id_number),
    )
    return submission


def record_print(db: sqlite_utils.Database, submission_id: str, printed_at: datetime) -> int:
    """Count one printed copy; return how many copies have been printed."""
    with write_transaction(db):
        db.execute(
            "UPDATE submissions SET printed_count = printed_count + 1, last_printed_at = ? "
            "WHERE id = ?",
            [printed_at.isoformat(), submission_id],
        )
        return db.execute(
            "SELECT printed_count FROM submissions WHERE id = ?", [submission_id]
        ).fetchone()[0]


def is_synced(db: sqlite_utils.Database, submission_id: str) -> bool:
    row = db.execute("SELECT state FROM outbox WHERE submission_id = ?", [submission_id]).fetchone()
    return row is not None and row[0] == "delivered"


def pending_count(db: sqlite_utils.Database) -> int:
    """待同步: submissions not yet delivered to the branch server (rejected ones excluded)."""
    return db.execute(
        "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'in_flight')"
    ).fetchone()[0]
