"""The audit chain travels to the real dev branch server with the submissions, and a
chain rewritten after the server saw it is refused there."""

from __future__ import annotations

from appliance.store.audit_check import verify_chain
from appliance.sync.audit_delivery import audit_backlog, audit_refusal, delivered_seq
from tests.sync_helpers import add_submissions


def test_audit_entries_are_delivered_with_the_submissions(sync_box) -> None:
    server, worker, db = sync_box
    add_submissions(db, 3)
    assert worker.drain() == 3
    local = db.execute("SELECT seq, action, hash FROM audit_log ORDER BY seq").fetchall()
    assert [a for _, a, _ in local] == ["submission.created"] * 3 + ["sync.delivered"]
    assert delivered_seq(db) == 4 and audit_backlog(db) == 0
    assert server.app.store.audit_entries(_device(server)) == [tuple(row) for row in local]
    assert worker.drain() == 0  # nothing owed: nothing resent


def test_a_chain_rewritten_after_delivery_is_refused_by_the_server(sync_box) -> None:
    server, worker, db = sync_box
    add_submissions(db, 2)
    worker.drain()
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute("DELETE FROM audit_log")
    db.execute("DELETE FROM sqlite_sequence WHERE name = 'audit_log'")
    db.execute("DELETE FROM audit_delivery")
    add_submissions(db, 1)  # a fresh chain from seq 1: not what the server holds
    worker.drain()
    assert "differs" in (audit_refusal(db) or "")
    assert audit_backlog(db) == 2
    assert verify_chain(db).intact  # locally consistent: only the server copy shows it


def _device(server) -> str:
    rows = server.app.store._conn.execute("SELECT DISTINCT device FROM audit_entries").fetchall()
    assert len(rows) == 1
    return rows[0][0]
