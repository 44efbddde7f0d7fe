"""今日统计: today's acceptances on this box, by item type, by look-up and by operator."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from appliance.domain.catalogue import ItemType
from appliance.domain.submission import LookupMethod


@dataclass(frozen=True)
class DayStats:
    by_type: dict[ItemType, int]
    by_lookup: dict[LookupMethod, int]
    by_operator: dict[str, int]
    unprinted: int

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def day_stats(db: sqlite_utils.Database, day_prefix: str) -> DayStats:
    """Counts for one day (``YYYY-MM-DD``, hall time)."""
    where, args = "WHERE substr(created_at, 1, 10) = ?", [day_prefix]

    def grouped(column: str) -> list[tuple[str, int]]:
        return db.execute(f"SELECT {column}, COUNT(*) FROM submissions {where} "
                          f"GROUP BY {column} ORDER BY COUNT(*) DESC", args).fetchall()

    unprinted = db.execute(f"SELECT COUNT(*) FROM submissions {where} AND printed_count = 0",
                           args).fetchone()[0]
    return DayStats(
        by_type={ItemType(k): n for k, n in grouped("item_type")},
        by_lookup={LookupMethod(k): n for k, n in grouped("lookup_method")},
        by_operator=dict(grouped("operator_name")),
        unprinted=unprinted,
    )
