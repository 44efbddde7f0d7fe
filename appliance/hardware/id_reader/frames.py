"""SAM serial frames (GA 467, "身份证阅读器 SAM 通讯协议"): building them and finding them
again in a stream of bytes that may be cut, noisy or damaged. Pure: no I/O.

A frame is the preamble ``AA AA AA 96 69``, a two-byte big-endian length, the payload and
an XOR checksum. The length counts the payload and the checksum; the checksum is the XOR
of the two length bytes and the payload (everything but the preamble and itself). A
command's payload is CMD, Para and data; an answer's is SW1, SW2, SW3 and data.

Resynchronisation: :class:`FrameReader` is fed whatever the line delivers. Bytes before a
preamble are noise; a length outside what the protocol allows, or a checksum that does
not match, marks the frame damaged, and the search starts again one byte after the
damaged frame's preamble (bytes may have been lost, so the next good frame can begin
inside the span the damaged length claimed). A frame still incomplete is given up as soon
as a later preamble starts a complete frame whose checksum matches: a cut frame never
stalls the good one behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER = len(PREAMBLE) + 2
# The longest answer is 30 10 (text, photo and fingerprints: 2,321 bytes on the wire);
# a length above this bound is damage, not a frame worth waiting for.
MAX_LENGTH = 0x0A00
MIN_COMMAND_LENGTH = 3  # CMD, Para, checksum
MIN_ANSWER_LENGTH = 4  # SW1, SW2, SW3, checksum


def checksum(length_and_payload: bytes) -> int:
    """XOR of every byte between the preamble and the checksum."""
    return reduce(lambda total, byte: total ^ byte, length_and_payload, 0)


def encode(payload: bytes) -> bytes:
    """One frame around ``payload``."""
    length = (len(payload) + 1).to_bytes(2, "big")
    return PREAMBLE + length + payload + bytes([checksum(length + payload)])


def command_frame(cmd: int, para: int, data: bytes = b"") -> bytes:
    return encode(bytes([cmd, para]) + data)


def answer_frame(sw1: int, sw2: int, sw3: int, data: bytes = b"") -> bytes:
    return encode(bytes([sw1, sw2, sw3]) + data)


@dataclass(frozen=True)
class Command:
    cmd: int
    para: int
    data: bytes = b""

    @classmethod
    def from_payload(cls, payload: bytes) -> Command:
        return cls(payload[0], payload[1], payload[2:])

    def frame(self) -> bytes:
        return command_frame(self.cmd, self.para, self.data)

    def __str__(self) -> str:
        return f"{self.cmd:02X} {self.para:02X}"


@dataclass(frozen=True)
class Answer:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @classmethod
    def from_payload(cls, payload: bytes) -> Answer:
        return cls(payload[0], payload[1], payload[2], payload[3:])

    @property
    def status_text(self) -> str:
        """``00 00 90``: the three status bytes as the protocol documents write them."""
        return f"{self.sw1:02X} {self.sw2:02X} {self.sw3:02X}"

    def __repr__(self) -> str:  # the data may be a card's text: never in a repr
        return f"Answer({self.status_text}, {len(self.data)} data bytes)"


@dataclass(frozen=True)
class Frame:
    """A frame whose checksum matched; ``payload`` is between the length and the checksum."""

    payload: bytes

    def __repr__(self) -> str:
        return f"Frame({len(self.payload)} bytes)"


@dataclass(frozen=True)
class Damaged:
    """Bytes given up while looking for frames: ``reason`` is noise, length, checksum or
    truncated; ``discarded`` counts the bytes dropped."""

    reason: str
    discarded: int


class FrameReader:
    """Finds frames in a byte stream fed piece by piece; ``min_length`` is 4 for answers
    (the reader's side) and 3 for commands (the simulated module's side)."""

    def __init__(self, min_length: int = MIN_ANSWER_LENGTH) -> None:
        self._buffer = bytearray()
        self._min_length = min_length

    @property
    def pending(self) -> int:
        """Bytes kept for a frame not complete yet."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame | Damaged]:
        self._buffer += data
        found: list[Frame | Damaged] = []
        while (item := self._next()) is not None:
            found.append(item)
        return found

    def give_up(self) -> list[Frame | Damaged]:
        """The line went quiet: an incomplete frame will not complete. Report it damaged
        and look for frames in the bytes after its preamble."""
        if not self._buffer:
            return []
        start = self._buffer.find(PREAMBLE)
        found: list[Frame | Damaged] = []
        if start < 0:
            found.append(Damaged("noise", len(self._buffer)))
            self._buffer.clear()
            return found
        cut = start + 1
        found.append(Damaged("truncated", cut))
        del self._buffer[:cut]
        found += self.feed(b"")
        return found

    def clear(self) -> int:
        dropped = len(self._buffer)
        self._buffer.clear()
        return dropped

    def _next(self) -> Frame | Damaged | None:
        buffer = self._buffer
        start = buffer.find(PREAMBLE)
        if start < 0:
            # Keep what could be the beginning of a preamble cut by the read.
            keep = next(
                (n for n in range(len(PREAMBLE) - 1, 0, -1) if buffer.endswith(PREAMBLE[:n])), 0
            )
            noise = len(buffer) - keep
            if noise:
                del buffer[:noise]
                return Damaged("noise", noise)
            return None
        if start > 0:
            del buffer[:start]
            return Damaged("noise", start)
        if len(buffer) < HEADER:
            return None
        length = int.from_bytes(buffer[len(PREAMBLE) : HEADER], "big")
        if not self._min_length <= length <= MAX_LENGTH:
            del buffer[:1]
            return Damaged("length", 1)
        end = HEADER + length
        if len(buffer) < end:
            later = self._later_good_frame(end)
            if later is None:
                return None
            del buffer[:later]
            return Damaged("truncated", later)
        body = bytes(buffer[len(PREAMBLE) : end - 1])
        if checksum(body) != buffer[end - 1]:
            del buffer[:1]
            return Damaged("checksum", 1)
        del buffer[:end]
        return Frame(body[2:])

    def _later_good_frame(self, claimed_end: int) -> int | None:
        """Where a complete frame with a matching checksum starts inside the span an
        incomplete frame claims, or None."""
        buffer = self._buffer
        at = buffer.find(PREAMBLE, 1)
        while 0 < at < claimed_end:
            if len(buffer) >= at + HEADER:
                length = int.from_bytes(buffer[at + len(PREAMBLE) : at + HEADER], "big")
                end = at + HEADER + length
                if (
                    self._min_length <= length <= MAX_LENGTH
                    and len(buffer) >= end
                    and checksum(bytes(buffer[at + len(PREAMBLE) : end - 1])) == buffer[end - 1]
                ):
                    return at
            at = buffer.find(PREAMBLE, at + 1)
        return None
