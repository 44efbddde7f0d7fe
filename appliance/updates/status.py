"""The update records on the box: both slots' status, the history of outcomes, audit.

``<data_dir>/updates/`` (``/var/lib/appliance/updates``, 2750 root:appliance) holds

* ``history.jsonl``: one line per outcome, appended by root: ``install`` and ``refused``
  by ``appliance-update``, ``blessed`` and ``rollback`` by ``appliance update status
  --write`` (appliance-update-status.service, each boot), each once;
* ``status.json``: what that unit last saw on the ESP (only root can read it), for the
  kiosk's 系统诊断 and the sync's heartbeat, which run as other users.

Both are 0640; the setgid folder gives them the group appliance. Every install, bless
and rollback is also an audit entry. Decisions are in :mod:`appliance.updates.boot_slots`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appliance import log
from appliance.errors import ApplianceError
from appliance.updates.boot_slots import booted_slot, last_update, outcome_records, slots_status
from appliance.updates.bundle import fsync_directory

ESP = Path("/boot/efi")
CMDLINE = Path("/proc/cmdline")
HISTORY = "history.jsonl"
STATUS = "status.json"
FILE_MODE = 0o640
AUDITED = {
    "install": "update.installed",
    "blessed": "update.blessed",
    "rollback": "update.rolled_back",
}


@dataclass(frozen=True)
class UpdatePaths:
    """Where the update code looks (a test points them at tmp_path)."""

    updates_dir: Path
    database: Path | None
    esp: Path = ESP
    cmdline: Path = CMDLINE

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> UpdatePaths:
        return cls(data_dir / "updates", data_dir / "appliance.db")

    @property
    def entries(self) -> Path:
        return self.esp / "loader" / "entries"


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def read_history(updates_dir: Path) -> list[dict[str, Any]]:
    """Every readable record, oldest first (a torn last line is skipped)."""
    try:
        lines = (updates_dir / HISTORY).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def record_outcome(paths: UpdatePaths, record: dict[str, Any], at: datetime) -> dict[str, Any]:
    """Append one outcome to history.jsonl (fsynced) and, for install/blessed/rollback,
    the audit trail. Best effort: a failure is logged, never raised (the slot is
    already written or booted; the record must not undo that)."""
    record = {
        "event": record["event"],
        "at": _stamp(at),
        **{k: v for k, v in record.items() if k != "event"},
    }
    log.event(
        "update.outcome",
        kind=record["event"],
        **{k: v for k, v in record.items() if k not in ("at", "event")},
    )
    try:
        paths.updates_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(
            paths.updates_dir / HISTORY,
            os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
            FILE_MODE,
        )
        try:
            os.fchmod(fd, FILE_MODE)
            os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        log.event("update.record_failed", what=HISTORY, error=error.strerror)
    action = AUDITED.get(record["event"])
    if action is not None and paths.database is not None:
        _audit(paths.database, at, action, record)
    return record


def _audit(database: Path, at: datetime, action: str, record: dict[str, Any]) -> None:
    from appliance.store.audit_trail import audit_now
    from appliance.store.db import connect

    try:
        db = connect(database)  # creates/keeps 0660; SQLite gives -wal/-shm its owner
        try:
            audit_now(db, at, action, {k: v for k, v in record.items() if k != "at"})
        finally:
            db.conn.close()
    except (ApplianceError, OSError, sqlite3.Error) as error:
        log.event(
            "update.record_failed",
            what="audit",
            action=action,
            error=type(error).__name__,
            detail=str(error)[:200],
        )


def read_entry_names(esp: Path) -> list[str]:
    """The loader entries' file names; OSError when the ESP cannot be read (not root)."""
    return sorted(p.name for p in (esp / "loader" / "entries").iterdir())


def current_status(
    paths: UpdatePaths, at: datetime, history: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Both slots from the ESP (OSError unless root) and the last outcome."""
    try:
        booted = booted_slot(paths.cmdline.read_text(encoding="utf-8"))
    except OSError:
        booted = None
    slots = slots_status(read_entry_names(paths.esp), booted)
    history = read_history(paths.updates_dir) if history is None else history
    return {
        "booted": booted,
        "next_boot": next((s.slot for s in slots.values() if s.next_boot), None),
        "slots": {name: asdict(slot) for name, slot in slots.items()},
        "last_update": last_update(history),
        "checked_at": _stamp(at),
    }


def refresh(paths: UpdatePaths, at: datetime) -> dict[str, Any]:
    """``appliance update status --write``: note a bless or a rollback once, then write
    status.json for the kiosk and the sync."""
    history = read_history(paths.updates_dir)
    status = current_status(paths, at, history)
    slots = slots_status(read_entry_names(paths.esp), status["booted"])
    for record in outcome_records(history, slots, status["booted"]):
        history.append(record_outcome(paths, record, at))
    status["last_update"] = last_update(history)
    write_status(paths.updates_dir, status)
    log.event(
        "update.status",
        booted=status["booted"],
        next_boot=status["next_boot"],
        a=slots["a"].state,
        b=slots["b"].state,
    )
    return status


def write_status(updates_dir: Path, status: dict[str, Any]) -> None:
    """status.json, replaced atomically (temporary file, fsync, rename, fsync folder)."""
    updates_dir.mkdir(parents=True, exist_ok=True)
    target = updates_dir / STATUS
    temporary = updates_dir / f".{STATUS}.new"
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        os.write(fd, (json.dumps(status, ensure_ascii=False, indent=1) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, target)
    fsync_directory(updates_dir)


def read_status_file(updates_dir: Path) -> dict[str, Any] | None:
    """The last status.json; None when missing, unreadable or damaged (never raises)."""
    try:
        data = json.loads((updates_dir / STATUS).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("slots"), dict) else None
