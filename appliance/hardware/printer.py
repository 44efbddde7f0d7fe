"""The printer port: status and raw ESC/POS jobs."""

from __future__ import annotations

from enum import Enum
from typing import Protocol


class PrinterStatus(Enum):
    READY = "ready"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


class PrinterError(Exception):
    """A job did not print; ``status`` says why."""

    def __init__(self, status: PrinterStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class Printer(Protocol):
    def status(self) -> PrinterStatus:
        """Query the printer; an unanswered query is UNKNOWN, never READY."""

    def print_job(self, job: bytes) -> None:
        """Send one complete job; raises PrinterError when it did not print."""
