"""A damaged database file at start: a clear one-line error, the file kept aside whole."""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from appliance.commands.cli import main
from appliance.config import dev_config_text
from appliance.errors import StartupError
from appliance.log import configure
from appliance.store.damage import kept_aside
from appliance.store.db import connect
from tests.sync_helpers import add_submissions


@contextmanager
def logged() -> Iterator[io.StringIO]:
    logger = logging.getLogger("appliance")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    stream = io.StringIO()
    configure(stream=stream)
    try:
        yield stream
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved


def made_database(path: Path, submissions: int = 40) -> bytes:
    """A real appliance database, closed cleanly (WAL folded in); returns its bytes."""
    db = connect(path)
    add_submissions(db, submissions)
    db.conn.close()
    return path.read_bytes()


def overwrite(path: Path, offset: int, garbage: bytes) -> None:
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(garbage)


def test_garbage_file_is_moved_aside_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "appliance.db"
    path.write_bytes(b"this was never a database" * 100)
    with pytest.raises(StartupError) as stopped:
        connect(path)
    message = str(stopped.value)
    assert "\n" not in message and "damaged" in message and "file is not a database" in message
    [aside] = kept_aside(path)
    assert str(aside) in message
    assert aside.read_bytes() == b"this was never a database" * 100
    assert not path.exists()


def test_damaged_page_is_caught_by_quick_check_and_kept_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "appliance.db"
    made_database(path)
    page_size = 4096
    overwrite(path, 3 * page_size, b"\xa5" * page_size)  # a b-tree page of the schema
    damaged = path.read_bytes()
    with pytest.raises(StartupError) as stopped:
        connect(path)
    assert "damaged" in str(stopped.value)
    [aside] = kept_aside(path)
    assert aside.read_bytes() == damaged


def test_the_wal_goes_aside_with_its_database(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    made_database(live)
    holder = connect(live)
    add_submissions(holder, 3)  # committed in the WAL, not yet in the main file
    path = tmp_path / "appliance.db"  # the files as a power cut leaves them
    path.write_bytes(b"\xa5" * live.stat().st_size)  # the main file ruined
    wal = Path(f"{live}-wal").read_bytes()
    Path(f"{path}-wal").write_bytes(wal)
    holder.conn.close()
    with pytest.raises(StartupError):
        connect(path)
    [aside] = kept_aside(path)
    assert Path(f"{aside}-wal").read_bytes() == wal
    assert not Path(f"{path}-wal").exists()


def test_next_start_begins_empty_and_keeps_reporting_the_damaged_copy(tmp_path: Path) -> None:
    path = tmp_path / "appliance.db"
    path.write_bytes(b"\x00garbage" * 512)
    with pytest.raises(StartupError):
        connect(path)
    with logged() as lines:
        db = connect(path)
    assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0
    [aside] = kept_aside(path)
    assert f"event=store.damaged_kept aside={aside}" in lines.getvalue()
    db.conn.close()


def test_a_second_damage_never_overwrites_the_first_copy(tmp_path: Path) -> None:
    path = tmp_path / "appliance.db"
    for text in (b"first" * 300, b"second" * 300):
        path.write_bytes(text)
        with pytest.raises(StartupError):
            connect(path)
    assert sorted(p.read_bytes()[:6] for p in kept_aside(path)) == [b"firstf", b"second"]


def test_sound_database_opens_and_is_not_moved(tmp_path: Path) -> None:
    path = tmp_path / "appliance.db"
    made_database(path, 5)
    db = connect(path)
    assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 5
    assert kept_aside(path) == []


def test_a_locked_database_is_not_taken_for_damage(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("appliance.store.db.BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "appliance.db"
    made_database(path, 1)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("PRAGMA locking_mode = EXCLUSIVE")
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StartupError) as stopped:
            connect(path)
        assert "damaged" not in str(stopped.value)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert kept_aside(path) == []


def test_cli_names_the_damage_in_one_line(tmp_path: Path, capsys) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "appliance.db").write_bytes(b"garbage" * 1000)
    toml = tmp_path / "appliance.toml"
    toml.write_text(dev_config_text(data_dir), encoding="utf-8")
    assert main(["queue", "status", "--config", str(toml)]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("appliance: error: database ") and "moved aside to" in error
