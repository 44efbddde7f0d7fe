"""Service items (服务事项) and the item types used for statistics (事项类型)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from appliance.wording import text


class ItemType(Enum):
    """事项类型: recorded for the hall's statistics only."""

    BRANCH = "branch"
    DEPARTMENT = "department"

    @property
    def label(self) -> str:
        return {"branch": text("item_type.branch"), "department": text("item_type.department")}[
            self.value
        ]


@dataclass(frozen=True)
class ServiceItem:
    code: str
    name: str
    department: str
    promised_days: int | None
    default_type: ItemType


class Catalogue:
    """The service-item catalogue with look-up by code and search by name."""

    def __init__(self, items: list[ServiceItem]) -> None:
        self._items = list(items)
        self._by_code = {item.code: item for item in items}

    @classmethod
    def from_json(cls, text: str) -> Catalogue:
        items = [
            ServiceItem(
                code=raw["code"],
                name=raw["name"],
                department=raw["department"],
                promised_days=raw["promised_days"],
                default_type=ItemType(raw["default_type"]),
            )
            for raw in json.loads(text)["items"]
        ]
        return cls(items)

    def __len__(self) -> int:
        return len(self._items)

    def by_code(self, code: str) -> ServiceItem | None:
        return self._by_code.get(code)

    def search(self, query: str, limit: int = 20) -> list[ServiceItem]:
        """Items whose name, code or department contains every word of ``query``."""
        words = query.split()
        return [
            item
            for item in self._items
            if all(w in item.name or w in item.code or w in item.department for w in words)
        ][:limit]
