"""Which slot systemd-boot boots next, from the loader entries' names alone (no I/O)."""

from __future__ import annotations

import pytest

from appliance.updates.boot_slots import (
    Entry,
    boot_order,
    booted_slot,
    entry_options,
    entry_text,
    format_entry,
    outcome_records,
    parse_entry,
    slots_status,
    spare_slot,
)


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("appliance-0.1.1-a.conf", Entry("0.1.1", "a")),
        ("appliance-0.2.0-b+3.conf", Entry("0.2.0", "b", 3)),
        ("appliance-0.2.0-b+2-1.conf", Entry("0.2.0", "b", 2, 1)),
        ("appliance-0.2.0-b+0-3.conf", Entry("0.2.0", "b", 0, 3)),
        ("appliance-1.0.0-rc1-a+1-0.conf", Entry("1.0.0-rc1", "a", 1, 0)),
    ],
)
def test_entry_names_round_trip(name: str, entry: Entry) -> None:
    assert parse_entry(name) == entry
    assert entry.name == name


@pytest.mark.parametrize(
    "name",
    [
        "appliance-a.conf",
        "appliance-0.1-c.conf",
        "loader.conf",
        "appliance-0.1-a.conf~",
        ".appliance-0.1-b+3.conf.new",
    ],
)
def test_other_files_are_no_entries(name: str) -> None:
    assert parse_entry(name) is None


def test_a_version_systemd_boot_would_misread_gets_no_name() -> None:
    with pytest.raises(ValueError):
        format_entry("0.2.0+build5", "b", 3)


def test_states_follow_the_counter() -> None:
    assert [
        parse_entry(n).state
        for n in ("appliance-1-a.conf", "appliance-1-a+1-2.conf", "appliance-1-a+0-3.conf")
    ] == ["blessed", "trial", "failed"]


def test_newest_slot_boots_first_until_its_tries_are_used_up() -> None:
    old, trial, spent = (
        parse_entry(n)
        for n in (
            "appliance-0.9.1-a.conf",
            "appliance-0.10.0-b+2-1.conf",
            "appliance-0.10.0-b+0-3.conf",
        )
    )
    assert boot_order([old, trial]) == [trial, old]  # 0.10 > 0.9: numeric, not text
    assert boot_order([spent, old]) == [old, spent]
    assert boot_order([old, parse_entry("appliance-0.10.0-b.conf")])[0].slot == "b"


def test_spare_slot_and_booted_slot() -> None:
    assert spare_slot("a") == "b" and spare_slot("b") == "a"
    assert booted_slot("quiet root=PARTLABEL=root-b ro") == "b"
    assert booted_slot("root=/dev/sda2") is None


def test_new_entry_keeps_the_running_options_but_its_own_root() -> None:
    assert (
        entry_options("root=PARTLABEL=root-a ro console=ttyS0 systemd.wants=x.service", "b")
        == "root=PARTLABEL=root-b ro console=ttyS0 systemd.wants=x.service"
    )
    text = entry_text("0.2.0", "b", "root=PARTLABEL=root-a ro quiet")
    assert "linux /slot-b/vmlinuz\n" in text and "initrd /slot-b/initrd.img\n" in text
    assert "options root=PARTLABEL=root-b ro quiet\n" in text


FRESH = ["appliance-0.1.0-a.conf"]
INSTALL = {"event": "install", "version": "0.2.0", "slot": "b", "at": "x"}


@pytest.mark.parametrize(
    ("names", "booted", "a", "b", "next_slot"),
    [
        (FRESH, "a", "blessed", "empty", "a"),
        (["appliance-0.1.0-a.conf", "appliance-0.2.0-b+3.conf"], "a", "blessed", "trial", "b"),
        (["appliance-0.1.0-a.conf", "appliance-0.2.0-b+2-1.conf"], "b", "blessed", "trial", "b"),
        (["appliance-0.1.0-a.conf", "appliance-0.2.0-b.conf"], "b", "blessed", "blessed", "b"),
        (["appliance-0.1.0-a.conf", "appliance-0.2.0-b+0-3.conf"], "a", "blessed", "failed", "a"),
    ],
)
def test_slots_status(names, booted, a, b, next_slot) -> None:
    slots = slots_status(names, booted)
    assert (slots["a"].state, slots["b"].state) == (a, b)
    assert [s.slot for s in slots.values() if s.next_boot] == [next_slot]
    assert [s.slot for s in slots.values() if s.booted] == [booted]


def test_bless_and_rollback_are_recorded_once() -> None:
    blessed = slots_status(["appliance-0.1.0-a.conf", "appliance-0.2.0-b.conf"], "b")
    assert outcome_records([INSTALL], blessed, "b") == [
        {"event": "blessed", "version": "0.2.0", "slot": "b"}
    ]
    assert outcome_records([INSTALL, {"event": "blessed"}], blessed, "b") == []
    spent = slots_status(["appliance-0.1.0-a.conf", "appliance-0.2.0-b+0-3.conf"], "a")
    [rollback] = outcome_records([INSTALL], spent, "a")
    assert rollback["event"] == "rollback" and rollback["booted_version"] == "0.1.0"
    assert outcome_records([INSTALL, rollback], spent, "a") == []
    trial = slots_status(["appliance-0.1.0-a.conf", "appliance-0.2.0-b+1-2.conf"], "b")
    assert outcome_records([INSTALL], trial, "b") == []
    assert outcome_records([], slots_status(FRESH, "a"), "a") == []
