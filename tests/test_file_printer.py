from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from appliance_dev.sim.file_printer import FilePrinter
from PIL import Image

from appliance import log
from appliance.domain.receipt import QrCode, ReceiptData, layout_receipt
from appliance.hardware.printer.escpos_encode import encode_receipt
from appliance.hardware.printer.escpos_preview import EscPosError, render_preview
from appliance.hardware.printer.port import PrinterError, PrinterStatus

RECEIPT_NUMBER = "ZS-08-20250314-0001"
RECEIPT = ReceiptData(
    hall_name="广东省网上办事大厅中山分厅",
    window="08",
    receipt_number=RECEIPT_NUMBER,
    item_name="个体工商户设立登记（含名称自主申报、经营范围规范表述）",
    item_code="11442000007176788Q4440112001000",
    item_type_label="部门内部系统",
    applicant_name="张晓三",
    id_type_label="居民身份证",
    id_number="44200019900101123X",
    accepted_at=datetime(2025, 3, 14, 10, 32),
    operator_name="李梅",
    appointment_number=None,
    promised_date=date(2025, 3, 28),
    synced=False,
)


def job_for(columns: int = 48, **options: bool) -> tuple[list, bytes]:
    lines = layout_receipt(RECEIPT, columns)
    return lines, encode_receipt(lines, **options)


def decode_qr(image: Image.Image) -> list[str]:
    gray = np.asarray(image.convert("L"))
    found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found if barcode.valid]


def test_job_switches_to_chinese_mode_and_encodes_gb18030() -> None:
    _, job = job_for()
    assert job.startswith(b"\x1b@")
    assert b"\x1c&" + "办件回执".encode("gb18030") + b"\x1c." in job
    assert job.endswith(b"\x1dV\x01")


def test_full_width_colon_survives_as_gb18030_not_question_mark() -> None:
    _, job = job_for()
    assert "回执编号：".encode("gb18030") in job
    assert b"\xa3\xba" in job
    assert b"?" not in job


def test_printed_receipt_files_hold_the_job_and_a_scannable_preview(tmp_path: Path) -> None:
    _, job = job_for()
    printer = FilePrinter(tmp_path)
    printer.print_job(job)
    assert (tmp_path / "receipt.bin").read_bytes() == job
    assert decode_qr(Image.open(tmp_path / "receipt.png")) == [RECEIPT_NUMBER]
    assert printer.jobs_printed == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["receipt.bin", "receipt.png"]


def test_raster_qr_for_printers_without_native_qr_scans_too() -> None:
    _, job = job_for(native_qr=False)
    assert b"\x1d(k" not in job
    assert decode_qr(render_preview(job).image) == [RECEIPT_NUMBER]


@pytest.mark.parametrize(("paper_mm", "columns"), [(58, 32), (80, 48)])
def test_preview_text_is_exactly_the_layout(paper_mm: int, columns: int) -> None:
    lines, job = job_for(columns)
    preview = render_preview(job, paper_width_mm=paper_mm)
    assert list(preview.text_lines) == [line.text for line in lines if not isinstance(line, QrCode)]
    assert preview.cuts == 1


def test_58_mm_preview_is_384_dots_wide(tmp_path: Path) -> None:
    _, job = job_for(32)
    FilePrinter(tmp_path, paper_width_mm=58).print_job(job)
    assert Image.open(tmp_path / "receipt.png").width == 384


def test_printer_that_starts_in_chinese_mode_needs_no_fs_commands() -> None:
    _, job = job_for(chinese_mode_commands=False)
    assert b"\x1c&" not in job
    preview = render_preview(job, chinese_mode=True)
    assert preview.text_lines[0] == "办件回执"
    with pytest.raises(EscPosError) as raised:
        render_preview(job)
    assert job[raised.value.offset] >= 0x80


def test_paper_out_raises_and_writes_nothing(tmp_path: Path) -> None:
    printer = FilePrinter(tmp_path / "out", fault="paper_out")
    assert printer.status() is PrinterStatus.PAPER_OUT
    with pytest.raises(PrinterError) as raised:
        printer.print_job(job_for()[1])
    assert raised.value.status is PrinterStatus.PAPER_OUT
    assert "paper" in str(raised.value)
    assert not (tmp_path / "out").exists()
    assert printer.jobs_printed == 0


def test_fault_injected_at_run_time_blocks_printing_until_cleared(tmp_path: Path) -> None:
    printer = FilePrinter(tmp_path)
    printer.set_fault("cover_open")
    assert printer.status() is PrinterStatus.COVER_OPEN
    with pytest.raises(PrinterError):
        printer.print_job(job_for()[1])
    printer.set_fault("none")
    assert printer.status() is PrinterStatus.READY
    printer.print_job(job_for()[1])
    assert printer.jobs_printed == 1


def test_unknown_fault_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="paper_out"):
        FilePrinter(tmp_path, fault="jammed")


def test_unknown_byte_is_reported_with_its_offset() -> None:
    with pytest.raises(EscPosError, match="offset 3") as raised:
        render_preview(b"\x1b@A\x07\n")
    assert raised.value.offset == 3


def test_truncated_command_is_reported() -> None:
    with pytest.raises(EscPosError, match="ends inside a command"):
        render_preview(b"\x1b@\x1d(k\x03\x00")


def test_malformed_job_is_not_written(tmp_path: Path) -> None:
    printer = FilePrinter(tmp_path)
    with pytest.raises(EscPosError):
        printer.print_job(b"\x1b@\x1b\x74\x00")
    assert list(tmp_path.iterdir()) == []


def test_print_and_status_are_logged(tmp_path: Path) -> None:
    stream = io.StringIO()
    log.configure(stream=stream)
    printer = FilePrinter(tmp_path, fault="offline")
    printer.status()
    with pytest.raises(PrinterError):
        printer.print_job(job_for()[1])
    printer.set_fault("none")
    printer.print_job(job_for()[1])
    events = [
        " ".join(part for part in line.split() if not part.startswith("ts="))
        for line in stream.getvalue().splitlines()
    ]
    assert "event=printer.status status=offline outcome=failure" in events
    assert "event=print.complete outcome=failure status=offline" in events
    assert any(e.startswith("event=print.complete outcome=success") for e in events)
    assert sum(e.startswith("event=print.init") for e in events) == 2
