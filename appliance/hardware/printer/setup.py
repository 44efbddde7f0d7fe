"""Builds the configured receipt printer: its profile, render mode and backend.

The printer into files is simulated hardware from the development package
(:mod:`appliance.development`), asked for only when configured.
"""

from __future__ import annotations

from pathlib import Path

from appliance.config import PrinterSection
from appliance.development import simulators
from appliance.hardware.printer.discovery import (
    FoundPrinter,
    UsbPrinterSearch,
    find_profiled_printer,
)
from appliance.hardware.printer.escpos_links import (
    DeviceFileLink,
    Link,
    NetworkLink,
    SerialLink,
    UsbLink,
)
from appliance.hardware.printer.escpos_printer import EscposPrinter
from appliance.hardware.printer.port import Printer
from appliance.hardware.printer.profiles import (
    PrinterProfile,
    RenderMode,
    default_profile,
    get_profile,
    shipped_profiles,
)
from appliance.hardware.usb.port import UsbBus


def searches_usb(section: PrinterSection) -> bool:
    """USB with no ids configured: the printer is found by the profiles' USB ids."""
    return section.backend == "usb" and section.usb_vendor_id is None


def printer_profile(section: PrinterSection, bus: UsbBus | None = None) -> PrinterProfile:
    """The configured profile; else, searching USB, that of the printer on ``bus`` now;
    else the generic one for the paper width."""
    if section.profile is not None:
        return get_profile(section.profile)
    if bus is not None and searches_usb(section):
        found = find_profiled_printer(bus.devices(), shipped_profiles().values())
        if found is not None:
            return found.profile
    return default_profile(section.paper_width_mm)


def render_mode(section: PrinterSection, profile: PrinterProfile | None = None) -> RenderMode:
    if section.mode:
        return RenderMode(section.mode)
    return (profile or printer_profile(section)).mode


def build_printer(
    section: PrinterSection,
    data_dir: Path,
    bus: UsbBus | None = None,
    profile: PrinterProfile | None = None,
) -> Printer:
    """The printer backend; ``bus`` is searched when USB has no ids (pyusb when None)."""
    profile = profile or printer_profile(section, bus)
    if section.backend == "file":
        return simulators("printer.backend = 'file'").file_printer(
            section.output_dir or data_dir / "printer", section.fault, profile
        )
    if searches_usb(section):
        if bus is None:
            from appliance.hardware.usb.pyusb_bus import PyUsbBus

            bus = PyUsbBus()
        return UsbPrinterSearch(
            bus, shipped_profiles().values(), profile, lambda found: _usb_printer(section, found)
        )
    return EscposPrinter(
        _link(section),
        name=f"{section.backend}:{profile.name}",
        status_timeout_s=section.status_timeout_s,
    )


def _usb_printer(section: PrinterSection, found: FoundPrinter) -> EscposPrinter:
    link = UsbLink(found.device.vendor_id, found.device.product_id, section.timeout_s)
    return EscposPrinter(
        link,
        name=f"usb:{found.device.ids}:{found.profile.name}",
        status_timeout_s=section.status_timeout_s,
    )


def _link(section: PrinterSection) -> Link:
    timeout = section.timeout_s
    if section.backend == "usb":
        assert section.usb_vendor_id and section.usb_product_id
        return UsbLink(section.usb_vendor_id, section.usb_product_id, timeout)
    if section.backend == "serial":
        assert section.serial_port
        return SerialLink(section.serial_port, section.baudrate, timeout)
    if section.backend == "network":
        assert section.host
        return NetworkLink(section.host, section.port, timeout)
    assert section.device
    return DeviceFileLink(section.device, timeout)
