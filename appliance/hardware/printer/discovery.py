"""A USB receipt printer found by its USB id from the profiles, whenever it is plugged in.

``[printer] backend = "usb"`` without ``usb_vendor_id``/``usb_product_id``: the printer
is whichever device on the bus has an id some profile lists (``printer_profiles.toml``).
:func:`find_profiled_printer` is the pure choice; :class:`UsbPrinterSearch` is the Printer
port over it. While nothing is found its status is OFFLINE (打印机：未连接) and each status
query looks at the bus again, at most every ``rescan_s``: the kiosk asks once a second on
its worker thread, so a printer plugged in later is found without a restart. A printer that
goes offline is let go and looked for again, so another model plugged in its place is found.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from appliance import log
from appliance.hardware.printer.port import Printer, PrinterError, PrinterStatus
from appliance.hardware.printer.profiles import PrinterProfile
from appliance.hardware.usb.port import UsbBus, UsbDevice

RESCAN_S = 1.0


class ClosablePrinter(Printer, Protocol):
    def close(self) -> None: ...


@dataclass(frozen=True)
class FoundPrinter:
    device: UsbDevice
    profile: PrinterProfile


def find_profiled_printer(
    devices: Iterable[UsbDevice], profiles: Iterable[PrinterProfile]
) -> FoundPrinter | None:
    """The first device on the bus whose id a profile lists, with that profile."""
    by_id = {usb_id: profile for profile in profiles for usb_id in profile.usb_ids}
    for device in devices:
        if (profile := by_id.get((device.vendor_id, device.product_id))) is not None:
            return FoundPrinter(device, profile)
    return None


class UsbPrinterSearch:
    """The Printer port over the profiled USB printer on the bus, if any.

    ``profile`` is the one receipts are laid out for (chosen at start); ``connect`` opens
    the printer found (an ESC/POS printer over its USB link on the box).
    """

    def __init__(
        self,
        bus: UsbBus,
        profiles: Iterable[PrinterProfile],
        profile: PrinterProfile,
        connect: Callable[[FoundPrinter], ClosablePrinter],
        *,
        rescan_s: float = RESCAN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bus = bus
        self._profiles = tuple(profiles)
        self.profile = profile
        self._connect = connect
        self._rescan_s = rescan_s
        self._clock = clock
        self._lock = threading.Lock()
        self._printer: ClosablePrinter | None = None
        self._searched_at: float | None = None

    def status(self) -> PrinterStatus:
        printer = self._current()
        if printer is None:
            return PrinterStatus.OFFLINE
        status = printer.status()
        if status is PrinterStatus.OFFLINE:
            self._let_go(printer)
        return status

    def print_job(self, job: bytes) -> None:
        printer = self._current()
        if printer is None:
            raise PrinterError(PrinterStatus.OFFLINE, "no receipt printer found on USB")
        try:
            printer.print_job(job)
        except PrinterError as error:
            if error.status is PrinterStatus.OFFLINE:
                self._let_go(printer)
            raise

    def close(self) -> None:
        with self._lock:
            printer, self._printer = self._printer, None
        if printer is not None:
            printer.close()

    def _current(self) -> ClosablePrinter | None:
        with self._lock:
            if self._printer is not None:
                return self._printer
            now = self._clock()
            if self._searched_at is not None and now - self._searched_at < self._rescan_s:
                return None
            self._searched_at = now
            found = find_profiled_printer(self._bus.devices(), self._profiles)
            if found is None:
                return None
            log.event(
                "printer.found",
                usb_id=found.device.ids,
                profile=found.profile.name,
                in_use=self.profile.name,
            )
            self._printer = self._connect(found)
            return self._printer

    def _let_go(self, printer: ClosablePrinter) -> None:
        """Unplugged or switched off: search the bus again on the next call."""
        with self._lock:
            if self._printer is not printer:
                return
            self._printer = None
            self._searched_at = None
        printer.close()
