"""Tampering with the audit table, as someone with the database file would (the triggers
dropped first), is caught by ``appliance audit verify`` in every form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from appliance.commands import cli
from appliance.store.audit_check import verify_chain
from appliance.store.audit_trail import AuditTrail, audit_now, note_configuration
from appliance.store.db import connect
from tests.sync_helpers import make_config

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 29, 9, 0, tzinfo=TZ)


def fill(db: sqlite_utils.Database, count: int = 6) -> None:
    for n in range(count):
        audit_now(db, START + timedelta(minutes=n), "login.success", {"operator": f"S{n}"})


def unlock(db: sqlite_utils.Database) -> None:
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("DROP TRIGGER audit_log_no_delete")


def change_entry(db: sqlite_utils.Database) -> None:
    db.execute("""UPDATE audit_log SET entry = '{"operator":"X"}' WHERE seq = 3""")


def change_action(db: sqlite_utils.Database) -> None:
    db.execute("UPDATE audit_log SET action = 'session.locked' WHERE seq = 4")


def remove_middle(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM audit_log WHERE seq = 3")


def remove_last(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM audit_log WHERE seq = 6")


def swap(db: sqlite_utils.Database) -> None:
    db.execute("UPDATE audit_log SET seq = 100 WHERE seq = 2")
    db.execute("UPDATE audit_log SET seq = 2 WHERE seq = 3")
    db.execute("UPDATE audit_log SET seq = 3 WHERE seq = 100")


def rewrite_and_rehash_one(db: sqlite_utils.Database) -> None:
    """A careful forger recomputes the edited entry's own hash; the next link breaks."""
    from appliance.store.audit import entry_hash

    seq, at, action, prev = db.execute(
        "SELECT seq, at, action, previous_hash FROM audit_log WHERE seq = 2"
    ).fetchone()
    entry = '{"operator":"FORGED"}'
    db.execute(
        "UPDATE audit_log SET entry = ?, hash = ? WHERE seq = 2",
        [entry, entry_hash(prev, at, action, entry)],
    )


@pytest.mark.parametrize(
    ("tamper", "problem", "seq"),
    [
        (change_entry, "changed", 3),
        (change_action, "changed", 4),
        (remove_middle, "removed", 4),
        (remove_last, "truncated", 6),
        (swap, "reordered", 2),
        (rewrite_and_rehash_one, "changed", 2),
    ],
)
def test_each_kind_of_tampering_is_detected(
    db: sqlite_utils.Database, tamper: Callable, problem: str, seq: int
) -> None:
    fill(db)
    assert verify_chain(db).intact
    unlock(db)
    tamper(db)
    report = verify_chain(db)
    assert (report.problem, report.seq) == (problem, seq), report.detail


def test_the_triggers_refuse_plain_sql_changes(db: sqlite_utils.Database) -> None:
    fill(db, 2)
    for statement in ("UPDATE audit_log SET entry = '{}'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            db.execute(statement)


def test_a_changed_configuration_is_audited_once(db: sqlite_utils.Database, tmp_path: Path) -> None:
    config = tmp_path / "appliance.toml"
    config.write_text("a = 1\n")
    assert note_configuration(db, config, START)
    assert not note_configuration(db, config, START)
    config.write_text("a = 2\n")
    assert note_configuration(db, config, START)
    assert verify_chain(db).entries == 2


def test_the_trail_appends_in_order_from_its_own_thread(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    trail = AuditTrail(tmp_path / "appliance.db", lambda: START)
    for n in range(20):
        trail.record("login.failure", attempts=n)
    audit_now(db, START, "session.locked", {"operator": "S"})
    trail.flush()
    trail.close()
    assert verify_chain(db).entries == 21 and verify_chain(db).intact
    with pytest.raises(KeyError):
        audit_now(db, START, "made.up", {})


def test_audit_verify_command_exit_codes(tmp_path: Path, monkeypatch, capsys) -> None:
    config = make_config(tmp_path)
    monkeypatch.setattr(cli, "load_config", lambda _path: config)
    db = connect(tmp_path / "appliance.db")
    fill(db)
    assert cli.main(["audit", "verify"]) == 0
    assert "intact: 6 entries" in capsys.readouterr().out
    unlock(db)
    remove_middle(db)
    assert cli.main(["audit", "verify"]) == 1
    assert "BROKEN: removed at entry 4" in capsys.readouterr().out
