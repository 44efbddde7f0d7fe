"""待打印回执: receipts journaled but never printed (the printer failed and the applicant
was sent on, or the box restarted) stay one tap from the 窗口受理 home screen, each with
its own 重新打印, which prints the journaled slip itself."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from appliance.domain.masking import mask_name
from appliance.domain.receipt import Line, layout_receipt
from appliance.hardware.printer.port import PrinterError
from appliance.store.audit_trail import AuditTrail
from appliance.store.owed_receipts import OwedRow, owed_rows, stored_receipt_data
from appliance.wording import text
from appliance.workflow.messages import UserFacingError, printer_message
from appliance.workflow.receipt_printing import ReceiptPrinting

LAST_PROBLEM = {
    "paper_out": text("owed.paper_out"),
    "cover_open": text("owed.cover_open"),
    "offline": text("owed.offline"),
    "unknown": text("owed.unknown"),
    "fault": text("owed.fault"),
}


@dataclass(frozen=True)
class OwedReceipt:
    submission_id: str
    receipt_number: str
    text: str  # one line for the clerk; the applicant's name masked


def owed_text(row: OwedRow) -> str:
    why = LAST_PROBLEM.get(row.last_error or "", text("owed.not_printed"))
    return text(
        "owed.line",
        receipt=row.receipt_number,
        item=row.item_name,
        applicant=mask_name(row.applicant_name),
        accepted=row.accepted_at,
        why=why,
    )


def owed_receipts(db: sqlite_utils.Database) -> list[OwedReceipt]:
    return [
        OwedReceipt(row.submission_id, row.receipt_number, owed_text(row)) for row in owed_rows(db)
    ]


def print_owed(
    receipts: ReceiptPrinting,
    owed: OwedReceipt,
    trail: AuditTrail | None,
    operator_serial: str | None,
) -> int:
    """Print the journaled slip; return the copies printed so far. The stored submission
    is laid out again only when the paper got narrower since it was journaled."""

    def layout(columns: int) -> list[Line]:
        return layout_receipt(stored_receipt_data(receipts.db, owed.submission_id), columns)

    try:
        copies = receipts.print_receipt(owed.submission_id, owed.receipt_number, layout)
    except PrinterError as exc:
        chinese = printer_message(exc.status, exc.interrupted, reprint=True)
        raise UserFacingError(str(exc), chinese) from None
    if trail is not None:
        trail.record(
            "receipt.printed" if copies == 1 else "receipt.reprinted",
            operator=operator_serial,
            copies=copies,
            owed=True,
            submission=owed.submission_id,
            receipt=owed.receipt_number,
        )
    return copies
