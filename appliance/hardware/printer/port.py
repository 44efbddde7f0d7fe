"""The printer port: status and raw ESC/POS jobs."""

from __future__ import annotations

from enum import Enum
from typing import Protocol


class PrinterStatus(Enum):
    READY = "ready"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    FAULT = "fault"  # cutter jam or another error the printer reports (DLE EOT 3)
    UNKNOWN = "unknown"


class PrinterError(Exception):
    """A job did not print; ``status`` says why.

    ``interrupted`` means bytes already reached the printer: part of a slip may have
    come out, and the whole receipt must be printed again.
    """

    def __init__(self, status: PrinterStatus, message: str, interrupted: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.interrupted = interrupted


class Printer(Protocol):
    def status(self) -> PrinterStatus:
        """Query the printer; an unanswered query is UNKNOWN, never READY."""

    def print_job(self, job: bytes) -> None:
        """Send one complete job; raises PrinterError when it did not print.

        Every backend bounds the call with a timeout: a printer that stops answering
        raises, it never blocks the caller for good.
        """
