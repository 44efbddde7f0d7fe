"""Opening the database: durable pragmas, explicit write transactions, migrations.

WAL with ``synchronous=FULL`` keeps a committed acceptance across power loss (NORMAL
can roll it back). Writes use ``BEGIN IMMEDIATE`` because SQLite ignores the busy
timeout when a deferred transaction upgrades to a write in WAL mode. A damaged file is
moved aside at start (see :mod:`appliance.store.damage`), never opened and never reused.

Two users share the file on the box: the kiosk (``appliance``) and the sync
(``appliance-sync``), both in group ``appliance``, in a setgid data folder. SQLite makes
``-wal``, ``-shm`` and ``-journal`` with the database file's mode, so the database file is
created ``0660`` here, whatever the umask, before SQLite opens it; whichever service
starts first, the other can write. The files hold personal data (the acceptances, the
print-job journal, drafts), so nobody else may read them (issue 18): a file of ours found
with any other mode (``0644`` as SQLite makes it under the default umask, ``0640``) is
set to ``0660`` at start.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from appliance import log
from appliance.errors import StartupError
from appliance.store.damage import DamagedDatabase, check_intact, move_aside, report_kept
from appliance.store.schema.migrations import migrate

BUSY_TIMEOUT_MS = 5000
# Owner and group read/write: the kiosk and the sync share the database through the group.
SHARED_MODE = 0o660


class StorageFull(sqlite3.OperationalError):
    """The disk (or SQLite's page limit) is full: the write was rolled back whole."""


def connect(path: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the appliance database and bring its schema up to date.

    Raises StartupError, with one line saying what to do, when the folder is not
    writable or the file is damaged (the damaged file is then kept aside for recovery).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        check_intact(path, BUSY_TIMEOUT_MS / 1000)
        share_with_group(path)
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # a purged draft's ID number is zeroed
    except DamagedDatabase as damage:
        aside = move_aside(path)
        log.event("store.damaged", outcome="failure", path=path, aside=aside, detail=damage.detail)
        raise StartupError(
            f"database {path} is damaged ({damage.detail}); it was moved aside to {aside} "
            "for recovery: call branch IT, the next start begins with an empty database"
        ) from None
    except (OSError, sqlite3.OperationalError) as exc:
        raise StartupError(
            f"data directory {path.parent} is not writable ({exc}): "
            "fix its owner/permissions or set appliance.data_dir"
        ) from None
    report_kept(path)
    db = sqlite_utils.Database(conn)
    migrate(db, write_transaction)
    return db


def share_with_group(path: Path) -> None:
    """Create the database file ``0660`` (the umask does not apply), or set ours to it.

    SQLite then gives ``-wal`` and ``-shm`` the same mode. A file owned by the other
    service is left alone (only its owner may chmod it); it was made by this code too.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, SHARED_MODE))
    except FileExistsError:
        pass
    else:
        os.chmod(path, SHARED_MODE)  # os.open's mode was cut by the umask
        return
    for suffix in SQLITE_SUFFIXES:
        share_file(Path(f"{path}{suffix}"))
    for name in AUDIT_KEY_FILES:
        share_file(path.parent / name)


SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")
# The audit sealing key and the verification key awaiting handover (store/audit_seal.py).
AUDIT_KEY_FILES = ("audit-seal.key", "audit-verify-key.txt")


def share_file(path: Path) -> None:
    """Set a file of ours to exactly ``0660``: the group's, and nothing for others."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(found.st_mode)
    if mode == SHARED_MODE or found.st_uid != os.geteuid():
        return
    os.chmod(path, SHARED_MODE)
    log.event("store.mode_fixed", path=path, was=f"{mode:04o}", now=f"{SHARED_MODE:04o}")


def is_storage_full(error: BaseException) -> bool:
    return (
        isinstance(error, sqlite3.OperationalError)
        and getattr(error, "sqlite_errorname", "") == "SQLITE_FULL"
    )


_AFTER_COMMIT: weakref.WeakKeyDictionary[sqlite_utils.Database, list[Callable[[], None]]] = (
    weakref.WeakKeyDictionary()
)


def after_commit(db: sqlite_utils.Database, work: Callable[[], None]) -> None:
    """Run ``work`` once the write transaction open on ``db`` has committed (never if it
    rolls back); outside :func:`write_transaction`, at once."""
    pending = _AFTER_COMMIT.get(db)
    if pending is None:
        work()
    else:
        pending.append(work)


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error.

    A full disk can fail any statement or the COMMIT itself, and SQLite may already have
    rolled back by then; either way nothing of the transaction stays, and the error comes
    out as :class:`StorageFull`.
    """
    db.execute("BEGIN IMMEDIATE")
    pending: list[Callable[[], None]] = []
    _AFTER_COMMIT[db] = pending
    try:
        yield db
        db.execute("COMMIT")
    except BaseException as error:
        _AFTER_COMMIT.pop(db, None)
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        if is_storage_full(error) and not isinstance(error, StorageFull):
            log.event("store.full", logging.WARNING, outcome="failure", detail=str(error)[:200])
            raise StorageFull(str(error)) from error
        raise
    _AFTER_COMMIT.pop(db, None)
    for work in pending:
        work()
