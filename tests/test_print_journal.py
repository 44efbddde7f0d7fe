"""Never lose a slip: the receipt is journaled with its submission, failures say what to
do in Chinese, and 重新打印 prints the same receipt after a fix or a restart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils
from appliance_dev.sim.file_printer import FilePrinter

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.receipt import layout_receipt
from appliance.domain.submission import Applicant, LookupMethod, Operator, Submission
from appliance.hardware.printer.port import PrinterError
from appliance.hardware.printer.profiles import RenderMode, get_profile
from appliance.store.db import connect
from appliance.store.print_jobs import JobState, find_job
from appliance.store.submissions import store_submission
from appliance.workflow.messages import printer_message
from appliance.workflow.receipt_printing import ReceiptPrinting, report_unprinted
from tests.print_helpers import DEMO_RECEIPT

NOW = datetime(2025, 3, 14, 10, 32)
PROFILE = get_profile("generic-80")


def submission(db: sqlite_utils.Database) -> Submission:
    return store_submission(
        db,
        created_at=NOW,
        hall_name="广东省网上办事大厅中山分厅",
        window="08",
        operator=Operator("李梅", "01"),
        lookup_method=LookupMethod.QR,
        item=ServiceItem(
            "11442000007176788Q4440112001000",
            "个体工商户设立登记",
            "市场监管局",
            10,
            ItemType.BRANCH,
        ),
        item_type=ItemType.BRANCH,
        applicant=Applicant("张晓三", "resident_id", "44200019900101123X"),
    )


def setup(
    tmp_path: Path, fault: str = "none", mode: RenderMode = RenderMode.TEXT
) -> tuple[ReceiptPrinting, FilePrinter, Submission]:
    db = connect(tmp_path / "appliance.db")
    printer = FilePrinter(tmp_path / "printer", fault=fault, profile=PROFILE)
    return ReceiptPrinting(db, printer, PROFILE, mode, lambda: NOW), printer, submission(db)


def layout(columns: int) -> list:
    return layout_receipt(DEMO_RECEIPT, columns)


def test_printed_receipt_is_journaled_as_printed(tmp_path: Path) -> None:
    receipts, printer, sub = setup(tmp_path)
    assert receipts.print_receipt(sub.id, sub.receipt_number, layout) == 1
    job = find_job(receipts.db, sub.id)
    assert job is not None and job.state is JobState.PRINTED and job.attempts == 1
    assert (tmp_path / "printer" / "receipt.bin").read_bytes() == receipts.job_bytes(job.lines)


def test_paper_out_keeps_the_receipt_and_reprint_after_the_fix_prints_it(tmp_path: Path) -> None:
    receipts, printer, sub = setup(tmp_path, fault="paper_out")
    with pytest.raises(PrinterError) as raised:
        receipts.print_receipt(sub.id, sub.receipt_number, layout)
    job = find_job(receipts.db, sub.id)
    assert job is not None and job.state is JobState.FAILED and job.last_error == "paper_out"
    assert printer_message(raised.value.status, raised.value.interrupted).startswith("打印机缺纸")
    printer.set_fault("none")
    assert receipts.print_receipt(sub.id, sub.receipt_number, layout) == 1
    assert find_job(receipts.db, sub.id).state is JobState.PRINTED


@pytest.mark.parametrize(
    ("fault", "status"), [("paper_out_mid_job", "paper_out"), ("dead_connection", "offline")]
)
def test_job_cut_short_tells_the_clerk_to_tear_off_and_reprint(
    tmp_path: Path, fault: str, status: str
) -> None:
    receipts, printer, sub = setup(tmp_path, fault=fault)
    with pytest.raises(PrinterError) as raised:
        receipts.print_receipt(sub.id, sub.receipt_number, layout)
    assert raised.value.interrupted
    assert raised.value.status.value == status
    assert printer_message(raised.value.status, True).startswith("回执未打印完整")
    assert printer.status().value == status


def test_no_status_reply_is_not_printed(tmp_path: Path) -> None:
    receipts, printer, sub = setup(tmp_path, fault="no_reply")
    with pytest.raises(PrinterError) as raised:
        receipts.print_receipt(sub.id, sub.receipt_number, layout)
    assert raised.value.status.value == "unknown"
    assert printer.jobs_printed == 0
    assert "无法读取打印机状态" in printer_message(raised.value.status, False)


def test_reprint_after_a_restart_prints_the_same_receipt(tmp_path: Path) -> None:
    receipts, printer, sub = setup(tmp_path, fault="cover_open", mode=RenderMode.RASTER)
    with pytest.raises(PrinterError):
        receipts.print_receipt(sub.id, sub.receipt_number, layout)
    receipts.db.conn.close()

    db = connect(tmp_path / "appliance.db")
    printer = FilePrinter(tmp_path / "printer", profile=PROFILE)
    again = ReceiptPrinting(db, printer, PROFILE, RenderMode.RASTER, lambda: NOW)
    owed = report_unprinted(again)
    assert [job.receipt_number for job in owed] == [sub.receipt_number]

    def changed_layout(columns: int) -> list:
        raise AssertionError("a reprint must not lay the receipt out again")

    assert again.print_receipt(sub.id, sub.receipt_number, changed_layout) == 1
    assert (tmp_path / "printer" / "receipt.bin").read_bytes() == again.job_bytes(
        layout(PROFILE.columns)
    )
    assert again.unprinted() == []


def test_journal_holds_no_full_name_or_id_number(tmp_path: Path) -> None:
    receipts, _, sub = setup(tmp_path)
    receipts.print_receipt(sub.id, sub.receipt_number, layout)
    stored = receipts.db.execute("SELECT lines FROM print_jobs").fetchone()[0]
    assert "44200019900101123X" not in stored and "张晓三" not in stored
    assert "张*三" in stored


def test_narrower_paper_lays_the_journaled_receipt_out_again(tmp_path: Path) -> None:
    receipts, _, sub = setup(tmp_path)
    receipts.print_receipt(sub.id, sub.receipt_number, layout)
    narrow = get_profile("generic-58")
    receipts.profile = narrow
    receipts.printer = FilePrinter(tmp_path / "printer58", profile=narrow)
    assert receipts.print_receipt(sub.id, sub.receipt_number, layout) == 2
    assert find_job(receipts.db, sub.id).columns == narrow.columns
