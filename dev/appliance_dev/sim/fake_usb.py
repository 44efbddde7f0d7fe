"""A USB bus kept in a JSON file, so a test or a second shell can pull the demo key.

``appliance usb unplug key`` and ``appliance usb plug key`` edit the same file the
kiosk polls, the way a clerk would pull the real key out of the box.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from appliance.hardware.usb.port import UsbDevice

DEMO_KEY = UsbDevice(0x1D99, 0x0001, "demo electronic key (SoftHSM2)")
DEMO_PRINTER = UsbDevice(0x0416, 0x5011, "demo thermal receipt printer")
NAMED_DEVICES = {"key": DEMO_KEY, "printer": DEMO_PRINTER}


class FakeUsbBus:
    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        if not state_file.exists():
            self._write([DEMO_KEY, DEMO_PRINTER])

    def devices(self) -> list[UsbDevice]:
        try:
            raw = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [UsbDevice(d["vendor_id"], d["product_id"], d["description"]) for d in raw]

    def plug(self, device: UsbDevice) -> None:
        current = self.devices()
        if device not in current:
            self._write([*current, device])

    def unplug(self, device: UsbDevice) -> None:
        self._write([d for d in self.devices() if d != device])

    def _write(self, devices: list[UsbDevice]) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.state_file.with_suffix(".tmp")
        partial.write_text(
            json.dumps(
                [
                    {
                        "vendor_id": d.vendor_id,
                        "product_id": d.product_id,
                        "description": d.description,
                    }
                    for d in devices
                ]
            ),
            encoding="utf-8",
        )
        os.replace(partial, self.state_file)
