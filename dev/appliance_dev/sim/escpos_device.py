"""A simulated ESC/POS printer at the byte level: it answers DLE EOT and takes jobs.

It splits the incoming stream into commands of the subset the appliance sends, so a
status query inside the stream is answered and never mistaken for job data, and the
job bytes can be checked with the preview. Faults: paper out or cover open, a printer
that never answers status, paper running out after N job bytes, and (on the network
server) a connection dropped after N job bytes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from appliance.hardware.printer.escpos_status import reply_for

DLE, ESC, GS, FS = 0x10, 0x1B, 0x1D, 0x1C
FIXED_LENGTHS = {
    (ESC, ord("@")): 2,
    (ESC, ord("a")): 3,
    (ESC, ord("d")): 3,
    (GS, ord("!")): 3,
    (FS, ord("&")): 2,
    (FS, ord(".")): 2,
    (DLE, 0x04): 3,
}


@dataclass
class DeviceState:
    paper: str = "ok"  # ok, near_end, out
    cover_open: bool = False
    cutter_error: bool = False
    silent: bool = False  # answers no status query at all
    paper_out_after: int | None = None  # job bytes printed before the roll runs out


class EscposDevice:
    def __init__(self) -> None:
        self.state = DeviceState()
        self.job = bytearray()
        self.queries: list[int] = []
        self._pending = bytearray()
        self._lock = threading.Lock()

    def feed(self, data: bytes) -> bytes:
        """Take bytes from the host; return the status replies to send back."""
        with self._lock:
            self._pending += data
            replies = bytearray()
            while (length := _command_length(self._pending)) is not None:
                command = bytes(self._pending[:length])
                del self._pending[:length]
                if command[:2] == b"\x10\x04":
                    self.queries.append(command[2])
                    if not self.state.silent:
                        replies.append(
                            reply_for(
                                command[2],
                                paper=self.state.paper,
                                cover_open=self.state.cover_open,
                                cutter_error=self.state.cutter_error,
                            )
                        )
                else:
                    self._print(command)
            return bytes(replies)

    def new_connection(self) -> None:
        """A new host connection: half a command from a dropped one is discarded."""
        with self._lock:
            self._pending.clear()

    def take_job(self) -> bytes:
        with self._lock:
            job = bytes(self.job)
            self.job.clear()
            return job

    def _print(self, command: bytes) -> None:
        limit = self.state.paper_out_after
        if self.state.paper == "out" or self.state.cover_open:
            return  # a stopped printer discards what it cannot print
        self.job += command
        if limit is not None and len(self.job) >= limit:
            self.state.paper = "out"


def _command_length(buffer: bytearray) -> int | None:
    """Length of the first complete command in ``buffer``, or None while it is incomplete."""
    if not buffer:
        return None
    first = buffer[0]
    if first not in (DLE, ESC, GS, FS):
        return 1
    if len(buffer) < 2:
        return None
    key = (first, buffer[1])
    if key in FIXED_LENGTHS:
        length = FIXED_LENGTHS[key]
    elif key == (GS, ord("V")):
        length = 4 if len(buffer) > 2 and buffer[2] in (65, 66) else 3
    elif first == GS and buffer[1] == ord("(") and len(buffer) >= 5:
        length = 5 + int.from_bytes(buffer[3:5], "little")
    elif key == (GS, ord("v")) and len(buffer) >= 8:
        length = 8 + int.from_bytes(buffer[4:6], "little") * int.from_bytes(buffer[6:8], "little")
    elif first == GS and buffer[1] in (ord("("), ord("v")):
        return None
    else:
        return 1  # not a command of the subset: kept as job data for the preview to reject
    return length if len(buffer) >= length else None
