"""Which serial device is the ID card reader, when the configuration does not say.

Desk readers reach the box through a USB-serial chip; the reader is the one serial port
whose USB id is one of the common chips below. Several such ports (a serial receipt
printer on another adapter, two readers) cannot be told apart without talking to them,
and talking SAM frames to a printer prints garbage: then the device must be configured.
A printer's configured serial port is never a candidate. A reader that is a USB CDC
device of its own (``/dev/ttyACM*``) carries its maker's id: configure its device path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from appliance import log
from appliance.hardware.id_reader.port import ReaderAbsent, ReaderAmbiguous

SERIAL_CHIPS: dict[tuple[int, int], str] = {
    (0x1A86, 0x7523): "WCH CH340",
    (0x1A86, 0x7522): "WCH CH340K",
    (0x1A86, 0x5523): "WCH CH341",
    (0x1A86, 0x55D4): "WCH CH9102",
    (0x10C4, 0xEA60): "Silicon Labs CP210x",
    (0x10C4, 0xEA70): "Silicon Labs CP2105",
    (0x10C4, 0xEA71): "Silicon Labs CP2108",
    (0x067B, 0x2303): "Prolific PL2303",
    (0x067B, 0x23A3): "Prolific PL2303GC",
    (0x067B, 0x23C3): "Prolific PL2303GT",
    (0x067B, 0x23D3): "Prolific PL2303GL",
    (0x0403, 0x6001): "FTDI FT232R",
    (0x0403, 0x6010): "FTDI FT2232",
    (0x0403, 0x6011): "FTDI FT4232",
    (0x0403, 0x6014): "FTDI FT232H",
    (0x0403, 0x6015): "FTDI FT-X",
}


@dataclass(frozen=True)
class SerialPortSeen:
    device: str
    vendor_id: int | None
    product_id: int | None

    @property
    def usb_id(self) -> str:
        if self.vendor_id is None or self.product_id is None:
            return "-"
        return f"{self.vendor_id:04x}:{self.product_id:04x}"


def serial_ports() -> list[SerialPortSeen]:
    """The serial ports the kernel lists, with their USB ids (pyserial reads sysfs)."""
    from serial.tools import list_ports

    return [SerialPortSeen(port.device, port.vid, port.pid) for port in list_ports.comports()]


def find_reader_port(ports: Iterable[SerialPortSeen], exclude: Iterable[str] = ()) -> str:
    """The one port on a known USB-serial chip; raises ReaderAbsent or ReaderAmbiguous."""
    excluded = {os.path.realpath(path) for path in exclude}
    candidates = [
        port
        for port in ports
        if (port.vendor_id, port.product_id) in SERIAL_CHIPS
        and os.path.realpath(port.device) not in excluded
    ]
    if not candidates:
        raise ReaderAbsent(
            "no USB serial adapter of a known reader chip (CH340, CP210x, "
            "PL2303, FTDI) is plugged in"
        )
    if len(candidates) > 1:
        raise ReaderAmbiguous(sorted(port.device for port in candidates))
    found = candidates[0]
    assert found.vendor_id is not None and found.product_id is not None  # a known chip's ids
    log.event(
        "idcard.found",
        device=found.device,
        usb_id=found.usb_id,
        chip=SERIAL_CHIPS[(found.vendor_id, found.product_id)],
    )
    return found.device


PortLister = Callable[[], list[SerialPortSeen]]
