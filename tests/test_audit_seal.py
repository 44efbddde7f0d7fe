"""Sealed audit entries (issue 18): whoever takes the box at time T, with the database and
the box's current sealing key, cannot rewrite an entry sealed before T. ``appliance
audit verify --verify-key`` and the branch server (real HTTP on loopback) both name it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from appliance.commands import cli
from appliance.store import audit_seal
from appliance.store.audit import GENESIS, entry_hash
from appliance.store.audit_check import verify_chain
from appliance.store.audit_seal import (
    HANDOVER_FILE,
    KEY_FILE,
    BadVerifyKey,
    decode_verify_key,
    encode_verify_key,
    evolve,
    forget_handover,
    handover_key,
    read_key_state,
    seal,
)
from appliance.store.audit_trail import audit_now
from appliance.store.db import connect
from appliance.store.schema import migrations
from appliance.sync.audit_delivery import audit_refusal, delivered_seq
from tests.sync_helpers import add_submissions, make_config

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 29, 9, 0, tzinfo=TZ)


def fill(db: sqlite_utils.Database, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        audit_now(db, START + timedelta(minutes=n), "login.success", {"operator": f"S{n}"})


def take_over_and_rewrite(db: sqlite_utils.Database, folder: Path, seq: int) -> None:
    """The attack at T: the database and the key file in hand, the triggers dropped, entry
    ``seq`` edited, every later hash recomputed with the public function, and every seal
    from ``seq`` on remade with the only key there is, the box's current one (entries from
    before sealing began stay unsealed)."""
    db.execute("DROP TRIGGER audit_log_no_update")
    rows = db.execute(
        "SELECT seq, at, action, entry, seal FROM audit_log WHERE seq >= ? ORDER BY seq", [seq]
    ).fetchall()
    previous = db.execute("SELECT hash FROM audit_log WHERE seq = ?", [seq - 1]).fetchone()
    previous = previous[0] if previous else GENESIS
    state = read_key_state(folder)
    assert state is not None
    _, key = state  # the key of the next entry: all the box holds
    for n, at, action, entry, sealed in rows:
        if n == seq:
            entry = '{"operator":"FORGED"}'
        digest = entry_hash(previous, at, action, entry)
        if sealed is not None:
            sealed, key = seal(key, n, digest), evolve(key)
        db.execute(
            "UPDATE audit_log SET entry = ?, previous_hash = ?, hash = ?, seal = ? WHERE seq = ?",
            [entry, previous, digest, sealed, n],
        )
        previous = digest


def test_a_box_taken_at_T_cannot_reseal_an_entry_sealed_before_T(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    config = make_config(tmp_path)
    monkeypatch.setattr(cli, "load_config", lambda _path: config)
    db = connect(config.data_dir / "appliance.db")
    fill(db, 10)
    pending = handover_key(db)
    assert pending is not None and pending[1] == 1
    typed = pending[0]  # what 网建办 wrote down (and the branch server holds)
    assert cli.main(["audit", "verify-key"]) == 0
    assert typed in capsys.readouterr().out
    forget_handover(db)
    assert cli.main(["audit", "verify-key"]) == 1
    assert "已不保存" in capsys.readouterr().out
    assert cli.main(["audit", "verify", "--verify-key", typed]) == 0
    assert "10 seals checked" in capsys.readouterr().out

    take_over_and_rewrite(db, config.data_dir, 4)
    fill(db, 2, first=10)  # and the box goes on sealing, with the key it holds

    assert verify_chain(db).intact  # the public hashes are fooled…
    assert cli.main(["audit", "verify"]) == 0
    capsys.readouterr()
    report = verify_chain(db, decode_verify_key(typed))  # …the seals are not
    assert (report.problem, report.seq) == ("unsealed", 4), report.detail
    assert cli.main(["audit", "verify", "--verify-key", typed.lower().replace("-", " ")]) == 1
    out = capsys.readouterr().out
    assert "BROKEN: unsealed at entry 4" in out


def test_a_plain_rehash_is_still_caught_without_the_key(db: sqlite_utils.Database) -> None:
    fill(db, 6)
    db.execute("DROP TRIGGER audit_log_no_update")
    seq, at, action, prev = db.execute(
        "SELECT seq, at, action, previous_hash FROM audit_log WHERE seq = 3"
    ).fetchone()
    forged = '{"operator":"FORGED"}'
    db.execute(
        "UPDATE audit_log SET entry = ?, hash = ? WHERE seq = 3",
        [forged, entry_hash(prev, at, action, forged)],
    )
    report = verify_chain(db)
    assert (report.problem, report.seq) == ("changed", 3)


def test_stripped_and_reused_seals_are_named(db: sqlite_utils.Database, tmp_path: Path) -> None:
    fill(db, 5)
    pending = handover_key(db)
    assert pending is not None
    seed = decode_verify_key(pending[0])
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET seal = NULL WHERE seq = 3")
    assert verify_chain(db, seed).detail == "entry 3 has lost its seal"
    db.execute("UPDATE audit_log SET seal = NULL")  # every seal gone
    assert verify_chain(db, seed).problem == "unsealed"
    other = decode_verify_key(encode_verify_key(bytes(20)))
    fill(db, 1, first=5)
    assert verify_chain(db, other).seq == 6  # another box's key fits nothing


def test_each_key_is_gone_from_disk_once_the_next_one_is_made(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    fill(db, 8)
    pending = handover_key(db)
    assert pending is not None
    seed = decode_verify_key(pending[0])
    forget_handover(db)
    assert not (tmp_path / HANDOVER_FILE).exists()
    keys = [evolve(seed)]
    for _ in range(8):
        keys.append(evolve(keys[-1]))
    assert read_key_state(tmp_path) == (9, keys[8])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for n, old in enumerate([seed, *keys[:8]]):
        assert old not in on_disk, f"key {n} is still on disk"
    assert keys[8] in (tmp_path / KEY_FILE).read_bytes()


def test_the_verify_key_is_typed_in_groups_with_a_check() -> None:
    seed = bytes(range(20))
    typed = encode_verify_key(seed)
    groups = typed.split("-")
    assert len(groups) == 9 and all(len(g) == 4 for g in groups)
    assert decode_verify_key(typed.lower().replace("-", "  ")) == seed
    assert decode_verify_key(typed.replace("O", "0").replace("I", "1")) == seed
    wrong = ("B" if typed[5] != "B" else "C").join((typed[:5], typed[6:]))
    with pytest.raises(BadVerifyKey, match="mistyped"):
        decode_verify_key(wrong)
    with pytest.raises(BadVerifyKey, match="36"):
        decode_verify_key(typed[:-5])


def test_an_old_database_keeps_its_chain_and_seals_from_the_next_entry(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "appliance.db"
    before = migrations.MIGRATIONS[:-1]  # the schema before issue 18
    monkeypatch.setattr(migrations, "MIGRATIONS", before)
    old = connect(path)
    previous = GENESIS
    for n in range(3):  # appended the way the old code did: no seal
        at, text = (START + timedelta(minutes=n)).isoformat(), f'{{"operator":"S{n}"}}'
        digest = entry_hash(previous, at, "login.success", text)
        old.execute(
            "INSERT INTO audit_log (at, action, entry, previous_hash, hash) VALUES (?, ?, ?, ?, ?)",
            [at, "login.success", text, previous, digest],
        )
        previous = digest
    old.conn.close()
    monkeypatch.undo()

    db = connect(path)
    assert migrations.schema_version(db) == len(migrations.MIGRATIONS)
    fill(db, 3, first=3)
    pending = handover_key(db)
    assert pending is not None and pending[1] == 4  # sealing began with the next entry
    seed = decode_verify_key(pending[0])
    report = verify_chain(db, seed)
    assert report.intact and report.seals_checked and report.sealed == 3
    assert report.entries == 6

    take_over_and_rewrite(db, tmp_path, 2)  # an old, unsealed entry rewritten
    assert verify_chain(db).intact
    assert verify_chain(db, seed).seq == 4  # the first seal covers the hashes before it


def test_the_branch_server_refuses_a_resealed_tail_and_keeps_the_first_key(sync_box) -> None:
    server, worker, db = sync_box
    folder = Path(db.execute("PRAGMA database_list").fetchone()[2]).parent
    add_submissions(db, 2)
    worker.drain()  # the first registration hands the key over; entries 1-3 delivered
    assert handover_key(db) is None and not (folder / HANDOVER_FILE).exists()
    held = delivered_seq(db)
    add_submissions(db, 3)  # sealed, not yet at the server
    take_over_and_rewrite(db, folder, held + 2)
    assert verify_chain(db).intact
    worker.drain()
    refusal = audit_refusal(db) or ""
    assert f"entry {held + 2} is not sealed" in refusal, refusal
    assert delivered_seq(db) == held  # the batch is refused whole; nothing moves on

    with pytest.raises(Exception, match="different audit verification key"):
        worker.client.register_audit_key(audit_seal.encode_verify_key(bytes(20)), 1)


def test_two_connections_appending_at_once_keep_every_seal(tmp_path: Path) -> None:
    """The kiosk and the sync seal from their own connections (and processes): the key
    file moves on under its lock, never back, and every seal holds."""
    import threading

    path = tmp_path / "appliance.db"
    dbs = [connect(path), connect(path)]

    def append(db: sqlite_utils.Database, who: int) -> None:
        for n in range(25):
            audit_now(db, START + timedelta(seconds=n), "login.success", {"operator": f"{who}"})

    threads = [threading.Thread(target=append, args=(db, k)) for k, db in enumerate(dbs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pending = handover_key(dbs[0])
    assert pending is not None
    report = verify_chain(dbs[0], decode_verify_key(pending[0]))
    assert report.intact and report.sealed == 50, report.detail
