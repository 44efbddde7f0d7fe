"""What the reader's state and a read's outcome say in Chinese (the status bar, 系统诊断,
the applicant step); the sentences are in :mod:`appliance.wording`."""

from __future__ import annotations

from appliance.domain.id_card import IdCardRecord, Validity
from appliance.domain.id_card import validity_sentence as card_validity_sentence
from appliance.hardware.id_reader.port import ReaderReport, ReaderState
from appliance.hardware.id_reader.reads import ReadFailure
from appliance.wording import text


def status_line(state: ReaderState) -> str:
    """身份证阅读器：就绪 / 未连接 / 故障 / 检测中, for the status bar."""
    if state is ReaderState.DETECTING:
        word = text("idcard.state_detecting")
    elif state is ReaderState.READY:
        word = text("idcard.state_ready")
    elif state in (ReaderState.SELF_CHECK_FAILED, ReaderState.UNAUTHORISED, ReaderState.FAULT):
        word = text("idcard.state_fault")
    else:
        word = text("idcard.state_absent")
    return text("idcard.status", state=word)


def report_sentence(report: ReaderReport) -> str:
    """The reader's state with what to do, for 系统诊断 and the readiness slip."""
    state = report.state
    if state is ReaderState.READY:
        return text("idcard.ready", sam_id=report.sam_id or "-")
    if state is ReaderState.AMBIGUOUS:
        return text("idcard.ambiguous")
    if state is ReaderState.UNAVAILABLE:
        return text("idcard.unavailable")
    if state is ReaderState.NO_ANSWER:
        return text("idcard.no_answer")
    if state is ReaderState.SELF_CHECK_FAILED:
        return text("idcard.self_check_failed")
    if state is ReaderState.UNAUTHORISED:
        return text("idcard.unauthorised")
    if state is ReaderState.FAULT:
        return text("idcard.fault", status=report.status or "-")
    return text("idcard.not_found")  # NOT_FOUND, and DETECTING when asked this early


def failure_sentence(failure: ReadFailure) -> str:
    """Why a card laid on the reader was not read, and what the clerk does next."""
    if failure is ReadFailure.CHECK_FAILED:
        return text("idcard.check_failed")
    if failure in (ReadFailure.UNKNOWN_CARD, ReadFailure.UNREADABLE):
        return text("idcard.unknown_card")
    return text("idcard.read_failed")


def validity_sentence(record: IdCardRecord, validity: Validity) -> str | None:
    """证件已过期（有效期至…） or 证件尚未生效（…起有效）; None for a valid card."""
    return card_validity_sentence(validity, record.valid_from, record.valid_to)
