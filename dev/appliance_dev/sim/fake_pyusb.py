"""A pyusb backend with no hardware behind it: tests plug and pull keys by their USB ids.

It implements pyusb's own backend interface, so ``usb.core.find`` and the real
``PyUsbBus`` run unchanged on top of it. ``fail`` makes enumeration raise, as a
disconnected hub or a libusb error would.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import usb.core
from usb.backend import IBackend

USB_DEVICE_DESCRIPTOR = 0x01


@dataclass(frozen=True)
class _Descriptor:
    """The fields ``usb.core.Device`` copies from a device descriptor."""

    idVendor: int  # noqa: N815 - pyusb's attribute names
    idProduct: int  # noqa: N815
    address: int
    bus: int = 1
    bLength: int = 18  # noqa: N815
    bDescriptorType: int = USB_DEVICE_DESCRIPTOR  # noqa: N815
    bcdUSB: int = 0x0200  # noqa: N815
    bDeviceClass: int = 0  # noqa: N815
    bDeviceSubClass: int = 0  # noqa: N815
    bDeviceProtocol: int = 0  # noqa: N815
    bMaxPacketSize0: int = 64  # noqa: N815
    bcdDevice: int = 0x0100  # noqa: N815
    iManufacturer: int = 0  # noqa: N815
    iProduct: int = 0  # noqa: N815
    iSerialNumber: int = 0  # noqa: N815
    bNumConfigurations: int = 1  # noqa: N815
    port_number: int | None = None
    port_numbers: tuple[int, ...] | None = None
    speed: int | None = None


class FakePyUsbBackend(IBackend):
    def __init__(self, *ids: tuple[int, int]) -> None:
        self._lock = threading.Lock()
        self._next_address = 1
        self._devices: list[_Descriptor] = []
        self.fail = False
        for vendor_id, product_id in ids:
            self.plug(vendor_id, product_id)

    def plug(self, vendor_id: int, product_id: int) -> None:
        with self._lock:
            self._devices.append(_Descriptor(vendor_id, product_id, self._next_address))
            self._next_address += 1

    def unplug(self, vendor_id: int, product_id: int) -> None:
        with self._lock:
            self._devices = [
                d for d in self._devices if (d.idVendor, d.idProduct) != (vendor_id, product_id)
            ]

    def enumerate_devices(self):
        with self._lock:
            if self.fail:
                raise usb.core.USBError("fake bus: enumeration failed", errno=5)
            return list(self._devices)

    def get_device_descriptor(self, dev: _Descriptor) -> _Descriptor:
        return dev

    def get_parent(self, dev: _Descriptor) -> None:
        return None
