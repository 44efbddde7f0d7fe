"""Opening the database: durable pragmas, explicit write transactions, migrations.

WAL with ``synchronous=FULL`` keeps a committed acceptance across power loss (NORMAL
can roll it back). Writes use ``BEGIN IMMEDIATE`` because SQLite ignores the busy
timeout when a deferred transaction upgrades to a write in WAL mode.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from appliance.errors import StartupError
from appliance.store.migrations import migrate

BUSY_TIMEOUT_MS = 5000


def connect(path: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the appliance database and bring its schema up to date."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except (OSError, sqlite3.OperationalError) as exc:
        raise StartupError(
            f"data directory {path.parent} is not writable ({exc}): "
            "fix its owner/permissions or set appliance.data_dir"
        ) from None
    db = sqlite_utils.Database(conn)
    migrate(db, write_transaction)
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
