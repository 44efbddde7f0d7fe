"""The reader's worker over the simulated module: a card laid on the reader is read once
per placement while the applicant step is shown (armed), never otherwise; failures are
reported once; the reader's state follows it being unplugged, faulty and back; every read
is one audit entry and no card field reaches a log line."""

from __future__ import annotations

import io
import logging
import queue
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from appliance_dev.sim.id_cards import RESIDENT
from appliance_dev.sim.id_reader import DEMO_SAM_ID, SimulatedSamModule

from appliance import log
from appliance.domain.id_card import Validity
from appliance.domain.identity import DocumentType
from appliance.hardware.id_reader.port import ReaderState
from appliance.hardware.id_reader.reads import ReadFailure
from appliance.hardware.id_reader.sam_reader import open_sam_reader
from appliance.hardware.id_reader.service import (
    CardRead,
    CardReadFailed,
    IdCardService,
    ReaderChanged,
    ReaderEvent,
)
from appliance.hardware.id_reader.words import failure_sentence, status_line, validity_sentence

TODAY = date(2026, 12, 2)


class Audit:
    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []

    def record(self, action: str, **entry: Any) -> None:
        self.entries.append((action, entry))


class Box:
    def __init__(self, sim: SimulatedSamModule) -> None:
        self.sim = sim
        self.audit = Audit()
        self.events: queue.Queue[ReaderEvent] = queue.Queue()
        self.service = IdCardService(
            lambda: open_sam_reader(str(sim.device), 115200, 0.5, 1.0),
            poll_interval_s=0.05,
            today=lambda: TODAY,
            audit=self.audit,
            operator=lambda: "OP-1",
            status_interval_s=0.2,
        )
        self.service.on_event(self.events.put)

    def next(
        self, kind: type, timeout_s: float = 5.0, where: Callable[[Any], bool] = lambda _e: True
    ) -> Any:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if isinstance(event, kind) and where(event):
                return event
        raise AssertionError(f"no {kind.__name__} within {timeout_s} s")

    def quiet(self, kind: type, seconds: float) -> list[ReaderEvent]:
        """Events of ``kind`` seen in the next ``seconds``."""
        time.sleep(seconds)
        seen = []
        while not self.events.empty():
            event = self.events.get_nowait()
            if isinstance(event, kind):
                seen.append(event)
        return seen

    def lay_again(self, card: str) -> None:
        """Lift the card and lay it (the worker sees the reader empty in between)."""
        self.sim.remove()
        time.sleep(0.2)
        self.sim.place(card)

    def ready(self) -> None:
        self.next(ReaderChanged, where=lambda e: e.report.state is ReaderState.READY)


@pytest.fixture
def box() -> Iterator[Box]:
    sim = SimulatedSamModule(None, read_delay_s=0.05)
    made = Box(sim)
    made.service.start()
    made.ready()
    yield made
    made.service.close()
    sim.close()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    logger = logging.getLogger("appliance")
    handlers, level = logger.handlers[:], logger.level
    stream = io.StringIO()
    log.configure(stream=stream)
    yield stream
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_a_card_laid_while_armed_is_read_once_per_placement(box: Box) -> None:
    box.service.arm()
    box.sim.place("resident_id")
    read = box.next(CardRead)
    assert read.record.name == "林小满" and read.record.number == RESIDENT.number
    assert read.record.document_type is DocumentType.RESIDENT_ID
    assert read.check.acceptable and read.reader == DEMO_SAM_ID
    assert read.record.address is None and read.record.nation is None  # not kept
    assert box.quiet(CardRead, 0.4) == []  # still lying there: not read again
    box.lay_again("foreign_2017")
    assert box.next(CardRead).record.document_type is DocumentType.FOREIGN_PERMANENT_ID


def test_a_reader_that_keeps_finding_the_card_still_reads_it_once() -> None:
    sim = SimulatedSamModule("resident_id", read_delay_s=0.05, refind_after_read=True)
    made = Box(sim)
    made.service.arm()
    made.service.start()
    try:
        made.next(CardRead)
        assert made.quiet(CardRead, 0.4) == []
        assert sim.commands.count("30 01") == 1
    finally:
        made.service.close()
        sim.close()


def test_nothing_is_read_while_disarmed(box: Box) -> None:
    box.sim.place("resident_id")
    assert box.quiet(CardRead, 0.5) == []
    assert "20 01" not in box.sim.commands and box.audit.entries == []
    box.service.arm()
    box.next(CardRead)
    box.service.disarm()


