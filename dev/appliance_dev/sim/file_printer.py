"""A printer that writes each job to disk: the demo's and the tests' receipt printer.

Every job is interpreted by the strict preview first, so a malformed job fails here
the way it would waste paper on the counter. Faults (paper out, cover open, offline,
no status reply, paper out or a dead connection half-way through a job) can be
injected at start or at run time to exercise the error screens.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from pathlib import Path

from appliance import log
from appliance.hardware.printer.escpos_preview import PAPER_DOTS, EscPosError, render_preview
from appliance.hardware.printer.port import PrinterError, PrinterStatus
from appliance.hardware.printer.profiles import PrinterProfile

FAULTS = {
    "none": PrinterStatus.READY,
    "paper_out": PrinterStatus.PAPER_OUT,
    "cover_open": PrinterStatus.COVER_OPEN,
    "offline": PrinterStatus.OFFLINE,
    "no_reply": PrinterStatus.UNKNOWN,
}
# Faults that strike after half the job went out, and the status they leave behind.
MID_JOB_FAULTS = {
    "paper_out_mid_job": PrinterStatus.PAPER_OUT,
    "dead_connection": PrinterStatus.OFFLINE,
}

FAULT_MESSAGES = {
    PrinterStatus.PAPER_OUT: "The printer is out of paper: load a new roll and print again.",
    PrinterStatus.COVER_OPEN: "The printer cover is open: close it and print again.",
    PrinterStatus.OFFLINE: "The printer does not answer: check its power and cable.",
    PrinterStatus.UNKNOWN: "The printer did not answer the status query.",
}

JOB_FILE = "receipt.bin"
PREVIEW_FILE = "receipt.png"


class FilePrinter:
    """Writes ``receipt.bin`` (the exact job) and ``receipt.png`` (its preview)."""

    def __init__(
        self,
        output_dir: Path,
        paper_width_mm: int = 80,
        encoding: str = "gb18030",
        fault: str = "none",
        profile: PrinterProfile | None = None,
    ) -> None:
        """``profile`` sets paper, dots, encoding and Chinese-mode state of the model."""
        if profile is not None:
            paper_width_mm, encoding = profile.paper_width_mm, profile.encoding
        if paper_width_mm not in PAPER_DOTS:
            raise ValueError(f"paper width must be one of {sorted(PAPER_DOTS)} mm")
        self.output_dir = Path(output_dir)
        self.paper_width_mm = paper_width_mm
        self.encoding = encoding
        self.dots_per_line = profile.dots_per_line if profile else PAPER_DOTS[paper_width_mm]
        self.chinese_mode = profile.starts_in_chinese_mode if profile else False
        self._lock = threading.Lock()
        self._status = _fault_status(fault)
        self._mid_job_fault = fault if fault in MID_JOB_FAULTS else None
        self._last_reported: PrinterStatus | None = None
        self._jobs_printed = 0

    @property
    def jobs_printed(self) -> int:
        return self._jobs_printed

    def set_fault(self, name: str) -> None:
        """Inject a fault ("paper_out", "cover_open", "offline") or clear it ("none")."""
        status = _fault_status(name)
        with self._lock:
            self._status = status
            self._mid_job_fault = name if name in MID_JOB_FAULTS else None

    def status(self) -> PrinterStatus:
        """The current status; logged when it differs from the last one reported."""
        with self._lock:
            status = self._status
            changed = status != self._last_reported
            self._last_reported = status
        if changed:
            log.event("printer.status", status=status.value, outcome=_outcome(status))
        return status

    def print_job(self, job: bytes) -> None:
        """Print one job or raise PrinterError; a faulted printer writes nothing."""
        with self._lock:
            log.event("print.init", bytes=len(job))
            if self._status is not PrinterStatus.READY:
                log.event("print.complete", outcome="failure", status=self._status.value)
                raise PrinterError(self._status, FAULT_MESSAGES[self._status])
            if self._mid_job_fault is not None:
                self._status = MID_JOB_FAULTS[self._mid_job_fault]
                self._mid_job_fault = None
                log.event(
                    "print.complete",
                    outcome="failure",
                    status=self._status.value,
                    sent=len(job) // 2,
                )
                raise PrinterError(self._status, FAULT_MESSAGES[self._status], interrupted=True)
            try:
                preview = render_preview(
                    job,
                    paper_width_mm=self.paper_width_mm,
                    encoding=self.encoding,
                    chinese_mode=self.chinese_mode,
                    dots_per_line=self.dots_per_line,
                )
            except EscPosError as error:
                log.event(
                    "print.complete",
                    outcome="failure",
                    reason="malformed_job",
                    offset=error.offset,
                )
                raise
            self.output_dir.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.output_dir / JOB_FILE, job)
            png = io.BytesIO()
            preview.image.save(png, format="PNG")
            _write_atomically(self.output_dir / PREVIEW_FILE, png.getvalue())
            self._jobs_printed += 1
            log.event(
                "print.complete",
                outcome="success",
                bytes=len(job),
                rows=len(preview.text_lines),
                job_count=self._jobs_printed,
            )


def _fault_status(name: str) -> PrinterStatus:
    """The status a fault shows before a job; mid-job faults look ready until one starts."""
    if name in MID_JOB_FAULTS:
        return PrinterStatus.READY
    if name not in FAULTS:
        known = sorted([*FAULTS, *MID_JOB_FAULTS])
        raise ValueError(f"unknown printer fault {name!r}: expected one of {known}")
    return FAULTS[name]


def _outcome(status: PrinterStatus) -> str:
    return "success" if status is PrinterStatus.READY else "failure"


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a reader never sees half a receipt."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
