"""Builds the configured receipt printer: its profile, render mode and backend."""

from __future__ import annotations

from pathlib import Path

from appliance.config import PrinterSection
from appliance.hardware.escpos_links import (
    DeviceFileLink,
    Link,
    NetworkLink,
    SerialLink,
    UsbLink,
)
from appliance.hardware.escpos_printer import EscposPrinter
from appliance.hardware.printer import Printer
from appliance.hardware.printer_profiles import (
    PrinterProfile,
    RenderMode,
    default_profile,
    get_profile,
)
from appliance.sim.file_printer import FilePrinter


def printer_profile(section: PrinterSection) -> PrinterProfile:
    if section.profile is None:
        return default_profile(section.paper_width_mm)
    return get_profile(section.profile)


def render_mode(section: PrinterSection) -> RenderMode:
    return RenderMode(section.mode) if section.mode else printer_profile(section).mode


def build_printer(section: PrinterSection, data_dir: Path) -> Printer:
    profile = printer_profile(section)
    if section.backend == "file":
        return FilePrinter(section.output_dir or data_dir / "printer", fault=section.fault,
                           profile=profile)
    return EscposPrinter(_link(section), name=f"{section.backend}:{profile.name}",
                         status_timeout_s=section.status_timeout_s)


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
