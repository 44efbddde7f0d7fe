"""A key that counts as present only while its USB device is on the bus.

A PKCS#11 module may keep answering for a moment after the key is pulled; the bus is
the faster witness, so a pulled key locks the session at the next poll.
"""

from __future__ import annotations

from appliance.hardware.key import KeyAbsent, KeyPort, KeyStatus, OperatorCertificate
from appliance.hardware.usb import UsbBus, UsbDevice


class UsbGatedKey:
    def __init__(self, key: KeyPort, bus: UsbBus, device: UsbDevice) -> None:
        self._key = key
        self._bus = bus
        self._device = device

    def _plugged(self) -> bool:
        return self._device in self._bus.devices()

    def status(self) -> KeyStatus:
        return self._key.status() if self._plugged() else KeyStatus.ABSENT

    def certificate(self) -> OperatorCertificate:
        if not self._plugged():
            raise KeyAbsent()
        return self._key.certificate()

    def login(self, pin: bytearray) -> OperatorCertificate:
        if not self._plugged():
            pin[:] = bytes(len(pin))
            raise KeyAbsent()
        return self._key.login(pin)
