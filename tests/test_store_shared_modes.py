"""The kiosk and the sync share the database through their group: whichever service
creates it, the database, its WAL and its shared-memory file are 0660."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance import log
from appliance.store.db import connect, write_transaction


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


def test_an_existing_database_of_ours_that_is_too_narrow_is_widened_and_logged(
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
    assert "event=store.mode_widened" in stream.getvalue()
    assert "was=0640 now=0660" in stream.getvalue()
    db.conn.close()


def test_a_shared_database_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "appliance.db"
    connect(path).conn.close()
    stream = io.StringIO()
    log.configure(stream=stream)
    connect(path).conn.close()
    assert mode(path) == 0o660
    assert "store.mode_widened" not in stream.getvalue()
