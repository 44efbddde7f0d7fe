"""DLE EOT real-time status: the four replies and what they mean for the counter.

Each reply byte has fixed bits (bit 1 and bit 4 set, bit 0 and bit 7 clear); a reply
without them is noise, not a status. No reply, or noise, is UNKNOWN, never READY.
"""

from __future__ import annotations

from dataclasses import dataclass

from appliance.hardware.printer.port import PrinterStatus

DLE_EOT = b"\x10\x04"
PRINTER = 1  # bit 3: offline
OFFLINE_CAUSE = 2  # bit 2: cover open, bit 5: stopped at paper end, bit 6: error
ERROR_CAUSE = 3  # bit 3: autocutter error, bit 5: unrecoverable, bit 6: auto-recoverable
PAPER_SENSOR = 4  # bits 2-3: near end, bits 5-6: paper end
QUERIES = (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR)

FIXED_MASK, FIXED_BITS = 0x93, 0x12


@dataclass(frozen=True)
class StatusReport:
    status: PrinterStatus
    paper_near_end: bool = False


def query(n: int) -> bytes:
    return DLE_EOT + bytes([n])


def is_reply(byte: int) -> bool:
    return byte & FIXED_MASK == FIXED_BITS


def interpret(replies: dict[int, int]) -> StatusReport:
    """Map the four reply bytes to one status; any missing or malformed one is UNKNOWN."""
    if set(replies) != set(QUERIES) or not all(is_reply(b) for b in replies.values()):
        return StatusReport(PrinterStatus.UNKNOWN)
    paper = replies[PAPER_SENSOR]
    offline_cause = replies[OFFLINE_CAUSE]
    near_end = bool(paper & 0x0C)
    if paper & 0x60 or offline_cause & 0x20:
        return StatusReport(PrinterStatus.PAPER_OUT, near_end)
    if offline_cause & 0x04:
        return StatusReport(PrinterStatus.COVER_OPEN, near_end)
    if replies[ERROR_CAUSE] & 0x68 or offline_cause & 0x40:
        return StatusReport(PrinterStatus.FAULT, near_end)
    if replies[PRINTER] & 0x08:
        return StatusReport(PrinterStatus.OFFLINE, near_end)
    return StatusReport(PrinterStatus.READY, near_end)


def reply_for(
    n: int, *, paper: str = "ok", cover_open: bool = False, cutter_error: bool = False
) -> int:
    """The byte a printer in that state answers to DLE EOT ``n`` (for simulated printers)."""
    paper_out = paper == "out"
    offline = paper_out or cover_open or cutter_error
    if n == PRINTER:
        return FIXED_BITS | (0x08 if offline else 0)
    if n == OFFLINE_CAUSE:
        return (
            FIXED_BITS
            | (0x04 if cover_open else 0)
            | (0x20 if paper_out else 0)
            | (0x40 if cutter_error else 0)
        )
    if n == ERROR_CAUSE:
        return FIXED_BITS | (0x08 if cutter_error else 0)
    if n == PAPER_SENSOR:
        return FIXED_BITS | {"ok": 0, "near_end": 0x0C, "out": 0x6C}[paper]
    raise ValueError(f"DLE EOT {n} is not a status query")
