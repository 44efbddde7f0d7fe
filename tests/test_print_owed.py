"""待打印回执: a receipt that failed to print stays listed after a restart, with the
applicant masked and the printer's problem in Chinese, and 重新打印 prints its journaled
slip, audited like any other print."""

from __future__ import annotations

from pathlib import Path

import pytest
from appliance_dev.sim.file_printer import FilePrinter

from appliance.hardware.printer.port import PrinterError
from appliance.hardware.printer.profiles import RenderMode, get_profile
from appliance.store.audit_trail import AuditTrail
from appliance.store.db import connect
from appliance.store.owed_receipts import owed_count
from appliance.workflow.messages import UserFacingError
from appliance.workflow.owed_receipts import owed_receipts, print_owed
from appliance.workflow.receipt_printing import ReceiptPrinting
from tests.test_print_journal import NOW, PROFILE, layout, submission


def restarted(tmp_path: Path, fault: str = "none", profile=PROFILE) -> ReceiptPrinting:
    printer = FilePrinter(tmp_path / "printer", fault=fault, profile=profile)
    return ReceiptPrinting(
        connect(tmp_path / "appliance.db"), printer, profile, RenderMode.TEXT, lambda: NOW
    )


def paper_out_before_restart(tmp_path: Path) -> str:
    receipts = restarted(tmp_path, fault="paper_out")
    sub = submission(receipts.db)
    with pytest.raises(PrinterError):
        receipts.print_receipt(sub.id, sub.receipt_number, layout)
    receipts.db.conn.close()
    return sub.receipt_number


def test_owed_receipt_is_listed_after_a_restart_with_the_name_masked(tmp_path: Path) -> None:
    number = paper_out_before_restart(tmp_path)
    receipts = restarted(tmp_path)
    [owed] = owed_receipts(receipts.db)
    assert owed.receipt_number == number and owed_count(receipts.db) == 1
    assert owed.text == f"{number}　个体工商户设立登记　张*三　03-14 10:32受理（缺纸）"


def test_reprint_from_the_list_prints_the_journaled_slip_and_audits_it(tmp_path: Path) -> None:
    number = paper_out_before_restart(tmp_path)
    receipts = restarted(tmp_path)
    [owed] = owed_receipts(receipts.db)
    trail = AuditTrail(tmp_path / "appliance.db", lambda: NOW)
    assert print_owed(receipts, owed, trail, "01") == 1
    trail.flush()
    trail.close()
    assert (tmp_path / "printer" / "receipt.bin").read_bytes() == receipts.job_bytes(
        layout(PROFILE.columns)
    )
    assert owed_receipts(receipts.db) == []
    entry = receipts.db.execute(
        "SELECT entry FROM audit_log WHERE action = 'receipt.printed'"
    ).fetchone()[0]
    assert number in entry and '"owed":true' in entry.replace(" ", "")


def test_a_still_empty_printer_says_so_and_keeps_the_receipt_owed(tmp_path: Path) -> None:
    paper_out_before_restart(tmp_path)
    receipts = restarted(tmp_path, fault="cover_open")
    [owed] = owed_receipts(receipts.db)
    with pytest.raises(UserFacingError) as raised:
        print_owed(receipts, owed, None, None)
    assert raised.value.chinese == "打印机盖未关好：请合上后点击“重新打印”重新打印"
    assert "（打印机开盖）" in owed_receipts(receipts.db)[0].text


def test_narrower_paper_lays_the_stored_submission_out_again(tmp_path: Path) -> None:
    paper_out_before_restart(tmp_path)
    narrow = get_profile("generic-58")
    receipts = restarted(tmp_path, profile=narrow)
    [owed] = owed_receipts(receipts.db)
    assert print_owed(receipts, owed, None, None) == 1
    job = (tmp_path / "printer" / "receipt.bin").read_bytes()
    assert "张*三".encode("gb18030") in job and b"44200019900101123X" not in job
