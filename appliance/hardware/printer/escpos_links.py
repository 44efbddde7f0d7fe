"""Byte links to a real printer: USB, serial, TCP 9100 and a device file, all with timeouts.

USB, serial and network open through python-escpos (device lookup, usblp detach, socket
set-up); writes and reads go through here because python-escpos reads without a time
limit on USB (``Usb(timeout=0)`` waits forever) and reports an unanswered status query
as "paper adequate". Every link: ``write`` raises OSError when the bytes did not go out
in time, ``read`` returns b"" when nothing came back in time.
"""

from __future__ import annotations

import os
import select
import socket
import time
from pathlib import Path
from typing import Protocol

import serial
import usb.core
import usb.util
from escpos.exceptions import DeviceNotFoundError

# python-escpos' printer classes load its capability database (about 0.2 s) on import:
# each link imports its class when it is built, so a kiosk with the file printer never pays.

STATUS_REPLY_BYTES = 1
PRINTER_CLASS = 7  # USB interface class of printers (usblp binds to it)


class Link(Protocol):
    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, timeout_s: float) -> bytes: ...

    def close(self) -> None: ...


class LinkDown(OSError):
    """The printer cannot be reached: unplugged, switched off or the connection dropped."""


class NetworkLink:
    """TCP 9100 (raw port printing), reconnected after a dropped connection."""

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        from escpos.printer import Network

        self._printer = Network(host, port, timeout=timeout_s)
        self._timeout_s = timeout_s
        self._socket: socket.socket | None = None

    def open(self) -> None:
        try:
            self._printer.open()
        except DeviceNotFoundError as error:
            raise LinkDown(str(error)) from None
        self._socket = self._printer.device

    def write(self, data: bytes) -> None:
        sock = self._require()
        sock.settimeout(self._timeout_s)
        sock.sendall(data)

    def read(self, timeout_s: float) -> bytes:
        sock = self._require()
        sock.settimeout(timeout_s)
        try:
            data = sock.recv(STATUS_REPLY_BYTES)
        except (TimeoutError, BlockingIOError):
            return b""
        if not data:
            raise LinkDown("the printer closed the connection")
        return data

    def close(self) -> None:
        self._printer.close()
        self._socket = None

    def _require(self) -> socket.socket:
        if self._socket is None:
            raise LinkDown("not connected")
        return self._socket


class SerialLink:
    """RS-232 or a USB serial adapter; write and read both time-limited."""

    def __init__(self, port: Path, baudrate: int, timeout_s: float) -> None:
        from escpos.printer import Serial

        self._printer = Serial(str(port), baudrate=baudrate, timeout=timeout_s)
        self._timeout_s = timeout_s
        self._port: serial.Serial | None = None

    def open(self) -> None:
        try:
            self._printer.open()
        except DeviceNotFoundError as error:
            raise LinkDown(str(error)) from None
        self._port = self._printer.device
        self._port.write_timeout = self._timeout_s

    def write(self, data: bytes) -> None:
        try:
            self._require().write(data)
            self._require().flush()
        except serial.SerialTimeoutException as error:
            raise TimeoutError(str(error)) from None
        except serial.SerialException as error:
            raise LinkDown(str(error)) from None

    def read(self, timeout_s: float) -> bytes:
        port = self._require()
        port.timeout = timeout_s
        try:
            return port.read(STATUS_REPLY_BYTES)
        except serial.SerialException as error:
            raise LinkDown(str(error)) from None

    def close(self) -> None:
        self._printer.close()
        self._port = None

    def _require(self) -> serial.Serial:
        if self._port is None:
            raise LinkDown("not connected")
        return self._port


class DeviceFileLink:
    """A printer device file such as /dev/usb/lp0 (the kernel's usblp driver).

    Opened non-blocking: usblp blocks a write for as long as the printer is out of paper,
    so writes and reads wait in ``select`` against a deadline instead.
    """

    def __init__(self, path: Path, timeout_s: float) -> None:
        self._path = path
        self._timeout_s = timeout_s
        self._fd: int | None = None

    def open(self) -> None:
        try:
            self._fd = os.open(self._path, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as error:
            raise LinkDown(f"cannot open {self._path}: {error.strerror}") from None

    def write(self, data: bytes) -> None:
        fd = self._require()
        deadline = time.monotonic() + self._timeout_s
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self._path}: write timed out, {len(view)} bytes unsent")
            _, ready, _ = select.select([], [fd], [], remaining)
            if ready:
                try:
                    view = view[os.write(fd, view) :]
                except BlockingIOError:
                    continue

    def read(self, timeout_s: float) -> bytes:
        fd = self._require()
        ready, _, _ = select.select([fd], [], [], timeout_s)
        if not ready:
            return b""
        try:
            return os.read(fd, STATUS_REPLY_BYTES)
        except BlockingIOError:
            return b""

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _require(self) -> int:
        if self._fd is None:
            raise LinkDown("not open")
        return self._fd


class UsbLink:
    """A USB printer driven through libusb, with usblp detached from its interface.

    The bulk endpoints are read from the printer-class interface (they differ between
    models), and every transfer carries a timeout in milliseconds.
    """

    def __init__(self, vendor_id: int, product_id: int, timeout_s: float) -> None:
        self._timeout_ms = max(1, round(timeout_s * 1000))
        from escpos.printer import Usb

        self._printer = Usb(vendor_id, product_id, timeout=self._timeout_ms)
        self._device = None
        self._in_ep: int | None = None
        self._out_ep: int | None = None

    def open(self) -> None:
        try:
            self._printer.open()
        except DeviceNotFoundError as error:
            raise LinkDown(str(error)) from None
        device = self._printer.device
        interface = (
            usb.util.find_descriptor(
                device.get_active_configuration(), bInterfaceClass=PRINTER_CLASS
            )
            or device.get_active_configuration()[(0, 0)]
        )
        number = interface.bInterfaceNumber
        try:
            if device.is_kernel_driver_active(number):
                device.detach_kernel_driver(number)
        except (NotImplementedError, usb.core.USBError):
            pass  # no kernel driver, or libusb cannot tell: the claim below decides
        self._out_ep = _endpoint(interface, usb.util.ENDPOINT_OUT)
        self._in_ep = _endpoint(interface, usb.util.ENDPOINT_IN)
        self._device = device

    def write(self, data: bytes) -> None:
        if self._device is None or self._out_ep is None:
            raise LinkDown("not open")
        try:
            self._device.write(self._out_ep, data, self._timeout_ms)
        except usb.core.USBTimeoutError as error:
            raise TimeoutError(str(error)) from None
        except usb.core.USBError as error:
            raise LinkDown(str(error)) from None

    def read(self, timeout_s: float) -> bytes:
        if self._device is None:
            raise LinkDown("not open")
        if self._in_ep is None:
            return b""  # a one-way printer never answers a status query
        try:
            return bytes(self._device.read(self._in_ep, 64, max(1, round(timeout_s * 1000))))
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as error:
            raise LinkDown(str(error)) from None

    def close(self) -> None:
        self._printer.close()
        self._device = None


def _endpoint(interface, direction: int) -> int | None:  # noqa: ANN001 - a pyusb Interface
    for endpoint in interface:
        if (
            usb.util.endpoint_direction(endpoint.bEndpointAddress) == direction
            and usb.util.endpoint_type(endpoint.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
        ):
            return endpoint.bEndpointAddress
    return None
