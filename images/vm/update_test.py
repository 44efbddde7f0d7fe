"""Field updates in the VM: refused bundles, a power cut mid-write, a good update that is
blessed, and a bad one that the box rolls back from by itself (issue 16).

Runs on a provisioned box that boot_test.py has just booted on slot a. Each bundle
reaches the box the way branch IT brings it: on a USB stick (``appliance-update.bundle``).
"""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

from qemu import Vm
from test_bundles import bundle, refused_bundle

INSTALL_TIMEOUT_S = 900
TRIAL_TIMEOUT_S = 1500  # three failed trial boots and the way back, under TCG


def serving(facts: dict[str, str]) -> bool:
    """A boot whose kiosk runs: trial boots of a bad update report too, before they end."""
    return facts.get("appliance-ui") == "active"


def update_stick(work: Path, bundle_path: Path) -> Path:
    stick = work / f"{bundle_path.stem}.stick"
    size_kib = bundle_path.stat().st_size // 1024 + 65536
    stick.unlink(missing_ok=True)
    subprocess.run(
        ["mkfs.vfat", "-n", "UPDATE", "-C", str(stick), str(size_kib)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["mcopy", "-i", str(stick), str(bundle_path), "::/appliance-update.bundle"], check=True
    )
    return stick


def run_updates(
    vm: Vm,
    work: Path,
    image_dir: Path,
    outcome,
    report,
    wait_screen,
    login_screen: tuple[str, ...],
    boot_timeout_s: float,
) -> None:
    """``outcome``, ``report`` and ``wait_screen`` are boot_test.py's."""
    rng = random.Random(int(time.time()))
    for name, made in (
        ("wrong key", refused_bundle(work / "wrong-key.bundle", image_dir, wrong_key=True)),
        ("another board", refused_bundle(work / "arm64.bundle", image_dir, arch="arm64")),
    ):
        mark = len(vm.serial_text())
        vm.plug_usb_stick(update_stick(work, made), "update")
        line = vm.wait_serial(r"appliance-update: refused: .*", 180, since=mark).group(0)
        vm.pull_usb_stick("update")
        outcome.check(f"update {name}: refused before writing", "refused" in line, line.strip())

    good = bundle(work / "good.bundle", image_dir, "0.1.1")
    bad = bundle(work / "bad.bundle", image_dir, "0.1.2", kiosk_exits=True)

    # (c) power cut while the slot is being written: the old slot boots, the spare never.
    stick = update_stick(work, good)
    mark = len(vm.serial_text())
    vm.plug_usb_stick(stick, "update")
    vm.wait_serial(r"event=update\.install\.init", 300, since=mark)
    delay = rng.uniform(3, 12)
    time.sleep(delay)
    vm.cut_power()
    vm.power_on()
    wait_screen(vm, login_screen, work / "4-after-cut-during-update.png", boot_timeout_s)
    facts = report(vm, 1, boot_timeout_s)
    outcome.check(
        "update cut mid-write: old slot booted",
        facts.get("booted_slot") == "a",
        f"slot {facts.get('booted_slot')}, cut {delay:.1f} s into the write",
    )
    outcome.check(
        "update cut mid-write: half-written slot has no entry",
        "-b" not in facts.get("entries", ""),
        facts.get("entries", ""),
    )

    # (a) a good update: installed from the stick, tried, blessed.
    mark = len(vm.serial_text())
    vm.plug_usb_stick(stick, "update")
    vm.wait_serial(r"appliance-update: installed in slot b", INSTALL_TIMEOUT_S, since=mark)
    vm.pull_usb_stick("update")
    vm.mark_boot()
    wait_screen(vm, login_screen, work / "5-good-update.png", boot_timeout_s)
    facts = report(vm, 1, boot_timeout_s, serving)
    outcome.check(
        "good update: booted the new slot",
        facts.get("booted_slot") == "b" and facts.get("version") == "0.1.1",
        f"{facts.get('booted_slot')} {facts.get('version')}",
    )
    outcome.check(
        "good update: blessed",
        "appliance-0.1.1-b.conf" in facts.get("entries", "").split(","),
        facts.get("entries", ""),
    )
    check_box_after = facts

    # (b) a bad update: tried the configured times, then back on the good slot by itself.
    mark = len(vm.serial_text())
    vm.plug_usb_stick(update_stick(work, bad), "update")
    vm.wait_serial(r"appliance-update: installed in slot a", INSTALL_TIMEOUT_S, since=mark)
    installed = time.monotonic()
    vm.pull_usb_stick("update")
    vm.mark_boot()
    wait_screen(vm, login_screen, work / "6-rolled-back.png", TRIAL_TIMEOUT_S)
    facts = report(vm, 1, TRIAL_TIMEOUT_S, serving)
    outcome.figures["bad_update_install_to_serving_old_slot_s"] = time.monotonic() - installed
    outcome.figures["guest_reboots_restarted_cold"] = vm.cold_restarts
    trials = vm.boots(vm.serial_text())
    outcome.check(
        "bad update: back on the old slot",
        facts.get("booted_slot") == "b" and facts.get("version") == "0.1.1",
        f"{facts.get('booted_slot')} {facts.get('version')} after {trials} boots",
    )
    outcome.check(
        "bad update: its tries used up, entry kept last",
        "appliance-0.1.2-a+0-3.conf" in facts.get("entries", "").split(","),
        facts.get("entries", ""),
    )
    outcome.check(
        "bad update: rollback recorded",
        "rollback" in facts.get("update_history", ""),
        facts.get("update_history", "")[:200],
    )
    outcome.check(
        "good update then rollback: services active",
        facts.get("appliance-ui") == "active" and check_box_after.get("failed") == "",
        facts.get("appliance-ui", ""),
    )
