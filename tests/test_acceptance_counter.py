"""The counter's acceptance rules without a screen: appointment refusals, the booked
fast path, a lock that keeps the acceptance, a restart that resumes it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils
from appliance_dev.sim.file_printer import FilePrinter

from appliance.domain.catalogue import ItemType
from appliance.domain.identity import DocumentType
from appliance.domain.submission import Applicant, Operator
from appliance.hardware.key.port import KeyStatus, OperatorCertificate
from appliance.store.appointments import Appointment, seed_appointments
from appliance.store.catalogue import load_catalogue_index, upsert_catalogue_items
from appliance.wiring import bundled_catalogue
from appliance.workflow.acceptance import FlowState
from appliance.workflow.counter import Counter, CounterSettings
from appliance.workflow.messages import UserFacingError

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 29)
HALL = "广东省网上办事大厅中山分厅"
GOOD = Applicant("李华", "resident_id", "442000198511204567", "13800138000")
BAD = Applicant("李华", "resident_id", "442000198511204568", None)


class DemoKey:
    """The key at the hardware edge: present, and any PIN opens it."""

    def __init__(self, serial: str = "1A") -> None:
        self.serial = serial

    def status(self) -> KeyStatus:
        return KeyStatus.PRESENT

    def certificate(self) -> OperatorCertificate:
        moment = datetime(2026, 1, 1, tzinfo=TZ)
        return OperatorCertificate("陈晓明", self.serial, "Demo CA", moment, moment)

    def login(self, pin: bytearray) -> OperatorCertificate:
        return self.certificate()


def counter(db: sqlite_utils.Database, tmp_path: Path, key: DemoKey | None = None) -> Counter:
    upsert_catalogue_items(
        db,
        [
            {
                "code": i.code,
                "name": i.name,
                "department": i.department,
                "promised_days": i.promised_days,
                "default_type": i.default_type.value,
            }
            for i in bundled_catalogue()._items
        ],
    )
    key = key or DemoKey()
    made = Counter(
        CounterSettings(HALL, "08", 48),
        load_catalogue_index(db),
        db,
        key,
        FilePrinter(tmp_path / "printer"),
        lambda: datetime(2026, 11, 29, 10, 0, tzinfo=TZ),
    )
    certificate = key.certificate()
    made.session.key_present()
    made.session.pin_accepted(Operator(name=certificate.name, serial=certificate.serial))
    return made


@pytest.fixture
def booked(db: sqlite_utils.Database) -> sqlite_utils.Database:
    seed_appointments(
        db,
        [
            Appointment("YYOK", "442000-SB-0310", TODAY, GOOD, False),
            Appointment("YYBAD", "442000-SB-0310", TODAY, BAD, False),
            Appointment("YYOLD", "442000-SB-0310", date(2026, 11, 27), GOOD, False),
            Appointment("YYUSED", "442000-SB-0310", TODAY, GOOD, True),
            Appointment("YYFS", "442000-SB-0310", TODAY, GOOD, False, hall="佛山分厅"),
        ],
    )
    return db


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("YYNONE", "未找到"),
        ("YYOLD", "已过期"),
        ("YYUSED", "已受理过"),
        ("YYFS", "佛山分厅"),
    ],
)
def test_refused_appointments_say_why(booked, tmp_path, number: str, words: str) -> None:
    with pytest.raises(UserFacingError) as refused:
        counter(booked, tmp_path).find_by_appointment(number)
    assert words in refused.value.chinese


def test_a_booked_applicant_goes_straight_to_confirmation(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    desk.find_by_appointment(" yyok ")
    assert desk.prefill_booked() is FlowState.APPLICANT_ENTERED
    assert desk.flow.draft.item_type is ItemType.BRANCH
    assert desk.flow.draft.applicant == GOOD
    desk.choose_type(ItemType.DEPARTMENT)
    assert desk.flow.state is FlowState.APPLICANT_ENTERED


def test_a_booked_identity_that_fails_stops_at_the_applicant_step(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    desk.find_by_appointment("YYBAD")
    with pytest.raises(UserFacingError, match="invalid document"):
        desk.prefill_booked()
    assert desk.flow.state is FlowState.TYPE_CHOSEN


def test_locking_keeps_the_acceptance_in_progress(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    desk.find_by_appointment("YYOK")
    desk.lock()
    assert desk.flow.state is FlowState.ITEM_SHOWN


def test_a_restart_resumes_what_was_typed(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    desk.find_by_appointment("YYOK")
    desk.choose_type(ItemType.BRANCH)
    desk.keep_form(
        {"name": "欧阳", "doc_type": DocumentType.RESIDENT_ID.label, "number": "4420", "phone": ""}
    )
    desk.save_draft()
    again = counter(booked, tmp_path)
    assert again.restore_draft() is FlowState.TYPE_CHOSEN
    assert again.flow.draft.form["name"] == "欧阳"
    again.new_acceptance()
    assert counter(booked, tmp_path).restore_draft() is FlowState.LOOKUP


def test_diagnostics_needs_the_logged_in_operators_own_key(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    desk.confirm_operator(bytearray(b"123456"))
    desk.key = DemoKey(serial="OTHER")
    with pytest.raises(UserFacingError, match="another operator"):
        desk.confirm_operator(bytearray(b"123456"))


def test_items_stored_by_sync_are_found_after_a_refresh(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    assert desk.catalogue.search("lvshizhiye") == []
    upsert_catalogue_items(
        booked,
        [
            {
                "code": "442000-SF-1001",
                "name": "律师执业核准",
                "department": "中山市司法局",
                "default_type": "branch",
            }
        ],
    )
    desk.refresh_catalogue()
    assert [i.code for i in desk.catalogue.search("lvshizhiye")] == ["442000-SF-1001"]
