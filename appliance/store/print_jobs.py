"""The print-job journal: the laid-out receipt of each submission and whether it printed.

The receipt is journaled before the first byte goes to the printer, so a paper-out, a
pulled cable or a restart never loses it: "重新打印" prints the same lines again. Only
laid-out lines are kept, and they are already masked, so the journal holds no full
name or ID number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import sqlite_utils

from appliance.domain.receipt import Align, Line, QrCode, Separator, Text, Title
from appliance.store.db import write_transaction


class JobState(Enum):
    QUEUED = "queued"
    PRINTED = "printed"
    FAILED = "failed"


@dataclass(frozen=True)
class PrintJob:
    submission_id: str
    receipt_number: str
    columns: int
    lines: tuple[Line, ...]
    state: JobState
    attempts: int
    last_error: str | None


def journal_receipt(
    db: sqlite_utils.Database,
    submission_id: str,
    receipt_number: str,
    columns: int,
    lines: list[Line],
    now: datetime,
) -> PrintJob:
    """Keep the receipt of a submission; an existing one is kept unchanged and returned."""
    with write_transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO print_jobs (submission_id, receipt_number, columns, lines, "
            "state, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
            [
                submission_id,
                receipt_number,
                columns,
                _dump(lines),
                now.isoformat(),
                now.isoformat(),
            ],
        )
    job = find_job(db, submission_id)
    assert job is not None
    return job


def relayout(
    db: sqlite_utils.Database, submission_id: str, columns: int, lines: list[Line], now: datetime
) -> None:
    """Replace the lines after the paper got narrower (another printer was fitted)."""
    with write_transaction(db):
        db.execute(
            "UPDATE print_jobs SET columns = ?, lines = ?, updated_at = ? WHERE submission_id = ?",
            [columns, _dump(lines), now.isoformat(), submission_id],
        )


def mark_attempt(
    db: sqlite_utils.Database,
    submission_id: str,
    state: JobState,
    now: datetime,
    error: str | None = None,
) -> None:
    """Record one print attempt and its outcome (``error`` is a status name, no PII)."""
    with write_transaction(db):
        db.execute(
            "UPDATE print_jobs SET state = ?, attempts = attempts + 1, last_error = ?, "
            "updated_at = ? WHERE submission_id = ?",
            [state.value, error, now.isoformat(), submission_id],
        )


def find_job(db: sqlite_utils.Database, submission_id: str) -> PrintJob | None:
    row = db.execute(
        "SELECT submission_id, receipt_number, columns, lines, state, attempts, last_error "
        "FROM print_jobs WHERE submission_id = ?",
        [submission_id],
    ).fetchone()
    return _job(row) if row else None


def unprinted_jobs(db: sqlite_utils.Database) -> list[PrintJob]:
    """Receipts never printed (failed, or cut short by a restart), oldest first."""
    rows = db.execute(
        "SELECT submission_id, receipt_number, columns, lines, state, attempts, last_error "
        "FROM print_jobs WHERE state != 'printed' ORDER BY created_at"
    ).fetchall()
    return [_job(row) for row in rows]


def _job(row: tuple) -> PrintJob:
    submission_id, number, columns, lines, state, attempts, last_error = row
    return PrintJob(
        submission_id, number, columns, _load(lines), JobState(state), attempts, last_error
    )


def _dump(lines: list[Line]) -> str:
    out: list[dict] = []
    for line in lines:
        if isinstance(line, Title):
            out.append({"kind": "title", "text": line.text})
        elif isinstance(line, Text):
            out.append({"kind": "text", "text": line.text, "align": line.align.value})
        elif isinstance(line, Separator):
            out.append({"kind": "rule", "columns": line.columns})
        elif isinstance(line, QrCode):
            out.append({"kind": "qr", "data": line.data})
        else:
            raise TypeError(f"not a receipt line: {line!r}")
    return json.dumps(out, ensure_ascii=False)


def _load(text: str) -> tuple[Line, ...]:
    lines: list[Line] = []
    for item in json.loads(text):
        kind = item["kind"]
        if kind == "title":
            lines.append(Title(item["text"]))
        elif kind == "text":
            lines.append(Text(item["text"], Align(item["align"])))
        elif kind == "rule":
            lines.append(Separator(item["columns"]))
        else:
            lines.append(QrCode(item["data"]))
    return tuple(lines)
