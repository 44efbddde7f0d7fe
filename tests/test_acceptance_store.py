"""Submit is one transaction (submission, outbox, audit, appointment use); the audit log
is an append-only hash chain; the draft survives a restart."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.submission import Applicant, LookupMethod, Operator
from appliance.store import submissions
from appliance.store.appointments import Appointment, find_appointment, seed_appointments
from appliance.store.audit import append_audit, first_broken_link
from appliance.store.db import write_transaction
from appliance.store.drafts import clear_draft, load_draft, save_draft
from appliance.workflow import draft_codec
from appliance.workflow.acceptance import Draft, FlowState

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=TZ)
ITEM = ServiceItem("442000-SB-0310", "社会保障卡补领", "中山市人社局", 7, ItemType.BRANCH)
APPLICANT = Applicant("李华", "resident_id", "442000198511204567", "13800138000")


def store(db: sqlite_utils.Database, appointment: str | None = "YY1") -> None:
    submissions.store_submission(
        db,
        created_at=NOW,
        hall_name="中山分厅",
        window="08",
        operator=Operator("陈晓明", "1A"),
        lookup_method=LookupMethod.APPOINTMENT,
        item=ITEM,
        item_type=ItemType.BRANCH,
        applicant=APPLICANT,
        appointment_number=appointment,
    )


def counts(db: sqlite_utils.Database) -> tuple[int, int, int]:
    return tuple(
        db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("submissions", "outbox", "audit_log")
    )


@pytest.fixture
def booked(db: sqlite_utils.Database) -> sqlite_utils.Database:
    seed_appointments(db, [Appointment("YY1", ITEM.code, date(2026, 11, 29), APPLICANT, False)])
    return db


def test_submit_writes_submission_outbox_audit_and_uses_the_appointment(booked) -> None:
    store(booked)
    assert counts(booked) == (1, 1, 1)
    assert find_appointment(booked, "YY1").used
    entry = booked.execute("SELECT entry FROM audit_log").fetchone()[0]
    assert APPLICANT.id_number not in entry and "4420**********4567" in entry


def test_a_failing_audit_write_leaves_nothing_half_stored(booked, monkeypatch) -> None:
    def broken(*_args, **_kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(submissions, "append_audit", broken)
    with pytest.raises(sqlite3.OperationalError):
        store(booked)
    assert counts(booked) == (0, 0, 0)
    assert not find_appointment(booked, "YY1").used


def test_seeding_again_does_not_revive_a_used_appointment(booked) -> None:
    store(booked)
    seed_appointments(booked, [Appointment("YY1", ITEM.code, date(2026, 11, 29), APPLICANT, False)])
    assert find_appointment(booked, "YY1").used


def test_audit_chain_verifies_and_refuses_edits(db: sqlite_utils.Database) -> None:
    with write_transaction(db):
        for n in range(3):
            append_audit(db, NOW, "test", {"n": n})
    assert first_broken_link(db) is None
    for statement in (
        "UPDATE audit_log SET entry = '{}' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(statement)


def test_audit_chain_finds_a_forged_row(db: sqlite_utils.Database) -> None:
    with write_transaction(db):
        append_audit(db, NOW, "test", {"n": 1})
        db.execute(
            "INSERT INTO audit_log (at, action, entry, previous_hash, hash) "
            "VALUES (?, 'test', '{}', ?, ?)",
            [NOW.isoformat(), "0" * 64, "f" * 64],
        )
    assert first_broken_link(db) == 2


def test_draft_round_trips_through_the_database(db: sqlite_utils.Database) -> None:
    draft = Draft(
        lookup_method=LookupMethod.QR,
        item=ITEM,
        queue_number="A023",
        appointment_number="YY1",
        known_applicant=APPLICANT,
        item_type=ItemType.DEPARTMENT,
        form={"name": "欧阳", "doc_type": "居民身份证", "number": "4420", "phone": ""},
    )
    save_draft(db, draft_codec.encode(FlowState.TYPE_CHOSEN, draft), NOW)
    state, restored = draft_codec.decode(load_draft(db))
    assert state is FlowState.TYPE_CHOSEN and restored == draft
    clear_draft(db)
    assert load_draft(db) is None
