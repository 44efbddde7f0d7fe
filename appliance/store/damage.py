"""A damaged database file at start: detected, moved aside whole, never reused or deleted.

The file may hold submissions the branch server has not yet received, so it is kept for
recovery with its WAL (renamed together, so ``sqlite3 <aside>`` still sees the WAL's
committed transactions). Damage is what SQLite calls it: "file is not a database"
(SQLITE_NOTADB), "database disk image is malformed" (SQLITE_CORRUPT), or a
``PRAGMA quick_check`` that does not answer "ok". A busy or unreadable file is not
damage and is never moved.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from appliance import log

DAMAGE_CODES = frozenset({"SQLITE_NOTADB", "SQLITE_CORRUPT"})
ASIDE_MARK = ".damaged-"
# The WAL first: a fresh database must never meet the damaged one's log.
COMPANIONS = ("-wal", "-shm", "")


class DamagedDatabase(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def check_intact(path: Path, timeout_s: float) -> None:
    """Raise DamagedDatabase unless ``PRAGMA quick_check`` finds the file sound.

    Read-only, so closing never checkpoints the WAL into a damaged file or deletes it:
    what is moved aside is exactly what was found.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout_s)
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "") in DAMAGE_CODES:
            raise DamagedDatabase(str(error)) from None
        raise
    finally:
        conn.close()
    findings = [str(row[0]) for row in rows]
    if findings != ["ok"]:
        raise DamagedDatabase("quick_check: " + "; ".join(findings)[:300])


def move_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename the file and its WAL/SHM to ``<name>.damaged-<UTC time>``; return the new
    path of the main file. An existing name is never overwritten."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}{ASIDE_MARK}{stamp}")
    number = 1
    while any(Path(f"{aside}{suffix}").exists() for suffix in COMPANIONS):
        number += 1
        aside = path.with_name(f"{path.name}{ASIDE_MARK}{stamp}-{number}")
    for suffix in COMPANIONS:
        try:
            os.rename(f"{path}{suffix}", f"{aside}{suffix}")
        except FileNotFoundError:
            continue  # no WAL, or another process moved it a moment ago
    return aside


def kept_aside(path: Path) -> list[Path]:
    """Damaged copies of ``path`` still waiting for recovery (main files only)."""
    return sorted(
        p
        for p in path.parent.glob(f"{path.name}{ASIDE_MARK}*")
        if not p.name.endswith(("-wal", "-shm"))
    )


def report_kept(path: Path) -> None:
    """Say at every start that a damaged copy is still there: it is never forgotten."""
    for aside in kept_aside(path):
        log.event("store.damaged_kept", logging.WARNING, aside=aside)
