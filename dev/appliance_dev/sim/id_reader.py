"""A simulated SAM module behind a pseudo-terminal: the reader the demo and the tests use.

The runtime opens :attr:`SimulatedSamModule.device` with its real serial backend, so every
frame goes through the real protocol code. The module answers the commands the runtime
uses (11 FF, 12 FF, 20 01, 20 02, 30 01) as the modules on sale do: a card found is
selected, read once (after ``read_delay_s``, the module's own read time), and then
answers no card while it still lies there, until it is lifted and laid again
(``refind_after_read`` makes it answer found again instead, as some readers do).
Answers leave at the line's pace (10 bits a byte at ``baudrate``).

Faults (:data:`FAULTS`), for ``count`` answers or until changed:

- ``no_answer``: commands are swallowed; ``slow``: every answer waits ``slow_s`` first;
- ``bad_checksum``: answers leave with a wrong checksum; ``noise``: garbage and broken
  preambles before every answer (the runtime resynchronises);
- ``pulled_mid_read``: the card leaves the field during 30 01 (``6F 00 41``, lifted);
- ``read_failed`` (41), ``check_failed`` (33), ``unknown_card`` (40): what 30 01 answers;
- ``self_check_failed`` (60), ``unauthorised`` (66): every command answers that.

:meth:`unplug` closes the pseudo-terminal (the runtime sees the reader gone) and
:meth:`plug` opens a new one.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
import tty
from pathlib import Path

from appliance.hardware.id_reader.frames import (
    MIN_COMMAND_LENGTH,
    Command,
    Damaged,
    Frame,
    FrameReader,
    answer_frame,
)
from appliance.hardware.id_reader.sam_reader import sam_id_bytes
from appliance_dev.sim.id_cards import CARDS, SimCard

FAULTS = (
    "none",
    "no_answer",
    "slow",
    "bad_checksum",
    "noise",
    "pulled_mid_read",
    "read_failed",
    "check_failed",
    "unknown_card",
    "self_check_failed",
    "unauthorised",
)
DEMO_SAM_ID = "05.01-20230615-0000000208-0290517634"  # no demo PIN (123456) in it
NOISE = b"\x00\x13\xaa\xaa\x96\xaa\xaa\xaa\x96\x69\xff\xff\x55"
PHOTO = bytes(range(256)) * 4  # stands in for the wlt photo: never decoded, never kept


class SimulatedSamModule:
    def __init__(
        self,
        card: str | SimCard | None = "resident_id",
        *,
        fault: str = "none",
        read_delay_s: float = 0.3,
        slow_s: float = 0.8,
        baudrate: int = 115200,
        sam_id: str = DEMO_SAM_ID,
        refind_after_read: bool = False,
        pace: bool = True,
    ) -> None:
        self.read_delay_s = read_delay_s
        self.slow_s = slow_s
        self.baudrate = baudrate
        self.sam_id = sam_id
        self.refind_after_read = refind_after_read
        self.pace = pace
        self.commands: list[str] = []  # every command received, as "20 01"
        self._lock = threading.Lock()
        self._card: SimCard | None = None
        self._halted = False
        self._selected = False
        self._fault = "none"
        self._fault_left: int | None = None
        self._master: int | None = None
        self._slave: int | None = None
        self._path: Path | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.set_fault(fault)
        if card is not None and card != "none":
            self.place(card)

    # -- the runtime's side ----------------------------------------------------------

    @property
    def device(self) -> Path:
        """The pseudo-terminal's path; the module starts on the first ask."""
        if self._path is None:
            self.plug()
        assert self._path is not None
        return self._path

    def close(self) -> None:
        self.unplug()

    # -- controls (demo, tests) ------------------------------------------------------

    def place(self, card: str | SimCard = "resident_id") -> None:
        """Lay a card on the reader (a name of :data:`~.id_cards.CARDS`, or a card)."""
        with self._lock:
            self._card = CARDS[card] if isinstance(card, str) else card
            self._halted = False
            self._selected = False

    def remove(self) -> None:
        """Lift the card."""
        with self._lock:
            self._card = None
            self._halted = False
            self._selected = False

    @property
    def card(self) -> SimCard | None:
        return self._card

    def set_fault(self, fault: str, count: int | None = None) -> None:
        """Inject ``fault`` for the next ``count`` answers it applies to (None: until set
        again); ``none`` clears it."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}: one of {', '.join(FAULTS)}")
        with self._lock:
            self._fault = fault
            self._fault_left = count

    def plug(self) -> Path:
        """Open a new pseudo-terminal and answer on it."""
        self.unplug()
        master, slave = os.openpty()
        tty.setraw(slave)
        self._master, self._slave = master, slave
        self._path = Path(os.ttyname(slave))
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(master, self._stop), name="sim-id-reader", daemon=True
        )
        self._thread.start()
        return self._path

    def unplug(self) -> None:
        """Close the pseudo-terminal: the runtime's next read or write fails."""
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join(timeout=5)
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None
        self._path = None

    # -- the module ------------------------------------------------------------------

    def _serve(self, master: int, stop: threading.Event) -> None:
        frames = FrameReader(min_length=MIN_COMMAND_LENGTH)
        while not stop.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(master, 4096)
            except OSError:
                return
            for item in frames.feed(data):
                if isinstance(item, Damaged):
                    if item.reason == "checksum":
                        self._send(master, answer_frame(0, 0, 0x10))
                    continue
                assert isinstance(item, Frame)
                self._answer(master, Command.from_payload(item.payload), stop)

    def _answer(self, master: int, command: Command, stop: threading.Event) -> None:
        self.commands.append(str(command))
        fault = self._take_fault(command)
        if fault == "no_answer":
            return
        if fault == "slow":
            stop.wait(self.slow_s)
        if fault in ("self_check_failed", "unauthorised"):
            frame = answer_frame(0, 0, 0x60 if fault == "self_check_failed" else 0x66)
        else:
            frame = self._normal(command, fault, stop)
        if fault == "bad_checksum":
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        if fault == "noise":
            frame = NOISE + frame
        self._send(master, frame)

    def _take_fault(self, command: Command) -> str:
        with self._lock:
            fault = self._fault
            applies = fault != "none" and (
                fault not in ("pulled_mid_read", "read_failed", "check_failed", "unknown_card")
                or (command.cmd, command.para) == (0x30, 0x01)
            )
            if not applies:
                return "none"
            if self._fault_left is not None:
                self._fault_left -= 1
                if self._fault_left <= 0:
                    self._fault, self._fault_left = "none", None
            return fault

    def _normal(self, command: Command, fault: str, stop: threading.Event) -> bytes:
        key = (command.cmd, command.para)
        if key == (0x11, 0xFF):
            return answer_frame(0, 0, 0x90)
        if key == (0x12, 0xFF):
            return answer_frame(0, 0, 0x90, sam_id_bytes(self.sam_id))
        with self._lock:
            card, halted, selected = self._card, self._halted, self._selected
        if key == (0x20, 0x01):
            if card is None or halted:
                return answer_frame(0, 0, 0x80)
            return answer_frame(0, 0, 0x9F, bytes(4))
        if key == (0x20, 0x02):
            if card is None or halted:
                return answer_frame(0, 0, 0x81)
            with self._lock:
                self._selected = True
            return answer_frame(0, 0, 0x90, bytes(8))
        if key == (0x30, 0x01):
            return self._read(card if selected and not halted else None, fault, stop)
        return answer_frame(0, 0, 0x21)

    def _read(self, card: SimCard | None, fault: str, stop: threading.Event) -> bytes:
        if fault == "pulled_mid_read":
            stop.wait(self.read_delay_s / 2)
            self.remove()
            return answer_frame(0x6F, 0x00, 0x41)
        stop.wait(self.read_delay_s)
        if card is None or self._card is not card:  # lifted while the module read
            return answer_frame(0x6F, 0x00, 0x41)
        if fault in ("read_failed", "check_failed", "unknown_card"):
            return answer_frame(
                0, 0, {"read_failed": 0x41, "check_failed": 0x33, "unknown_card": 0x40}[fault]
            )
        with self._lock:
            self._selected = False
            self._halted = not self.refind_after_read
        text = card.text()
        lengths = len(text).to_bytes(2, "big") + len(PHOTO).to_bytes(2, "big")
        return answer_frame(0, 0, 0x90, lengths + text + PHOTO)

    def _send(self, master: int, frame: bytes) -> None:
        try:
            if self.pace:
                time.sleep(len(frame) * 10 / self.baudrate)
            os.write(master, frame)
        except OSError:
            pass
