"""今日统计: today's acceptances on this box, by item type, by look-up and by operator,
with each operator's mean handling time (first look-up to submit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from appliance.domain.catalogue import ItemType
from appliance.domain.submission import LookupMethod
from appliance.store.statistics import acceptances, summarise


@dataclass(frozen=True)
class DayStats:
    by_type: dict[ItemType, int]
    by_lookup: dict[LookupMethod, int]
    by_operator: dict[str, int]
    unprinted: int
    handling_s: dict[str, float] = field(default_factory=dict)  # mean, per operator

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def day_stats(db: sqlite_utils.Database, day_prefix: str) -> DayStats:
    """Counts for one day (``YYYY-MM-DD``, hall time)."""
    where, args = "WHERE substr(created_at, 1, 10) = ?", [day_prefix]

    def grouped(column: str) -> list[tuple[str, int]]:
        return db.execute(
            f"SELECT {column}, COUNT(*) FROM submissions {where} "
            f"GROUP BY {column} ORDER BY COUNT(*) DESC",
            args,
        ).fetchall()

    unprinted = db.execute(
        f"SELECT COUNT(*) FROM submissions {where} AND printed_count = 0", args
    ).fetchone()[0]
    return DayStats(
        by_type={ItemType(k): n for k, n in grouped("item_type")},
        by_lookup={LookupMethod(k): n for k, n in grouped("lookup_method")},
        by_operator=dict(grouped("operator_name")),
        unprinted=unprinted,
        handling_s={
            name: h.mean_s
            for name, h in summarise(
                acceptances(db, date.fromisoformat(day_prefix), date.fromisoformat(day_prefix))
            ).handling.items()
        },
    )
