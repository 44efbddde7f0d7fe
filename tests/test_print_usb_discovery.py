"""A USB receipt printer found by the USB ids the profiles list, plugged in whenever.

The bus is the project's fake pyusb backend under the real PyUsbBus; the printer found is
the simulated ESC/POS printer (reached over TCP here, since the fake bus carries
descriptors only), so discovery, status and printing run through the real printer code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from appliance_dev.sim.fake_pyusb import FakePyUsbBackend
from appliance_dev.sim.tcp_printer import TcpPrinter

from appliance.config import DEV_CONFIG, parse_config
from appliance.domain.receipt import layout_receipt
from appliance.errors import ConfigError
from appliance.hardware.printer.discovery import (
    FoundPrinter,
    UsbPrinterSearch,
    find_profiled_printer,
)
from appliance.hardware.printer.escpos_links import NetworkLink
from appliance.hardware.printer.escpos_printer import EscposPrinter
from appliance.hardware.printer.port import PrinterError, PrinterStatus
from appliance.hardware.printer.profiles import get_profile, shipped_profiles
from appliance.hardware.printer.receipt_job import build_job
from appliance.hardware.printer.setup import build_printer, printer_profile, render_mode
from appliance.hardware.usb.port import UsbDevice
from appliance.hardware.usb.pyusb_bus import PyUsbBus
from tests.print_helpers import DEMO_RECEIPT

HUB = (0x8087, 0x0024)
KEY = (0x096E, 0x0703)  # a JIT key: on the bus, never a printer
EPSON = (0x04B8, 0x0202)
GENERIC_80 = (0x0416, 0x5011)


def config_with(printer_section: str):
    text = DEV_CONFIG.read_text(encoding="utf-8")
    text = text[: text.index("[printer]")] + "[printer]\n" + printer_section + "\n"
    return parse_config(text, Path("box.toml"))


@pytest.fixture
def usb() -> FakePyUsbBackend:
    return FakePyUsbBackend(HUB, KEY)


@pytest.fixture
def server() -> Iterator[TcpPrinter]:
    printer = TcpPrinter()
    yield printer
    printer.close()


def search(
    usb: FakePyUsbBackend, server: TcpPrinter, connected: list[FoundPrinter]
) -> UsbPrinterSearch:
    def connect(found: FoundPrinter) -> EscposPrinter:
        connected.append(found)
        return EscposPrinter(
            NetworkLink(*server.address, timeout_s=1.0),
            name="test",
            status_timeout_s=0.2,
            settle_s=0.02,
        )

    return UsbPrinterSearch(
        PyUsbBus(usb), shipped_profiles().values(), get_profile("generic-80"), connect, rescan_s=0
    )


def test_only_a_device_some_profile_lists_is_a_printer() -> None:
    profiles = shipped_profiles().values()
    assert find_profiled_printer([UsbDevice(*HUB), UsbDevice(*KEY)], profiles) is None
    found = find_profiled_printer([UsbDevice(*KEY), UsbDevice(*EPSON)], profiles)
    assert found is not None and found.profile.name == "epson-tm-t88"
    assert found.device.ids == "04b8:0202"


def test_no_printer_on_the_bus_is_offline_and_a_job_is_refused_not_hung(
    usb: FakePyUsbBackend, server: TcpPrinter
) -> None:
    connected: list[FoundPrinter] = []
    printer = search(usb, server, connected)
    assert printer.status() is PrinterStatus.OFFLINE  # the status bar: 打印机：未连接
    with pytest.raises(PrinterError) as refused:
        printer.print_job(b"\x1b@")
    assert refused.value.status is PrinterStatus.OFFLINE and not refused.value.interrupted
    assert connected == []
    assert server.device.take_job() == b""


def test_printer_plugged_later_is_found_and_prints_then_unplugged_is_offline_again(
    usb: FakePyUsbBackend, server: TcpPrinter
) -> None:
    connected: list[FoundPrinter] = []
    printer = search(usb, server, connected)
    assert printer.status() is PrinterStatus.OFFLINE
    usb.plug(*GENERIC_80)
    assert printer.status() is PrinterStatus.READY
    profile = get_profile("generic-80")
    job = build_job(layout_receipt(DEMO_RECEIPT, profile.columns), profile)
    printer.print_job(job)
    assert server.device.take_job() == job
    assert [found.profile.name for found in connected] == ["generic-80"]

    usb.unplug(*GENERIC_80)
    server.close()  # the cable is out: the printer no longer answers
    assert printer.status() is PrinterStatus.OFFLINE
    assert printer.status() is PrinterStatus.OFFLINE  # looked for again: not on the bus
    assert len(connected) == 1


def test_search_waits_rescan_s_between_looks_at_the_bus(
    usb: FakePyUsbBackend, server: TcpPrinter
) -> None:
    now = [100.0]
    printer = UsbPrinterSearch(
        PyUsbBus(usb),
        shipped_profiles().values(),
        get_profile("generic-80"),
        lambda found: pytest.fail("connected"),
        rescan_s=1.0,
        clock=lambda: now[0],
    )
    assert printer.status() is PrinterStatus.OFFLINE
    usb.fail = True  # a bus that fails is not even asked within the pause
    now[0] += 0.5
    assert printer.status() is PrinterStatus.OFFLINE
    now[0] += 0.6
    assert printer.status() is PrinterStatus.OFFLINE  # asked: reads as empty, logged


def test_usb_backend_without_ids_searches_the_bus_and_the_printer_found_picks_the_profile(
    usb: FakePyUsbBackend, tmp_path: Path
) -> None:
    section = config_with('backend = "usb"').printer
    bus = PyUsbBus(usb)
    assert printer_profile(section, bus).name == "generic-80"  # nothing found: paper width
    usb.plug(*EPSON)
    profile = printer_profile(section, bus)
    assert profile.name == "epson-tm-t88"
    assert render_mode(section, profile) is profile.mode
    printer = build_printer(section, tmp_path, bus, profile)
    assert isinstance(printer, UsbPrinterSearch)
    assert printer.profile is profile
    configured = config_with('backend = "usb"\nprofile = "generic-80"').printer
    assert printer_profile(configured, bus).name == "generic-80"  # the configuration wins


def test_usb_backend_takes_both_ids_or_neither() -> None:
    with pytest.raises(ConfigError, match="both usb_vendor_id and usb_product_id"):
        config_with('backend = "usb"\nusb_vendor_id = 0x04b8')
    section = config_with('backend = "usb"\nusb_vendor_id = 0x04b8\nusb_product_id = 0x0202')
    assert section.printer.usb_product_id == 0x0202


def test_a_usb_id_listed_by_two_profiles_is_refused() -> None:
    from appliance.hardware.printer.profiles import ProfileError, _check_unique_usb_ids

    epson = get_profile("epson-tm-t88")
    twin = dataclasses.replace(get_profile("generic-58"), name="twin", usb_ids=epson.usb_ids)
    with pytest.raises(ProfileError, match="04b8:0202 is listed by both"):
        _check_unique_usb_ids([epson, twin])


def test_serial_printer_missing_at_start_is_offline_not_fatal(tmp_path: Path) -> None:
    section = config_with(
        f'backend = "serial"\nserial_port = "{tmp_path / "ttyUSB0"}"\n'
        "timeout_s = 0.5\nstatus_timeout_s = 0.2"
    ).printer
    printer = build_printer(section, tmp_path)
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrinterError) as refused:
        printer.print_job(b"\x1b@")
    assert refused.value.status is PrinterStatus.OFFLINE
