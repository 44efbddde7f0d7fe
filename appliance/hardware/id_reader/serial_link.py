"""The serial line to a SAM module (pyserial): one command out, one answer back, in time.

The port is opened exclusively, so the command line cannot talk over the kiosk's worker.
Before each command the input is flushed (a late answer to an earlier command must not
pass for this one's). A damaged answer (no frame with a matching checksum before the
deadline, see :mod:`~.frames`) sends the command again, up to ``resends`` times: every
command used here can be repeated without harm.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import termios
import time
from typing import Protocol

import serial

from appliance import log
from appliance.hardware.id_reader.frames import Answer, Command, Damaged, Frame, FrameReader
from appliance.hardware.id_reader.port import (
    DamagedAnswer,
    NoAnswer,
    ReaderAbsent,
    ReaderBusy,
    ReaderError,
)

RESENDS = 2


class ReaderUnavailable(ReaderAbsent):
    """The device exists but cannot be opened (permissions, or not a serial port)."""


class SamLink(Protocol):
    device: str

    def exchange(self, command: Command, timeout_s: float) -> Answer: ...

    def close(self) -> None: ...


class SerialLink:
    def __init__(self, port: serial.Serial, device: str, resends: int = RESENDS) -> None:
        self._port = port
        self.device = device
        self._resends = resends
        self._frames = FrameReader()

    @classmethod
    def open(cls, device: str, baudrate: int) -> SerialLink:
        """8N1 at ``baudrate``; raises ReaderAbsent (no such device), ReaderBusy (open
        elsewhere) or ReaderUnavailable."""
        try:
            port = serial.Serial(
                device,
                baudrate=baudrate,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=0,
                write_timeout=1.0,
                exclusive=True,
            )
        except serial.SerialException as error:
            raise _open_error(device, error) from None
        except (OSError, termios.error) as error:  # pyserial lets some through
            raise ReaderUnavailable(f"{device}: {error}") from None
        return cls(port, device)

    def exchange(self, command: Command, timeout_s: float) -> Answer:
        for attempt in range(self._resends + 1):
            try:
                return self._once(command, timeout_s)
            except DamagedAnswer as damaged:
                if attempt == self._resends:
                    raise
                log.event(
                    "idcard.resend",
                    logging.WARNING,
                    command=str(command),
                    attempt=attempt + 1,
                    reason=str(damaged),
                )
        raise AssertionError("unreachable")

    def close(self) -> None:
        with contextlib.suppress(OSError, serial.SerialException, termios.error):
            self._port.close()

    def _once(self, command: Command, timeout_s: float) -> Answer:
        port = self._port
        try:
            port.reset_input_buffer()
            self._frames.clear()
            port.write(command.frame())
            deadline = time.monotonic() + timeout_s
            damaged: list[Damaged] = []
            while (remaining := deadline - time.monotonic()) > 0:
                port.timeout = remaining
                chunk = port.read(max(1, port.in_waiting))
                if chunk:
                    answer = self._take(self._frames.feed(chunk), damaged)
                    if answer is not None:
                        return answer
            answer = self._take(self._frames.give_up(), damaged)
            if answer is not None:
                return answer
        except serial.SerialTimeoutException:
            raise NoAnswer(f"{self.device}: writing {command} timed out") from None
        except (serial.SerialException, OSError, termios.error) as error:
            # termios.error is no OSError: pyserial's flush raises it on a hung-up line
            raise ReaderAbsent(f"{self.device}: disconnected ({error})") from None
        if damaged:
            reasons = ", ".join(sorted({d.reason for d in damaged}))
            raise DamagedAnswer(
                f"{self.device}: damaged answer to {command} ({reasons}, "
                f"{sum(d.discarded for d in damaged)} bytes dropped)"
            )
        raise NoAnswer(f"{self.device}: no answer to {command} in {timeout_s:g} s")

    def _take(self, items: list[Frame | Damaged], damaged: list[Damaged]) -> Answer | None:
        for item in items:
            if isinstance(item, Frame):
                if damaged:
                    log.event(
                        "idcard.resync",
                        logging.WARNING,
                        device=self.device,
                        skipped=sum(d.discarded for d in damaged),
                        reasons=",".join(sorted({d.reason for d in damaged})),
                    )
                return Answer.from_payload(item.payload)
            damaged.append(item)
        return None


def _open_error(device: str, error: serial.SerialException) -> ReaderError:
    code = error.errno
    text = str(error)
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return ReaderAbsent(f"no device at {device}")
    if "exclusively lock" in text or code in (errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK):
        return ReaderBusy(f"{device} is in use by another process (the kiosk?)")
    return ReaderUnavailable(f"{device}: {text}")
