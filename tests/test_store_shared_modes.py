"""The kiosk and the sync share the database through their group: whichever service
creates it, the database, its WAL and its shared-memory file are 0660. They hold personal
data, so nothing is left for others (issue 18): a file found 0644 is set to 0660 at start,
and every file the box writes beside the database (the audit key files too) is 0660."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from appliance import log
from appliance.store.audit_trail import audit_now
from appliance.store.db import connect, write_transaction
from appliance.store.drafts import save_draft

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def umask_027() -> Iterator[None]:
    """A umask narrower than the box's UMask=0007: the modes must not depend on it."""
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_wal_and_shm_are_group_writable_whatever_the_umask(
    tmp_path: Path, umask_027: None
) -> None:
    path = tmp_path / "appliance.db"
    db = connect(path)
    with write_transaction(db):
        db.execute("CREATE TABLE probe (x)")
        db.execute("INSERT INTO probe VALUES (1)")
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o660" for f in files}
    db.conn.close()


def test_an_existing_database_of_ours_that_is_too_narrow_is_set_and_logged(
    tmp_path: Path, umask_027: None
) -> None:
    path = tmp_path / "appliance.db"
    connect(path).conn.close()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            os.chmod(f"{path}{suffix}", 0o640)  # as SQLite left it before this fix
    stream = io.StringIO()
    log.configure(stream=stream)
    db = connect(path)
    with write_transaction(db):
        db.execute("CREATE TABLE probe (x)")
    for suffix in ("", "-wal", "-shm"):
        assert mode(Path(f"{path}{suffix}")) == 0o660, suffix
    assert "event=store.mode_fixed" in stream.getvalue()
    assert "was=0640 now=0660" in stream.getvalue()
    db.conn.close()


def test_a_shared_database_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "appliance.db"
    connect(path).conn.close()
    stream = io.StringIO()
    log.configure(stream=stream)
    connect(path).conn.close()
    assert mode(path) == 0o660
    assert "store.mode_fixed" not in stream.getvalue()


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The default umask of a shell: what SQLite and open() make under it is 0644."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_a_database_others_could_read_is_closed_to_them_at_start(
    tmp_path: Path, umask_022: None
) -> None:
    path = tmp_path / "appliance.db"
    db = connect(path)
    audit_now(db, NOW, "login.success", {"operator": "S1"})
    db.conn.close()
    for found in tmp_path.iterdir():
        os.chmod(found, 0o644)  # as SQLite made them before this fix, under umask 022
    stream = io.StringIO()
    log.configure(stream=stream)
    connect(path).conn.close()
    modes = {f.name: oct(mode(f)) for f in tmp_path.iterdir()}
    assert modes == dict.fromkeys(modes, "0o660"), modes
    assert "was=0644 now=0660" in stream.getvalue()


def test_every_file_the_box_writes_beside_its_database_is_the_groups_alone(
    tmp_path: Path, umask_022: None
) -> None:
    """The database (the print-job journal and the drafts are tables in it), WAL, shared
    memory and the audit sealing key files: owner and group read and write, nothing for
    others."""
    path = tmp_path / "appliance.db"
    db = connect(path)
    audit_now(db, NOW, "login.success", {"operator": "S1"})
    save_draft(db, {"form": {"number": "442000197803150017"}}, NOW)
    names = sorted(f.name for f in tmp_path.iterdir())
    assert {"appliance.db", "appliance.db-wal", "appliance.db-shm"} <= set(names)
    assert {"audit-seal.key", "audit-verify-key.txt"} <= set(names)
    for found in tmp_path.iterdir():
        assert mode(found) == 0o660, (found.name, oct(mode(found)))
    db.conn.close()
