"""The ID card reader port: the SAM module's commands, its faults, and its state.

One backend speaks the SAM serial protocol (:mod:`~.sam_reader` over :mod:`~.serial_link`);
the development package's simulated reader is a pseudo-terminal that the same backend
opens, so every test and the demo drive the real protocol code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from appliance.hardware.id_reader.status import SamStatus, describe


class ReaderError(Exception):
    """The reader did not do what was asked; ``str()`` is English and holds no card data."""


class ReaderAbsent(ReaderError):
    """No reader: nothing at the device path, no known serial adapter, or it was unplugged."""


class ReaderAmbiguous(ReaderAbsent):
    """Several serial adapters could be the reader: the device must be configured."""

    def __init__(self, devices: list[str]) -> None:
        super().__init__(
            f"several USB serial adapters could be the ID card reader "
            f"({', '.join(devices)}): set id_reader.device"
        )
        self.devices = devices


class ReaderBusy(ReaderAbsent):
    """The device is open in another process (the kiosk, while the command line reads)."""


class NoAnswer(ReaderError):
    """The reader sent nothing back in time."""


class DamagedAnswer(ReaderError):
    """Bytes came back, but no frame with a matching checksum (after the retries)."""


class SamError(ReaderError):
    """The SAM module answered a status other than the one the command succeeds with."""

    def __init__(self, command: str, sw1: int, sw2: int, sw3: int) -> None:
        super().__init__(f"{command}: SAM status {describe(sw1, sw2, sw3)}")
        self.command = command
        self.sw1, self.sw2, self.sw3 = sw1, sw2, sw3

    @property
    def status(self) -> SamStatus | None:
        return SamStatus.of(self.sw3)

    @property
    def status_text(self) -> str:
        return f"{self.sw1:02X} {self.sw2:02X} {self.sw3:02X}"


class IdReader(Protocol):
    """One SAM module: each call sends one command and waits, bounded by a timeout.

    Calls come from one thread at a time (the reader's worker, or the command line).
    """

    device: str

    def sam_status(self) -> None:
        """11 FF: raises SamError unless the module reports itself ready (00 00 90)."""

    def sam_id(self) -> str:
        """12 FF: the module's id as readers print it, e.g. 05.01-20200101-0000000001-…"""

    def find_card(self) -> bool:
        """20 01: True for a card in the field (00 00 9F), False for none (00 00 80)."""

    def select_card(self) -> None:
        """20 02: select the card found (00 00 90)."""

    def read_base_info(self) -> bytes:
        """30 01: the card's 256 bytes of text (UCS-2LE, fixed width); the photo is
        dropped on arrival."""

    def close(self) -> None: ...


class ReaderState(Enum):
    """What the status bar and the self-test say of the reader."""

    DETECTING = "detecting"  # not checked yet
    READY = "ready"
    NOT_FOUND = "not_found"  # no reader at the device, or no known adapter on USB
    AMBIGUOUS = "ambiguous"  # several adapters, none configured
    UNAVAILABLE = "unavailable"  # there, but cannot be opened (busy, permissions)
    NO_ANSWER = "no_answer"  # opened, silent or only damaged frames
    SELF_CHECK_FAILED = "self_check_failed"  # 00 00 60
    UNAUTHORISED = "unauthorised"  # 00 00 66
    FAULT = "fault"  # another status to 11 FF

    @property
    def connected(self) -> bool:
        """The reader is on the line (the status bar's 就绪 vs 未连接)."""
        return self is ReaderState.READY


@dataclass(frozen=True)
class ReaderReport:
    """The reader as last seen: for the status bar, the self-test and the audit's reader id."""

    state: ReaderState
    device: str | None = None
    sam_id: str | None = None
    status: str | None = None  # "00 00 60" when the module answered a fault
    detail: str = ""

    def english(self) -> str:
        """One line for the self-test and the command line."""
        where = f" at {self.device}" if self.device else ""
        if self.state is ReaderState.READY:
            return (
                f"ID card reader{where} ready, SAM {self.sam_id or 'id unknown'}, "
                f"status {self.status or '00 00 90'}"
            )
        if self.state is ReaderState.NOT_FOUND:
            return f"no ID card reader found{where}: {self.detail}"
        if self.state is ReaderState.AMBIGUOUS:
            return self.detail
        if self.state is ReaderState.UNAVAILABLE:
            return f"ID card reader{where} cannot be opened: {self.detail}"
        if self.state is ReaderState.NO_ANSWER:
            return f"ID card reader{where} does not answer: {self.detail}"
        if self.state is ReaderState.SELF_CHECK_FAILED:
            return f"ID card reader{where}: SAM self-check failed ({self.status})"
        if self.state is ReaderState.UNAUTHORISED:
            return f"ID card reader{where}: SAM unauthorised ({self.status})"
        if self.state is ReaderState.FAULT:
            return f"ID card reader{where}: SAM status {self.status}: {self.detail}"
        return f"ID card reader{where}: not checked yet"
