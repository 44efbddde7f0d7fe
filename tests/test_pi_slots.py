"""The Raspberry Pi's A/B switch (autoboot.txt and the one-shot tryboot flag) against the
image's layout: the bootsel partition build-image writes, a trial, a bless, a rollback."""

from __future__ import annotations

import re
from pathlib import Path

from appliance.updates.pi_slots import autoboot_text, parse_autoboot, pi_slots

BUILD_IMAGE = Path(__file__).resolve().parents[1] / "images" / "build-image"


def test_build_image_writes_slot_a_with_b_as_the_trial_partition() -> None:
    """build-image's printf is autoboot_text("a", "b"), and its partitions are numbered so."""
    script = BUILD_IMAGE.read_text()
    printed = re.search(r"printf '(\[all\].*?)' > \"\$work/autoboot.txt\"", script)
    assert printed is not None
    assert printed.group(1).encode().decode("unicode_escape") == autoboot_text("a", "b")
    names = re.findall(r"name=(bootsel|boot-a|boot-b)\b", script)
    assert names == ["bootsel", "boot-a", "boot-b"]


def test_first_boot_is_slot_a_blessed() -> None:
    slots = pi_slots(autoboot_text("a", "b"), booted_partition=2, tryboot=False)
    assert (slots.booted, slots.default, slots.on_trial, slots.blessed) == ("a", "a", False, True)


def test_tryboot_into_the_new_slot_is_a_trial_until_committed() -> None:
    text = autoboot_text("a", "b")
    trial = pi_slots(text, booted_partition=3, tryboot=True)
    assert trial.booted == "b" and trial.on_trial and not trial.blessed
    committed = pi_slots(autoboot_text("b", "a"), booted_partition=3, tryboot=True)
    assert committed.blessed and not committed.on_trial


def test_a_reset_during_the_trial_is_back_on_the_old_slot() -> None:
    """The flag is one-shot: the next boot, whatever ended the trial, is [all]'s."""
    after = pi_slots(autoboot_text("a", "b"), booted_partition=2, tryboot=False)
    assert after.booted == "a" and after.blessed


def test_parse_reads_comments_and_unknown_partitions() -> None:
    text = "[all]\ntryboot_a_b=1\nboot_partition=3 # b\n[tryboot]\nboot_partition=7\n"
    assert parse_autoboot(text) == ("b", None)
    assert parse_autoboot("") == (None, None)
    assert pi_slots("", booted_partition=None, tryboot=True).booted is None
