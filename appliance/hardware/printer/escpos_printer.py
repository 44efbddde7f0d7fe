"""A real ESC/POS printer behind the Printer port: status before and after every job.

The link stays open between calls and is reopened after any failure, so an unplugged
and re-plugged printer comes back by itself. Every call is bounded by the link's
timeouts; nothing here waits for a printer indefinitely.
"""

from __future__ import annotations

import contextlib
import threading
import time

from appliance import log
from appliance.hardware.printer.escpos_links import Link
from appliance.hardware.printer.escpos_status import QUERIES, StatusReport, interpret, query
from appliance.hardware.printer.port import PrinterError, PrinterStatus

CHUNK_BYTES = 4096  # small writes: a link that dies mid-job is noticed within one chunk


class EscposPrinter:
    def __init__(
        self,
        link: Link,
        *,
        name: str,
        status_timeout_s: float = 0.5,
        settle_s: float = 0.5,
    ) -> None:
        """``settle_s``: wait after the last byte before the final status query, so a
        roll that runs out while the slip is still printing is caught."""
        self._link = link
        self._name = name
        self._status_timeout_s = status_timeout_s
        self._settle_s = settle_s
        self._lock = threading.Lock()
        self._open = False
        self._last: StatusReport | None = None

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._query().status

    def print_job(self, job: bytes) -> None:
        with self._lock:
            log.event("print.init", bytes=len(job), printer=self._name)
            before = self._query().status
            if before is not PrinterStatus.READY:
                self._fail(before, f"printer not ready: {before.value}", sent=0)
            sent = 0
            try:
                for start in range(0, len(job), CHUNK_BYTES):
                    self._link.write(job[start : start + CHUNK_BYTES])
                    sent = min(len(job), start + CHUNK_BYTES)
            except OSError as error:
                self._drop()
                self._fail(PrinterStatus.OFFLINE, f"connection lost mid-job: {error}", sent)
            time.sleep(self._settle_s)
            after = self._query().status
            if after is not PrinterStatus.READY:
                self._fail(after, f"printer reported {after.value} after the job", sent)
            log.event("print.complete", outcome="success", bytes=len(job), printer=self._name)

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _query(self) -> StatusReport:
        """DLE EOT 1-4 in turn; the first unanswered query makes the status UNKNOWN."""
        replies: dict[int, int] = {}
        try:
            if not self._open:
                self._link.open()
                self._open = True
            self._drain()
            for n in QUERIES:
                self._link.write(query(n))
                reply = self._link.read(self._status_timeout_s)
                if not reply:
                    break
                replies[n] = reply[-1]
            report = interpret(replies)
        except OSError as error:
            self._drop()
            report = StatusReport(PrinterStatus.OFFLINE)
            log.event(
                "printer.connection",
                outcome="failure",
                printer=self._name,
                error=type(error).__name__,
            )
        if report != self._last:
            log.event(
                "printer.status",
                status=report.status.value,
                paper_near_end=report.paper_near_end,
                printer=self._name,
                outcome="success" if report.status is PrinterStatus.READY else "failure",
            )
            self._last = report
        return report

    def _drain(self) -> None:
        """Discard late replies to earlier queries, so each reply answers its own query."""
        for _ in range(64):
            if not self._link.read(0):
                return

    def _drop(self) -> None:
        if self._open:
            with contextlib.suppress(OSError):  # gone already: the next call reopens it
                self._link.close()
        self._open = False

    def _fail(self, status: PrinterStatus, message: str, sent: int) -> None:
        log.event(
            "print.complete", outcome="failure", status=status.value, sent=sent, printer=self._name
        )
        raise PrinterError(status, message, interrupted=sent > 0)
