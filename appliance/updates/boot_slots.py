"""Which root slot systemd-boot boots next, decided from loader entry file names alone.

No I/O here: :mod:`appliance.updates.install` and :mod:`appliance.updates.status` read and
write the ESP. Each root slot has at most one entry on the ESP::

    loader/entries/appliance-<version>-<slot>[+LEFT[-DONE]].conf      slot: a | b

An entry without a counter is **blessed**. ``appliance-update`` writes a new slot's
entry as ``appliance-0.2.0-b+3.conf``; at each boot from it systemd-boot renames it
(``+2-1``, ``+1-2``, ``+0-3``) before starting the kernel, and ``systemd-bless-boot``
drops the counter once ``boot-complete.target`` is reached. loader.conf names no
default, so systemd-boot sorts the entries (those with no tries left last, then the
file names in descending version order) and boots the first: the newest slot while it
has tries left or is blessed, else the older one. Worked example::

    appliance-0.1.1-a.conf, appliance-0.2.0-b+2-1.conf  → b (trial, 2 tries left)
    appliance-0.1.1-a.conf, appliance-0.2.0-b+0-3.conf  → a (b used up its tries)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

SLOTS = ("a", "b")
DEFAULT_TRIES = 3
ENTRY = re.compile(
    r"^appliance-(?P<version>[0-9A-Za-z._~^-]+)-(?P<slot>[ab])"
    r"(?:\+(?P<left>\d+)(?:-(?P<done>\d+))?)?\.conf$"
)
VERSION = re.compile(r"^[0-9A-Za-z._~^-]+$")

SlotState = Literal["empty", "blessed", "trial", "failed"]


@dataclass(frozen=True)
class Entry:
    """One loader entry: its slot, version and boot counter (None: blessed)."""

    version: str
    slot: str
    tries_left: int | None = None
    tries_done: int | None = None

    @property
    def name(self) -> str:
        return format_entry(self.version, self.slot, self.tries_left, self.tries_done)

    @property
    def state(self) -> SlotState:
        if self.tries_left is None:
            return "blessed"
        return "trial" if self.tries_left > 0 else "failed"


def format_entry(
    version: str, slot: str, tries_left: int | None = None, tries_done: int | None = None
) -> str:
    """``appliance-0.2.0-b+3.conf``; ValueError for a version systemd-boot would misread."""
    if not VERSION.match(version) or slot not in SLOTS:
        raise ValueError(f"no loader entry can be named for version {version!r} slot {slot!r}")
    counter = ""
    if tries_left is not None:
        counter = f"+{tries_left}" + ("" if tries_done is None else f"-{tries_done}")
    return f"appliance-{version}-{slot}{counter}.conf"


def parse_entry(name: str) -> Entry | None:
    """The entry a file name stands for; None for any other file."""
    found = ENTRY.match(name)
    if found is None:
        return None
    left, done = found["left"], found["done"]
    return Entry(
        found["version"],
        found["slot"],
        None if left is None else int(left),
        None if done is None else int(done),
    )


def spare_slot(booted: str) -> str:
    """The slot an update is written to: the one not running."""
    if booted not in SLOTS:
        raise ValueError(f"unknown slot {booted!r}")
    return "b" if booted == "a" else "a"


def booted_slot(cmdline: str) -> str | None:
    """'a' or 'b' from ``root=PARTLABEL=root-<slot>`` on the kernel command line."""
    for word in cmdline.split():
        if word in ("root=PARTLABEL=root-a", "root=PARTLABEL=root-b"):
            return word[-1]
    return None


def entry_options(options: str, slot: str) -> str:
    """The running entry's ``options`` with its ``root=`` pointing at ``slot`` instead,
    so whatever else is on the line (a test VM's console, for one) survives an update."""
    words = [
        f"root=PARTLABEL=root-{slot}" if word.startswith("root=") else word
        for word in options.split()
    ]
    if f"root=PARTLABEL=root-{slot}" not in words:
        words.insert(0, f"root=PARTLABEL=root-{slot}")
    return " ".join(words)


def entry_text(version: str, slot: str, options: str) -> str:
    return (
        f"title Counter appliance {version} (slot {slot})\n"
        f"version {version}\n"
        f"linux /slot-{slot}/vmlinuz\n"
        f"initrd /slot-{slot}/initrd.img\n"
        f"options {entry_options(options, slot)}\n"
    )


def _version_compare(left: str, right: str) -> int:
    """Like systemd's strverscmp_improved for our names: digit runs compare as numbers."""
    a, b = re.findall(r"\d+|\D+", left), re.findall(r"\d+|\D+", right)
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return -1 if int(x) < int(y) else 1
        return -1 if x < y else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def boot_order(entries: Iterable[Entry]) -> list[Entry]:
    """The order systemd-boot lists (and, with no default, boots) the entries."""

    def compare(x: Entry, y: Entry) -> int:
        used = (x.tries_left == 0) - (y.tries_left == 0)
        return used or -_version_compare(x.name.lower(), y.name.lower())

    return sorted(entries, key=functools.cmp_to_key(compare))


@dataclass(frozen=True)
class SlotStatus:
    slot: str
    state: SlotState
    version: str | None
    entry: str | None
    tries_left: int | None
    tries_done: int | None
    booted: bool
    next_boot: bool


def slots_status(names: Iterable[str], booted: str | None) -> dict[str, SlotStatus]:
    """Both slots as the ESP's entry names and the booted slot show them."""
    order = boot_order(e for e in map(parse_entry, names) if e is not None)
    next_slot = order[0].slot if order else None
    result = {}
    for slot in SLOTS:
        entry = next((e for e in order if e.slot == slot), None)
        result[slot] = SlotStatus(
            slot,
            entry.state if entry else "empty",
            entry.version if entry else None,
            entry.name if entry else None,
            entry.tries_left if entry else None,
            (entry.tries_done or 0) if entry and entry.tries_left is not None else None,
            slot == booted,
            slot == next_slot,
        )
    return result


def last_update(history: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest record of history.jsonl: how the last update went."""
    return dict(history[-1]) if history else None


def outcome_records(
    history: Sequence[dict[str, Any]], slots: dict[str, SlotStatus], booted: str | None
) -> list[dict[str, Any]]:
    """What ``status --write`` appends after the last install, once: ``blessed`` when
    the installed slot booted and lost its counter, ``rollback`` when the box booted
    the other slot and the installed one has no tries left. Records lack ``at``."""
    index = next(
        (i for i in range(len(history) - 1, -1, -1) if history[i].get("event") == "install"), None
    )
    if index is None or booted is None:
        return []
    if any(r.get("event") in ("blessed", "rollback") for r in history[index + 1 :]):
        return []
    install = history[index]
    slot, version = install.get("slot"), install.get("version")
    target = slots.get(slot) if isinstance(slot, str) else None
    if target is None or target.version != version:
        return []
    if booted == slot and target.state == "blessed":
        return [{"event": "blessed", "version": version, "slot": slot}]
    if booted != slot and target.state == "failed":
        return [
            {
                "event": "rollback",
                "version": version,
                "slot": slot,
                "booted": booted,
                "booted_version": slots[booted].version,
                "tries_done": target.tries_done,
            }
        ]
    return []
