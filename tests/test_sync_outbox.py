"""The outbox's sending side: leases, settling, counts, retention and the UI's texts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlite_utils

from appliance.store import outbox
from appliance.store.retention import purge_personal_fields
from appliance.store.stats import day_stats
from appliance.store.submissions import pending_count
from appliance.store.sync_state import read_state, write_state
from appliance.sync.status import queue_status, status_bar_texts
from tests.sync_helpers import add_submissions

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def test_claim_leases_the_oldest_rows_in_order(db: sqlite_utils.Database) -> None:
    add_submissions(db, 5)
    first = outbox.claim(db, 3, 60, T0)
    assert [i.seq for i in first] == [1, 2, 3] and all(i.attempts == 1 for i in first)
    second = outbox.claim(db, 3, 60, T0)
    assert [i.seq for i in second] == [4, 5]
    assert outbox.claim(db, 3, 60, T0) == []
    assert outbox.counts(db).in_flight == 5 and pending_count(db) == 5


def test_a_crashed_senders_rows_come_back_when_the_lease_runs_out(
    db: sqlite_utils.Database,
) -> None:
    add_submissions(db, 2)
    outbox.claim(db, 10, 30, T0)
    assert outbox.claim(db, 10, 30, T0 + timedelta(seconds=29)) == []
    assert not outbox.has_sendable(db, T0 + timedelta(seconds=29))
    assert outbox.has_sendable(db, T0 + timedelta(seconds=31))
    again = outbox.claim(db, 10, 30, T0 + timedelta(seconds=31))
    assert [i.attempts for i in again] == [2, 2]


def test_a_rejected_item_stops_only_itself(db: sqlite_utils.Database) -> None:
    add_submissions(db, 3)
    items = outbox.claim(db, 10, 60, T0)
    outbox.mark_rejected(db, items[1].idempotency_key, "invalid: submission.item_code")
    outbox.mark_delivered(db, [items[0].idempotency_key, items[2].idempotency_key], T0)
    assert outbox.counts(db) == outbox.OutboxCounts(0, 0, 2, 1)
    rejected = outbox.rejected_items(db)
    assert rejected[0].reason == "invalid: submission.item_code"
    assert outbox.claim(db, 10, 60, T0 + timedelta(days=1)) == []


def test_delivered_is_never_turned_back(db: sqlite_utils.Database) -> None:
    add_submissions(db, 1)
    (item,) = outbox.claim(db, 1, 60, T0)
    outbox.mark_delivered(db, [item.idempotency_key], T0)
    outbox.mark_rejected(db, item.idempotency_key, "late")
    outbox.release(db, [item.idempotency_key], "late")
    assert outbox.counts(db).delivered == 1


def test_release_gives_rows_back_at_once_with_the_error(db: sqlite_utils.Database) -> None:
    add_submissions(db, 2)
    items = outbox.claim(db, 10, 600, T0)
    outbox.release(db, [i.idempotency_key for i in items], "network: refused")
    assert [i.seq for i in outbox.claim(db, 10, 600, T0)] == [1, 2]
    assert (
        db.execute("SELECT last_error FROM outbox WHERE seq = 1").fetchone()[0]
        == "network: refused"
    )


def test_personal_fields_are_purged_after_n_days_and_statistics_survive(
    db: sqlite_utils.Database,
) -> None:
    ids = add_submissions(db, 3)
    day = db.execute("SELECT substr(created_at, 1, 10) FROM submissions").fetchone()[0]
    items = outbox.claim(db, 10, 60, T0)
    outbox.mark_delivered(db, [items[0].idempotency_key, items[1].idempotency_key], T0)
    assert purge_personal_fields(db, T0 + timedelta(days=29), 30) == 0
    assert purge_personal_fields(db, T0 + timedelta(days=31), 30) == 2
    rows = db.execute(
        "SELECT id, applicant_name, id_number, phone, purged_at FROM submissions ORDER BY rowid"
    ).fetchall()
    assert rows[0][1:4] == ("", "", None) and rows[0][4] is not None
    assert rows[2][0] == ids[2] and rows[2][2] == "11010519491231002X"  # still owed
    payload = json.loads(db.execute("SELECT payload FROM outbox WHERE seq = 1").fetchone()[0])
    assert payload["id_number"] is None and payload["item_code"] == "442000-SB-0310"
    assert day_stats(db, day).total == 3
    assert purge_personal_fields(db, T0 + timedelta(days=40), 30) == 0


def test_queue_status_and_status_bar_show_backlog_rejects_and_last_sync(
    db: sqlite_utils.Database,
) -> None:
    add_submissions(db, 3)
    items = outbox.claim(db, 1, 60, T0)
    outbox.mark_rejected(db, items[0].idempotency_key, "conflict: key reused")
    network, backlog = status_bar_texts(db)
    assert network == "网络：未连接" and backlog == "待同步 2 件　退回 1 件"
    write_state(db, online="1", last_success_at=outbox.stamp(datetime.now(UTC)))
    network, _ = status_bar_texts(db)
    assert network.startswith("网络：已连接　最近同步 ")
    status = queue_status(db)
    assert status["backlog"] == 2 and status["rejected"] == 1
    assert status["rejected_items"][0]["reason"] == "conflict: key reused"
    assert read_state(db)["online"] == "1"
