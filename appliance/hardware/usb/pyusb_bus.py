"""The USB bus read through pyusb (libusb on the box); a test passes a fake pyusb backend.

Only the device descriptors are read, which needs no permission on the device itself,
so enumeration works for the kiosk user without udev rules for every key model.
"""

from __future__ import annotations

import logging

import usb.core
from usb.backend import IBackend

from appliance.hardware.usb.port import UsbDevice
from appliance.log import event


class PyUsbBus:
    """Implements ``UsbBus``; ``backend`` None lets pyusb pick libusb1 as usual."""

    def __init__(self, backend: IBackend | None = None) -> None:
        self._backend = backend

    def devices(self) -> list[UsbDevice]:
        """Every device on the bus; a failing bus reads as an empty one, and is logged."""
        try:
            found = list(usb.core.find(find_all=True, backend=self._backend))
        except (usb.core.USBError, usb.core.NoBackendError) as error:
            event(
                "usb.enumerate_failed",
                logging.WARNING,
                outcome="failure",
                error=type(error).__name__,
                detail=str(error)[:120],
            )
            return []
        return [UsbDevice(device.idVendor, device.idProduct) for device in found]
