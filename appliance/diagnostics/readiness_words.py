"""The self-test's results in the words a clerk or branch IT reads on 系统诊断: one line
per check, 通过/失败/跳过 and the reason with what to do.

The checks report in English for the CLI and the log; each of their messages is matched
here to a sentence of :mod:`appliance.wording`, the pattern's named groups filling its
placeholders. A message nothing matches still fails visibly, with the English detail kept.
"""

from __future__ import annotations

import re

from appliance.diagnostics.readiness import LABELS, CheckResult
from appliance.hardware.id_reader.port import ReaderReport, ReaderState
from appliance.hardware.id_reader.words import report_sentence
from appliance.wording import ZH, text

OUTCOME_WORDS = {
    "ok": text("selftest.passed"),
    "FAIL": text("selftest.failed"),
    "skip": text("selftest.skipped"),
}
PRINTER_FAULTS = {
    "paper_out": text("printer.paper_out"),
    "cover_open": text("printer.cover_open"),
    "offline": text("printer.offline"),
    "unknown": text("printer.no_answer"),
    "fault": text("printer.fault"),
}
KEY_READER_FAULTS = {
    "not_detected": text("key.not_detected"),
    "no_driver": text("selftest.key_reader_no_driver"),
    "expired": text("selftest.key_reader_expired"),
    "not_yet_valid": text("selftest.key_reader_not_yet_valid"),
    "untrusted": text("selftest.key_reader_untrusted"),
    "no_certificate": text("selftest.key_reader_no_certificate"),
    "pin_locked": text("key.pin_locked"),
    "reading": text("selftest.key_reader_reading"),
    "driver_failed": text("selftest.key_reader_driver_failed"),
    "key_mismatch": text("login.key_mismatch"),
    "sm2_only": text("key.sm2_only"),
}

# (check, pattern over the English detail, Chinese filled with the pattern's named groups)
FAILURES: list[tuple[str, str, str]] = [
    ("font", r"", ZH["selftest.font_missing"]),
    ("database", r"quick_check", ZH["selftest.database_damaged"]),
    ("key", r"no electronic key", ZH["key.not_detected"]),
    ("key", r"expired on (?P<date>\S+)", ZH["selftest.key_expired_on"]),
    ("key", r"", ZH["selftest.key_unreadable"]),
    ("camera", r"no frame", ZH["selftest.camera_no_frame"]),
    ("camera", r"no QR code", ZH["selftest.camera_no_qr"]),
    ("storage", r"(?P<free>[\d.]+) GB free", ZH["selftest.storage_low"]),
    ("audit", r"at entry (?P<entry>\d+)", ZH["selftest.audit_broken"]),
    ("branch_server", r"unreachable", ZH["selftest.server_unreachable"]),
    ("branch_server", r"no token", ZH["selftest.server_no_token"]),
    ("branch_server", r"by (?P<skew>[+-]\d+) s", ZH["selftest.server_clock"]),
    ("backlog", r"(?P<rejected>[1-9]\d*) rejected", ZH["selftest.backlog_rejected"]),
    ("backlog", r"audit refused", ZH["selftest.backlog_audit_refused"]),
]
PASSES: list[tuple[str, str, str]] = [
    ("font", r"", ZH["selftest.font_ok"]),
    ("database", r"", ZH["selftest.database_ok"]),
    ("key", r"valid until (?P<until>\S+)", ZH["selftest.key_ok"]),
    ("key_reader", r"drivers loaded: (?P<drivers>[^;]+)", ZH["selftest.key_reader_ok"]),
    ("camera", r"decoded", ZH["selftest.camera_qr_ok"]),
    ("camera", r"", ZH["selftest.camera_ok"]),
    ("printer", r"", ZH["printer.ready"]),
    ("storage", r"(?P<database>[\d.]+) MB, (?P<free>[\d.]+) GB free", ZH["selftest.storage_ok"]),
    ("audit", r"(?P<entries>\d+) entries", ZH["selftest.audit_ok"]),
    ("branch_server", r"difference (?P<skew>[+-]\d+) s", ZH["selftest.server_ok_clock"]),
    ("branch_server", r"", ZH["selftest.server_ok"]),
    (
        "backlog",
        r"(?P<submissions>\d+) submission.*?(?P<audit>\d+) audit",
        ZH["selftest.backlog_ok"],
    ),
]


def reason(result: CheckResult) -> str:
    """The Chinese reason for one result; an unknown failure keeps its English detail."""
    if result.outcome == "skip":
        if result.name == "id_reader":
            return text("idcard.not_configured")
        return text("selftest.offline")
    detail = result.detail
    if result.name == "id_reader":
        return _id_reader_reason(result)
    if result.name == "printer" and result.outcome == "FAIL":
        status = detail.rsplit(" ", 1)[-1]
        return PRINTER_FAULTS.get(status, text("printer.other"))
    if result.name == "key_reader" and result.outcome == "FAIL":
        state = re.search(r"key state (\w+)", detail)
        return KEY_READER_FAULTS.get(
            state.group(1) if state else "", text("selftest.key_reader_other")
        )
    table = PASSES if result.outcome == "ok" else FAILURES
    for name, pattern, chinese in table:
        if name == result.name and (found := re.search(pattern, detail)):
            return chinese.format(**found.groupdict())
    if result.outcome == "ok":
        return text("selftest.ok")
    return text("selftest.unexplained", call_it=text("common.call_it"), detail=detail)


def _id_reader_reason(result: CheckResult) -> str:
    """The reader's report rebuilt from the check's English: ``(state …)`` at the end of
    a failure, ``SAM <id>,`` in a pass, ``status 00 00 24`` where the module answered."""
    if result.outcome == "ok":
        sam = re.search(r"SAM (\S+),", result.detail)
        return report_sentence(
            ReaderReport(ReaderState.READY, sam_id=sam.group(1) if sam else None)
        )
    state = re.search(r"\(state (\w+)\)$", result.detail)
    status = re.search(r"status ([0-9A-F]{2} [0-9A-F]{2} [0-9A-F]{2})", result.detail)
    try:
        reader_state = ReaderState(state.group(1)) if state else None
    except ValueError:
        reader_state = None
    if reader_state is None:
        return text("selftest.unexplained", call_it=text("common.call_it"), detail=result.detail)
    return report_sentence(ReaderReport(reader_state, status=status.group(1) if status else None))


def check_line(result: CheckResult) -> str:
    """一行：检查项：通过/失败 — 原因."""
    return text(
        "selftest.line",
        check=LABELS.get(result.name, result.name),
        outcome=OUTCOME_WORDS[result.outcome],
        reason=reason(result),
    )


def verdict(results: list[CheckResult]) -> str:
    failed = sum(r.outcome == "FAIL" for r in results)
    return text("selftest.some_failed", failed=failed) if failed else text("selftest.all_passed")
