"""Service-item search: Chinese substring, full pinyin, initials, item code, ranked."""

from __future__ import annotations

import json

import pytest
import sqlite_utils
from appliance_dev.datagen.make_catalogue import generate

from appliance.domain.catalogue_search import CatalogueIndex
from appliance.store.catalogue import (
    catalogue_size,
    load_catalogue_index,
    seed_demo_catalogue,
    upsert_catalogue_items,
)
from appliance.store.db import connect
from appliance.wiring import bundled_catalogue


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> CatalogueIndex:
    db = connect(tmp_path_factory.mktemp("catalogue") / "appliance.db")
    seed_demo_catalogue(db)
    return load_catalogue_index(db)


def names(index: CatalogueIndex, query: str, limit: int = 6) -> list[str]:
    return [item.name for item in index.search(query, limit)]


def test_demo_catalogue_has_2000_items_across_departments_and_keeps_the_bundled_eight(
    index: CatalogueIndex,
) -> None:
    assert len(index) >= 2000
    assert len({entry.item.department for entry in index._entries}) >= 20
    for item in bundled_catalogue()._items:
        assert index.by_code(item.code) == item


def test_initials_find_housing_fund_items(index: CatalogueIndex) -> None:
    assert all("公积金" in name for name in names(index, "gjj"))
    assert names(index, "zfgjjtq")[0] == "住房公积金提取"


def test_full_pinyin_and_chinese_substrings_of_one_and_two_characters(
    index: CatalogueIndex,
) -> None:
    assert names(index, "zhufanggongjijin")[0].startswith("住房公积金")
    assert names(index, "zhu fang")[0].startswith("住房")
    assert all("婚" in name for name in names(index, "婚"))
    assert all("户口" in name for name in names(index, "户口"))
    assert names(index, "社会保障卡补")[0] == "社会保障卡补领"


def test_item_code_exact_then_prefix(index: CatalogueIndex) -> None:
    assert names(index, "442000-SB-0310", 1) == ["社会保障卡补领"]
    assert all(i.code.startswith("442000-ZJ") for i in index.search("442000-zj"))


def test_name_start_ranks_before_a_match_inside_the_name(index: CatalogueIndex) -> None:
    found = names(index, "婚姻", 20)
    starts = [n.startswith("婚姻") for n in found]
    assert starts == sorted(starts, reverse=True) and starts[0]


def test_typing_on_narrows_the_same_way_as_a_fresh_search(index: CatalogueIndex) -> None:
    typed = [names(index, "shehuibaozhangka"[:n], 20) for n in range(1, 17)]
    fresh = CatalogueIndex(index._entries)
    assert typed[-1] == [i.name for i in fresh.search("shehuibaozhangka", 20)]
    assert names(index, "s", 20) == [i.name for i in fresh.search("s", 20)]


def test_empty_or_unmatched_queries_find_nothing(index: CatalogueIndex) -> None:
    assert index.search("") == [] and index.search("   ") == []
    assert index.search("zzzzqqq") == []


def test_upsert_computes_pinyin_keys_when_sync_sends_none(db: sqlite_utils.Database) -> None:
    count = upsert_catalogue_items(
        db,
        [
            {
                "code": "442000-XX-0001",
                "name": "住房公积金提取",
                "department": "住房公积金中心",
                "promised_days": 3,
                "default_type": "department",
            }
        ],
    )
    assert count == 1 and catalogue_size(db) == 1
    row = db.execute("SELECT pinyin, initials FROM catalogue_items").fetchone()
    assert row == ("zhufanggongjijintiqu", "zfgjjtq")
    upsert_catalogue_items(
        db,
        [
            {
                "code": "442000-XX-0001",
                "name": "住房公积金提取（新）",
                "department": "中心",
                "promised_days": None,
                "default_type": "branch",
            }
        ],
    )
    assert catalogue_size(db) == 1
    assert load_catalogue_index(db).by_code("442000-XX-0001").name == "住房公积金提取（新）"


def test_upsert_refuses_an_unknown_item_type(db: sqlite_utils.Database) -> None:
    with pytest.raises(ValueError):
        upsert_catalogue_items(
            db, [{"code": "X", "name": "某事项", "department": "某局", "default_type": "elsewhere"}]
        )
    assert catalogue_size(db) == 0


def test_demo_catalogue_file_matches_its_generator() -> None:
    from appliance_dev.datagen.make_catalogue import DATA, DEMO_COUNT

    shipped = json.loads((DATA / "demo_catalogue.json").read_text(encoding="utf-8"))["items"]
    assert shipped == generate(DEMO_COUNT)
