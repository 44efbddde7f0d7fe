"""The SQLite store: durable settings, migrations, submission + outbox in one write."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.submission import Applicant, LookupMethod, Operator
from appliance.errors import StartupError
from appliance.store.appointments import Appointment, find_appointment, save_appointments
from appliance.store.db import connect
from appliance.store.schema.migrations import MIGRATIONS, schema_version
from appliance.store.submissions import (
    is_synced,
    pending_count,
    record_print,
    store_submission,
)

TZ = ZoneInfo("Asia/Shanghai")
ITEM = ServiceItem("442000-SB-0310", "社会保障卡补领", "中山市人社局", 7, ItemType.BRANCH)
APPLICANT = Applicant("张晓三", "resident_id", "11010519491231002X")


def store(db: sqlite_utils.Database, when: datetime) -> str:
    return store_submission(
        db,
        created_at=when,
        hall_name="中山分厅",
        window="08",
        operator=Operator("陈晓明", "1A2B"),
        lookup_method=LookupMethod.QR,
        item=ITEM,
        item_type=ItemType.BRANCH,
        applicant=APPLICANT,
        queue_number="A023",
    ).receipt_number


def test_database_is_durable_wal_with_full_sync(db: sqlite_utils.Database) -> None:
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert schema_version(db) == len(MIGRATIONS)


def test_migrations_run_once(tmp_path: Path) -> None:
    connect(tmp_path / "a.db")
    again = connect(tmp_path / "a.db")
    assert schema_version(again) == len(MIGRATIONS)


def test_submission_and_its_outbox_row_are_written_together(db: sqlite_utils.Database) -> None:
    number = store(db, datetime(2026, 11, 27, 9, 30, tzinfo=TZ))
    assert number == "ZS-08-20261127-0001"
    row = db.execute("SELECT id, item_type FROM submissions").fetchone()
    outbox = db.execute(
        "SELECT submission_id, state, idempotency_key, payload FROM outbox"
    ).fetchone()
    assert outbox[0] == row[0] and outbox[1] == "pending" and len(outbox[2]) == 36
    assert json.loads(outbox[3])["receipt_number"] == number
    assert pending_count(db) == 1
    assert not is_synced(db, row[0])


def test_receipt_numbers_count_per_day(db: sqlite_utils.Database) -> None:
    first = store(db, datetime(2026, 11, 27, 9, 0, tzinfo=TZ))
    second = store(db, datetime(2026, 11, 27, 10, 0, tzinfo=TZ))
    next_day = store(db, datetime(2026, 11, 30, 9, 0, tzinfo=TZ))
    assert (first, second, next_day) == (
        "ZS-08-20261127-0001",
        "ZS-08-20261127-0002",
        "ZS-08-20261130-0001",
    )


def test_a_failed_outbox_insert_leaves_no_submission(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TRIGGER boom BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk'); END")
    with pytest.raises(sqlite3.IntegrityError):
        store(db, datetime(2026, 11, 27, 9, 0, tzinfo=TZ))
    assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0


def test_printed_copies_are_counted(db: sqlite_utils.Database) -> None:
    store(db, datetime(2026, 11, 27, 9, 0, tzinfo=TZ))
    sid = db.execute("SELECT id FROM submissions").fetchone()[0]
    when = datetime(2026, 11, 27, 9, 1, tzinfo=TZ)
    assert record_print(db, sid, when) == 1
    assert record_print(db, sid, when) == 2


def test_promised_date_skips_weekends(db: sqlite_utils.Database) -> None:
    store(db, datetime(2026, 11, 27, 9, 0, tzinfo=TZ))  # a Friday
    promised = db.execute("SELECT promised_date FROM submissions").fetchone()[0]
    assert promised == "2026-12-08"


def test_appointments_are_found_by_number(db: sqlite_utils.Database) -> None:
    save_appointments(
        db, [Appointment("YY20261129000123", ITEM.code, date(2026, 11, 29), APPLICANT, used=False)]
    )
    found = find_appointment(db, "YY20261129000123")
    assert found is not None and found.applicant == APPLICANT
    assert find_appointment(db, "YY20261129999999") is None


def test_unwritable_data_directory_stops_start_up(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StartupError, match="not writable"):
        connect(blocker / "sub" / "appliance.db")
