"""The service-item catalogue kept in SQLite: filled by sync (or the demo seed), read
into a :class:`CatalogueIndex` by the kiosk.

Each row carries its pinyin keys, computed once when the item is stored, so the kiosk
never loads a pinyin dictionary.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import sqlite_utils

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.catalogue_search import CatalogueIndex, IndexedItem
from appliance.domain.pinyin_keys import pinyin_keys
from appliance.store.db import write_transaction


def upsert_catalogue_items(db: sqlite_utils.Database, items: list[dict[str, Any]]) -> int:
    """Insert or replace items (``code, name, department, promised_days, default_type``,
    optionally ``pinyin`` and ``initials``) in one transaction; return how many."""
    rows = catalogue_rows(items)
    with write_transaction(db):
        db.table("catalogue_items").upsert_all(rows, pk="code")
    return len(rows)


def catalogue_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored rows of items as the server or the demo file gives them."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows = []
    for raw in items:
        ItemType(raw["default_type"])
        if raw.get("pinyin") and raw.get("initials") is not None:
            full, initials = raw["pinyin"], raw["initials"]
        else:
            full, initials = pinyin_keys(raw["name"])
        rows.append(
            {
                "code": raw["code"],
                "name": raw["name"],
                "department": raw["department"],
                "promised_days": raw.get("promised_days"),
                "default_type": raw["default_type"],
                "pinyin": full,
                "initials": initials,
                "updated_at": now,
            }
        )
    return rows


def catalogue_size(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM catalogue_items").fetchone()[0]


def load_catalogue_index(db: sqlite_utils.Database) -> CatalogueIndex:
    """Every stored item, in code order, ready for search."""
    rows = db.execute(
        "SELECT code, name, department, promised_days, default_type, pinyin, initials "
        "FROM catalogue_items ORDER BY code"
    ).fetchall()
    return CatalogueIndex(
        [
            IndexedItem(
                ServiceItem(code, name, department, promised, ItemType(kind)), pinyin, initials
            )
            for code, name, department, promised, kind, pinyin, initials in rows
        ]
    )


def seed_demo_catalogue(db: sqlite_utils.Database) -> int:
    """Add the bundled demo items the catalogue lacks; return how many were added.

    An item already there (pulled from the branch server, or seeded before) is kept as
    it is, and a pull replaces a seeded item: so seeding and the sync's pull give the same
    catalogue in either order (issue 18), and a restart adds nothing.
    """
    raw = json.loads(
        resources.files("appliance").joinpath("data/demo_catalogue.json").read_text("utf-8")
    )
    held = {row[0] for row in db.execute("SELECT code FROM catalogue_items")}
    missing = [item for item in raw["items"] if item["code"] not in held]
    if not missing:
        return 0
    rows = catalogue_rows(missing)
    with write_transaction(db):  # a pull may have stored some of them meanwhile
        db.table("catalogue_items").insert_all(rows, pk="code", ignore=True)
    return len(rows)


def catalogue_version(db: sqlite_utils.Database) -> tuple[int, str | None]:
    """Changes when sync stores items: the kiosk reloads its index only then."""
    count, latest = db.execute("SELECT COUNT(*), MAX(updated_at) FROM catalogue_items").fetchone()
    return count, latest
