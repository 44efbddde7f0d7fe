"""Real links against simulated printers: TCP 9100 on 127.0.0.1, a device file and a
serial port (both a raw pseudo-terminal). Status before and after every job; an
unanswered query is UNKNOWN, never READY."""

from __future__ import annotations

import os
import pty
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
from appliance_dev.sim.escpos_device import EscposDevice
from appliance_dev.sim.tcp_printer import TcpPrinter

from appliance.domain.receipt import layout_receipt
from appliance.hardware.printer.escpos_links import DeviceFileLink, NetworkLink, SerialLink
from appliance.hardware.printer.escpos_printer import EscposPrinter
from appliance.hardware.printer.port import PrinterError, PrinterStatus
from appliance.hardware.printer.profiles import RenderMode, get_profile
from appliance.hardware.printer.receipt_job import build_job
from appliance.hardware.printer.receipt_preview import preview_job
from tests.print_helpers import DEMO_RECEIPT, RECEIPT_NUMBER, decode_qr

STATUS_TIMEOUT = 0.2
PROFILE = get_profile("generic-80")


def demo_job(mode: RenderMode = RenderMode.TEXT) -> bytes:
    return build_job(layout_receipt(DEMO_RECEIPT, PROFILE.columns), PROFILE, mode)


@pytest.fixture
def server() -> Iterator[TcpPrinter]:
    printer = TcpPrinter()
    yield printer
    printer.close()


def network_printer(server: TcpPrinter) -> EscposPrinter:
    return EscposPrinter(
        NetworkLink(*server.address, timeout_s=2.0),
        name="test",
        status_timeout_s=STATUS_TIMEOUT,
        settle_s=0.05,
    )


@pytest.mark.parametrize("mode", list(RenderMode))
def test_network_printer_receives_the_exact_job(server: TcpPrinter, mode: RenderMode) -> None:
    printer = network_printer(server)
    job = demo_job(mode)
    assert printer.status() is PrinterStatus.READY
    printer.print_job(job)
    received = server.device.take_job()
    assert received == job
    assert decode_qr(preview_job(received, PROFILE).image) == [RECEIPT_NUMBER]
    assert server.device.queries[-4:] == [1, 2, 3, 4]  # the status after the job


def test_printer_that_answers_nothing_is_unknown_never_ready(server: TcpPrinter) -> None:
    server.device.state.silent = True
    printer = network_printer(server)
    started = time.monotonic()
    assert printer.status() is PrinterStatus.UNKNOWN
    assert time.monotonic() - started < STATUS_TIMEOUT * 3
    with pytest.raises(PrinterError) as raised:
        printer.print_job(demo_job())
    assert raised.value.status is PrinterStatus.UNKNOWN
    assert not raised.value.interrupted
    assert server.device.take_job() == b""


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ("cover_open", PrinterStatus.COVER_OPEN),
        ("paper", PrinterStatus.PAPER_OUT),
        ("cutter_error", PrinterStatus.FAULT),
    ],
)
def test_faulted_printer_refuses_the_job_before_sending_it(
    server: TcpPrinter, fault: str, status: PrinterStatus
) -> None:
    if fault == "paper":
        server.device.state.paper = "out"
    else:
        setattr(server.device.state, fault, True)
    printer = network_printer(server)
    assert printer.status() is status
    with pytest.raises(PrinterError) as raised:
        printer.print_job(demo_job())
    assert raised.value.status is status and not raised.value.interrupted


def test_paper_near_end_still_prints(server: TcpPrinter) -> None:
    server.device.state.paper = "near_end"
    printer = network_printer(server)
    assert printer.status() is PrinterStatus.READY
    printer.print_job(demo_job())


def test_paper_running_out_mid_job_is_reported_as_interrupted(server: TcpPrinter) -> None:
    job = demo_job(RenderMode.RASTER)
    server.device.state.paper_out_after = len(job) // 2
    with pytest.raises(PrinterError) as raised:
        network_printer(server).print_job(job)
    assert raised.value.status is PrinterStatus.PAPER_OUT
    assert raised.value.interrupted


def test_dead_connection_mid_job_then_the_next_call_reconnects(server: TcpPrinter) -> None:
    job = demo_job(RenderMode.RASTER)
    server.drop_after = len(job) // 3
    printer = network_printer(server)
    with pytest.raises(PrinterError) as raised:
        printer.print_job(job)
    assert raised.value.status is PrinterStatus.OFFLINE
    assert raised.value.interrupted
    server.device.take_job()
    assert printer.status() is PrinterStatus.READY
    printer.print_job(job)
    assert server.device.take_job() == job
    assert server.connections == 2


def test_printer_switched_off_is_offline_within_the_timeout() -> None:
    gone = TcpPrinter()
    address = gone.address
    gone.close()
    printer = EscposPrinter(
        NetworkLink(*address, timeout_s=0.5),
        name="test",
        status_timeout_s=STATUS_TIMEOUT,
        settle_s=0,
    )
    assert printer.status() is PrinterStatus.OFFLINE


class PtyPrinter:
    """An EscposDevice answering on the master side of a raw pseudo-terminal."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        tty.setraw(slave)
        self.path = Path(os.ttyname(slave))
        self._slave = slave
        self.device = EscposDevice()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import select

        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                replies = self.device.feed(os.read(self.master, 65536))
                if replies:
                    os.write(self.master, replies)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    printer = PtyPrinter()
    yield printer
    printer.close()


@pytest.mark.parametrize("kind", ["device", "serial"])
def test_device_file_and_serial_links_print_and_read_status(
    pty_printer: PtyPrinter, kind: str
) -> None:
    link = (
        DeviceFileLink(pty_printer.path, timeout_s=2.0)
        if kind == "device"
        else SerialLink(pty_printer.path, 9600, timeout_s=2.0)
    )
    printer = EscposPrinter(link, name=kind, status_timeout_s=STATUS_TIMEOUT, settle_s=0.05)
    job = demo_job()
    assert printer.status() is PrinterStatus.READY
    printer.print_job(job)
    deadline = time.monotonic() + 2
    while len(pty_printer.device.job) < len(job) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pty_printer.device.take_job() == job
    pty_printer.device.state.silent = True
    assert printer.status() is PrinterStatus.UNKNOWN
    printer.close()


def test_missing_device_file_is_offline(tmp_path: Path) -> None:
    printer = EscposPrinter(
        DeviceFileLink(tmp_path / "lp0", timeout_s=0.5), name="lp", status_timeout_s=STATUS_TIMEOUT
    )
    assert printer.status() is PrinterStatus.OFFLINE
