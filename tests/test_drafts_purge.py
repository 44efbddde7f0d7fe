"""A half-typed acceptance (full ID number included) is not kept for ever (issue 18): it
goes at the end of the hall's day, or ``draft_keep_hours`` after it was last saved, and
the clerk is told when one is restored or purged. Real SQLite throughout."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from appliance.domain.catalogue import ItemType
from appliance.domain.identity import DocumentType
from appliance.store.drafts import draft_expired, load_draft, purge_stale_draft, save_draft
from appliance.wording import text
from appliance.workflow.acceptance import FlowState
from appliance.workflow.counter import CounterSettings
from tests.test_acceptance_counter import HALL, booked, counter  # noqa: F401 - fixture

TZ = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 11, 29, 9, 30, tzinfo=TZ)
TYPED_ID = "442000197803150017"


def test_a_draft_goes_at_the_end_of_the_hall_day_or_after_its_hours() -> None:
    evening = MORNING.replace(hour=23, minute=59)
    assert not draft_expired(MORNING, evening, None)  # the same day: kept
    assert draft_expired(MORNING, evening + timedelta(minutes=1), None)  # midnight passed
    # the day is the hall's (UTC+8): 23:00 UTC is already the next day in Zhongshan
    utc_now = datetime(2026, 11, 29, 16, 30, tzinfo=ZoneInfo("UTC"))
    assert draft_expired(MORNING, utc_now, None)
    assert not draft_expired(MORNING, MORNING + timedelta(hours=2), 3)
    assert draft_expired(MORNING, MORNING + timedelta(hours=3), 3)


def test_a_stale_draft_is_deleted_from_the_database(db: sqlite_utils.Database) -> None:
    save_draft(db, {"form": {"number": TYPED_ID}}, MORNING)
    assert purge_stale_draft(db, MORNING + timedelta(hours=5), None) is None
    assert load_draft(db) is not None
    assert purge_stale_draft(db, MORNING + timedelta(days=1), None) == MORNING
    assert load_draft(db) is None
    assert db.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)


def half_typed(booked: sqlite_utils.Database, tmp_path: Path) -> None:  # noqa: F811
    desk = counter(booked, tmp_path)
    desk.find_by_appointment("YYOK")
    desk.choose_type(ItemType.BRANCH)
    desk.keep_form({"name": "欧阳", "doc_type": DocumentType.RESIDENT_ID.label, "number": TYPED_ID})
    desk.save_draft()  # at 10:00 on the 29th (the test counter's clock)


def test_a_restart_the_next_morning_starts_clean_and_says_so(
    booked: sqlite_utils.Database,  # noqa: F811
    tmp_path: Path,
) -> None:
    half_typed(booked, tmp_path)
    again = counter(booked, tmp_path)
    again.now = lambda: datetime(2026, 11, 30, 8, 30, tzinfo=TZ)
    assert again.restore_draft() is FlowState.LOOKUP
    assert load_draft(booked) is None
    note = again.take_draft_note()
    assert note == text("draft.purged", saved=datetime(2026, 11, 29, 10, 0, tzinfo=TZ))
    assert "11月29日 10:00" in (note or "") and again.take_draft_note() is None


def test_a_draft_restored_the_same_day_is_announced(
    booked: sqlite_utils.Database,  # noqa: F811
    tmp_path: Path,
) -> None:
    half_typed(booked, tmp_path)
    again = counter(booked, tmp_path)
    assert again.restore_draft() is FlowState.TYPE_CHOSEN
    assert again.flow.draft.form["number"] == TYPED_ID
    assert again.take_draft_note() == text("draft.restored", rule=text("draft.rule_day"))


def test_a_kiosk_left_on_overnight_drops_the_acceptance_at_the_configured_hours(
    booked: sqlite_utils.Database,  # noqa: F811
    tmp_path: Path,
) -> None:
    desk = counter(booked, tmp_path)
    desk.settings = CounterSettings(HALL, "08", 48, draft_keep_hours=2)
    desk.find_by_appointment("YYOK")
    desk.choose_type(ItemType.BRANCH)
    desk.keep_form({"name": "欧阳", "doc_type": DocumentType.RESIDENT_ID.label, "number": "44"})
    desk.save_draft()
    assert not desk.expire_draft()  # 10:00: kept
    desk.now = lambda: datetime(2026, 11, 29, 12, 0, tzinfo=TZ)
    assert desk.expire_draft()
    assert desk.flow.state is FlowState.LOOKUP and load_draft(booked) is None
    assert desk.take_draft_note() is not None
