"""Disk full: a new submission is refused before any receipt prints, nothing half-written.

Two real ways to fill the disk: SQLite's page limit (``PRAGMA max_page_count``) on any
machine, and, where this test may mount one, a small tmpfs that really runs out.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils
from appliance_dev.sim.file_printer import FilePrinter

from appliance.domain.identity import DocumentType
from appliance.domain.submission import Operator
from appliance.store.audit import first_broken_link
from appliance.store.catalogue import load_catalogue_index, upsert_catalogue_items
from appliance.store.db import StorageFull, connect
from appliance.wiring import bundled_catalogue
from appliance.workflow.acceptance import FlowState
from appliance.workflow.counter import Counter, CounterSettings
from appliance.workflow.messages import UserFacingError
from appliance.workflow.submit_refusals import DISK_FULL
from tests.sync_helpers import TZ, add_submissions

TABLES = ("submissions", "outbox", "audit_log")


def row_counts(db: sqlite_utils.Database) -> dict[str, int]:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def fill_until_full(db: sqlite_utils.Database, limit: int = 2000) -> dict[str, int]:
    """Store submissions until the store refuses one; the counts just before it."""
    for _ in range(limit):
        before = row_counts(db)
        try:
            add_submissions(db, 1)
        except StorageFull:
            return before
    raise AssertionError("the database never filled up")


def cap_pages(db: sqlite_utils.Database, extra: int = 0) -> None:
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + extra}")


def test_page_limit_refuses_the_submission_and_rolls_back_every_table(db) -> None:
    add_submissions(db, 3)
    cap_pages(db)
    before = fill_until_full(db)
    assert row_counts(db) == before
    assert (
        db.execute(
            "SELECT COUNT(*) FROM submissions s LEFT JOIN outbox o "
            "ON o.submission_id = s.id WHERE o.seq IS NULL"
        ).fetchone()[0]
        == 0
    )
    assert first_broken_link(db) is None
    assert not db.conn.in_transaction
    cap_pages(db, extra=100)  # space freed: the next one goes through, numbered on
    add_submissions(db, 1)
    assert row_counts(db)["submissions"] == before["submissions"] + 1


def counter(db: sqlite_utils.Database, printer_dir: Path) -> Counter:
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
    made = Counter(
        CounterSettings("广东省网上办事大厅中山分厅", "08", 48),
        load_catalogue_index(db),
        db,
        None,
        FilePrinter(printer_dir),  # type: ignore[arg-type]
        lambda: datetime.now(TZ),
    )
    made.session.key_present()
    made.session.pin_accepted(Operator("陈晓明", "1A"))
    item = made.catalogue.by_code("442000-SB-0310")
    assert item is not None
    made.choose_item(item)
    made.choose_type(item.default_type)
    made.enter_applicant("张晓三", DocumentType.RESIDENT_ID, "11010519491231002X")
    return made


def test_counter_says_disk_full_in_chinese_and_prints_nothing(db, tmp_path: Path) -> None:
    clerk = counter(db, tmp_path / "printer")
    cap_pages(db)
    fill_until_full(db)
    before = row_counts(db)
    with pytest.raises(UserFacingError) as refused:
        clerk.submit()
    assert refused.value.chinese == DISK_FULL
    assert "disk full" in str(refused.value)
    assert clerk.flow.state is FlowState.APPLICANT_ENTERED  # the clerk may submit again
    assert row_counts(db) == before
    assert not list((tmp_path / "printer").glob("*"))
    cap_pages(db, extra=100)
    clerk.submit()
    assert clerk.print_receipt() == 1


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs, mounted for this test only (root on Linux; skipped elsewhere)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("cannot mount a small tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_really_full_filesystem_refuses_and_keeps_what_was_committed(small_disk: Path) -> None:
    db = connect(small_disk / "appliance.db")
    add_submissions(db, 5)
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * max(0, free - 64 * 1024))
    before = fill_until_full(db)
    assert row_counts(db) == before
    assert first_broken_link(db) is None
    db.conn.close()
    (small_disk / "filler").unlink()
    again = connect(small_disk / "appliance.db")
    assert row_counts(again) == before
    add_submissions(again, 1)
    again.conn.close()


def test_a_full_disk_is_said_at_the_step_that_cannot_be_kept(db, tmp_path: Path) -> None:
    clerk = counter(db, tmp_path / "printer")
    cap_pages(db)
    fill_until_full(db)
    clerk.keep_form({"name": "张" * 30, "remark": "x" * 50_000})  # needs fresh pages
    with pytest.raises(UserFacingError) as refused:
        clerk.save_draft()
    assert "存储空间已满" in refused.value.chinese
