"""The USB bus port: which devices are plugged in (keys and printers are found here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class UsbDevice:
    vendor_id: int
    product_id: int
    description: str = ""

    @property
    def ids(self) -> str:
        return f"{self.vendor_id:04x}:{self.product_id:04x}"


class UsbBus(Protocol):
    def devices(self) -> list[UsbDevice]:
        """The devices plugged in now."""
