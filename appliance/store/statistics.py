"""Counter statistics for "三率一数": acceptances per day, operator, item type and item,
and handling time (first look-up to submit) per operator; CSV for the hall's reports.

Everything is read from columns the retention purge keeps (it blanks only the
applicant's name, document number and phone) and from ``handling_times``, which holds
no personal data, so the figures are the same before and after a purge.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import mean, median
from typing import TextIO

import sqlite_utils

from appliance.store.db import write_transaction

CSV_COLUMNS = (
    "day",
    "operator_name",
    "operator_serial",
    "item_type",
    "item_code",
    "item_name",
    "acceptances",
    "timed",
    "mean_handling_s",
)


@dataclass(frozen=True)
class Acceptance:
    day: str
    operator_name: str
    operator_serial: str
    item_type: str
    item_code: str
    item_name: str
    handling_s: float | None


@dataclass(frozen=True)
class Handling:
    timed: int
    mean_s: float
    median_s: float


@dataclass
class Statistics:
    by_day: Counter[str] = field(default_factory=Counter)
    by_operator: Counter[str] = field(default_factory=Counter)
    by_type: Counter[str] = field(default_factory=Counter)
    by_item: Counter[tuple[str, str]] = field(default_factory=Counter)
    handling: dict[str, Handling] = field(default_factory=dict)  # per operator name

    @property
    def total(self) -> int:
        return sum(self.by_day.values())


def record_handling_time(
    db: sqlite_utils.Database, submission_id: str, looked_up_at: datetime, submitted_at: datetime
) -> None:
    seconds = max(0.0, (submitted_at - looked_up_at).total_seconds())
    with write_transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO handling_times (submission_id, looked_up_at, "
            "submitted_at, seconds) VALUES (?, ?, ?, ?)",
            [submission_id, looked_up_at.isoformat(), submitted_at.isoformat(), seconds],
        )


def acceptances(
    db: sqlite_utils.Database, first: date | None = None, last: date | None = None
) -> list[Acceptance]:
    """Every acceptance between two days (hall time, inclusive), oldest first."""
    rows = db.execute(
        "SELECT substr(s.created_at, 1, 10) AS day, s.operator_name, s.operator_serial, "
        "s.item_type, s.item_code, s.item_name, h.seconds FROM submissions s "
        "LEFT JOIN handling_times h ON h.submission_id = s.id "
        "WHERE day BETWEEN ? AND ? ORDER BY s.created_at",
        [(first or date.min).isoformat(), (last or date.max).isoformat()],
    ).fetchall()
    return [Acceptance(*row) for row in rows]


def summarise(rows: list[Acceptance]) -> Statistics:
    stats = Statistics()
    timed: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        stats.by_day[row.day] += 1
        stats.by_operator[row.operator_name] += 1
        stats.by_type[row.item_type] += 1
        stats.by_item[(row.item_code, row.item_name)] += 1
        if row.handling_s is not None:
            timed[row.operator_name].append(row.handling_s)
    stats.handling = {
        name: Handling(len(values), mean(values), median(values)) for name, values in timed.items()
    }
    return stats


def write_csv(rows: list[Acceptance], out: TextIO) -> int:
    """One line per day, operator and item; returns the number of data lines."""
    groups: dict[tuple[str, ...], list[Acceptance]] = defaultdict(list)
    for row in rows:
        groups[
            (
                row.day,
                row.operator_name,
                row.operator_serial,
                row.item_type,
                row.item_code,
                row.item_name,
            )
        ].append(row)
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for key in sorted(groups):
        members = groups[key]
        times = [m.handling_s for m in members if m.handling_s is not None]
        writer.writerow([*key, len(members), len(times), f"{mean(times):.1f}" if times else ""])
    return len(groups)