def test_each_read_is_one_audit_entry_with_the_number_masked(box: Box) -> None:
    box.service.arm()
    box.sim.place("resident_id")
    box.next(CardRead)
    box.lay_again("resident_id")
    box.next(CardRead)
    assert [action for action, _ in box.audit.entries] == ["idcard.read", "idcard.read"]
    _, entry = box.audit.entries[0]
    assert entry == {
        "reader": DEMO_SAM_ID,
        "outcome": "success",
        "card_type": "resident_id",
        "id_number": "4420**********0317",
        "operator": "OP-1",
        "via": "kiosk",
    }


def test_a_card_pulled_mid_read_is_reported_once(box: Box) -> None:
    box.sim.set_fault("pulled_mid_read", count=1)
    box.service.arm()
    box.sim.place("resident_id")
    failed = box.next(CardReadFailed)
    assert failed.failure is ReadFailure.READ_FAILED
    assert failure_sentence(failed.failure) == "读卡失败：请将证件拿开，再平放在阅读器上"
    assert box.quiet(CardReadFailed, 0.3) == []
    assert [entry["outcome"] for _, entry in box.audit.entries] == ["failure"]
    assert box.audit.entries[0][1]["reason"] == "read_failed"
    box.sim.place("resident_id")
    box.next(CardRead)


def test_a_read_failing_while_the_card_stays_is_tried_then_reported_once(box: Box) -> None:
    box.sim.set_fault("check_failed")
    box.service.arm()
    box.sim.place("resident_id")
    failed = box.next(CardReadFailed)
    assert failed.failure is ReadFailure.CHECK_FAILED
    assert box.sim.commands.count("30 01") == 3
    assert box.quiet(CardReadFailed, 0.4) == []
    assert len(box.audit.entries) == 1


def test_an_expired_card_is_read_and_flagged(box: Box) -> None:
    box.service.arm()
    box.sim.place("resident_expired")
    read = box.next(CardRead)
    assert read.check.validity is Validity.EXPIRED and read.check.problem is None
    assert (
        validity_sentence(read.record, read.check.validity)
        == "证件已过期（有效期至2020年06月01日）"
    )


def test_a_number_failing_its_check_digit_is_reported_with_the_read(box: Box) -> None:
    box.service.arm()
    box.sim.place("resident_bad_number")
    read = box.next(CardRead)
    assert read.check.problem is not None and read.check.problem.part == "check_digit"
    assert not read.check.acceptable


def test_the_reader_state_follows_unplug_fault_and_return(box: Box) -> None:
    assert status_line(box.service.report.state) == "身份证阅读器：就绪"
    box.sim.unplug()
    gone = box.next(ReaderChanged)
    assert gone.report.state is ReaderState.NOT_FOUND
    assert status_line(gone.report.state) == "身份证阅读器：未连接"
    box.sim.set_fault("self_check_failed")
    box.sim.plug()
    faulty = box.next(ReaderChanged)
    assert (faulty.report.state, faulty.report.status) == (
        ReaderState.SELF_CHECK_FAILED,
        "00 00 60",
    )
    assert status_line(faulty.report.state) == "身份证阅读器：故障"
    box.sim.set_fault("none")
    box.ready()
    assert box.service.describe().state is ReaderState.READY


def test_a_silent_reader_while_armed_is_no_answer(box: Box) -> None:
    box.service.arm()
    box.sim.set_fault("no_answer")
    assert box.next(ReaderChanged).report.state is ReaderState.NO_ANSWER
    box.sim.set_fault("none")
    box.ready()


def test_no_card_field_reaches_a_log_line(box: Box, log_lines: io.StringIO) -> None:
    box.service.arm()
    box.sim.place("resident_id")
    box.next(CardRead)
    box.sim.set_fault("read_failed")
    box.lay_again("resident_id")
    box.next(CardReadFailed)
    text = log_lines.getvalue()
    assert "event=idcard.read outcome=success card_type=resident_id" in text
    assert "event=idcard.read outcome=failure reason=read_failed" in text
    for value in (
        RESIDENT.name,
        RESIDENT.number,
        RESIDENT.number[:4] + "*",
        "1990",
        RESIDENT.address[:6],
        RESIDENT.issuer,
    ):
        assert value not in text
