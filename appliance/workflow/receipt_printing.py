"""打印回执 / 重新打印: journal the receipt, check the printer, print, record the outcome.

The receipt is journaled with its submission before any byte is sent, so whatever
fails (paper, cover, cable, a restart) the same slip can be printed again later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlite_utils

from appliance import log
from appliance.domain.receipt import Line
from appliance.hardware.printer.port import Printer, PrinterError, PrinterStatus
from appliance.hardware.printer.profiles import PrinterProfile, RenderMode
from appliance.hardware.printer.receipt_job import build_job
from appliance.store.print_jobs import (
    JobState,
    PrintJob,
    find_job,
    journal_receipt,
    mark_attempt,
    relayout,
    unprinted_jobs,
)
from appliance.store.submissions import record_print


class ReceiptPrinting:
    def __init__(
        self,
        db: sqlite_utils.Database,
        printer: Printer,
        profile: PrinterProfile,
        mode: RenderMode,
        now: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.printer = printer
        self.profile = profile
        self.mode = mode
        self.now = now

    def job_bytes(self, lines: list[Line] | tuple[Line, ...]) -> bytes:
        return build_job(lines, self.profile, self.mode)

    def print_receipt(
        self, submission_id: str, receipt_number: str, layout: Callable[[int], list[Line]]
    ) -> int:
        """Print the submission's journaled receipt; return the copies printed so far.

        ``layout(columns)`` lays the receipt out; it is called the first time only (or
        when the paper became narrower), so a reprint is the same slip as the first.
        """
        job = self._journaled(submission_id, receipt_number, layout)
        data = self.job_bytes(job.lines)
        try:
            status = self.printer.status()
            if status is not PrinterStatus.READY:
                raise PrinterError(status, f"printer not ready: {status.value}")
            self.printer.print_job(data)
        except PrinterError as error:
            mark_attempt(self.db, submission_id, JobState.FAILED, self.now(), error.status.value)
            log.event(
                "print.receipt",
                outcome="failure",
                receipt=receipt_number,
                status=error.status.value,
                interrupted=error.interrupted,
                attempt=job.attempts + 1,
            )
            raise
        mark_attempt(self.db, submission_id, JobState.PRINTED, self.now())
        copies = record_print(self.db, submission_id, self.now())
        log.event(
            "print.receipt",
            outcome="success",
            receipt=receipt_number,
            mode=self.mode.value,
            profile=self.profile.name,
            bytes=len(data),
            copies=copies,
        )
        return copies

    def unprinted(self) -> list[PrintJob]:
        """Receipts still owed to applicants, e.g. after a restart during a fault."""
        return unprinted_jobs(self.db)

    def _journaled(
        self, submission_id: str, receipt_number: str, layout: Callable[[int], list[Line]]
    ) -> PrintJob:
        columns = self.profile.columns
        job = find_job(self.db, submission_id)
        if job is None:
            return journal_receipt(
                self.db, submission_id, receipt_number, columns, layout(columns), self.now()
            )
        if job.columns > columns:
            relayout(self.db, submission_id, columns, layout(columns), self.now())
            job = find_job(self.db, submission_id)
            assert job is not None
        return job


def report_unprinted(receipts: ReceiptPrinting) -> list[PrintJob]:
    """Log receipts still owed after a restart; each can be printed again by its number."""
    jobs = receipts.unprinted()
    if jobs:
        log.event(
            "printer.unprinted",
            count=len(jobs),
            receipts=",".join(job.receipt_number for job in jobs),
        )
    return jobs
