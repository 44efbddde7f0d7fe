"""The power-cut test: the box's power pulled while it submits and prints, 20 times over.

    .venv/bin/python images/vm/power_cut_test.py IMAGE_DIR WORK_DIR [--cycles N] [--seed S]
    .venv/bin/python images/vm/power_cut_test.py --dev WORK_DIR     (drive.py here, kill -9)

A test copy of the image (boot_test.test_copy) boots with a second, read-only virtio disk
labelled APPLIANCE-TEST (ext4) holding images/vm/powercut/ (boot-report runs its ``run`` as the
kiosk's user). Its driver first prints a ``POWERCUT check`` of what the last cut left,
then accepts submissions through the real workflow until the power goes. Each cycle
waits for the first ``submitting`` line, cuts the power a seeded random 0-8 s later and
boots again; every check must show quick_check ok, no partial submission, and at least
the submissions whose receipt was seen printed before the cut (nothing lost). A last
boot reports the totals. The table and WORK_DIR/summary.json give the verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent))

from boot_test import BOOT_TIMEOUT_S, REPO, test_copy  # noqa: E402
from qemu import Vm, VmError, VmSpec  # noqa: E402

DRIVER = Path(__file__).resolve().parent / "powercut"
MAX_DELAY_S = 8.0
SUBMIT_TIMEOUT_S = 300  # from the check line to the first acceptance (token, imports)
# Not anchored: the console shows the unit's lines as "[  129.5] boot-report[462]: …".
LINE = r"POWERCUT "


class Box(Protocol):
    def power_on(self) -> None: ...
    def cut_power(self) -> None: ...
    def serial_text(self) -> str: ...
    def wait_serial(self, pattern: str, timeout_s: float) -> re.Match[str]: ...


@dataclass
class Cycle:
    boot: int
    boot_s: float  # power-on to the check line
    check: dict[str, str]
    ui: str  # the kiosk unit's state in the boot report ("" without a report: dev runs)
    delay_s: float | None = None  # None: the final boot, not cut during work
    submitting: int = 0  # the last "submitting n=K" seen before the cut
    printed: int = 0  # the last "printed n=K" seen before the cut
    problems: str = ""


class LocalBox:
    """drive.py as a process on this machine: power on starts it, a cut is SIGKILL."""

    def __init__(self, work: Path) -> None:
        data = work / "data"
        box_config = (REPO / "images" / "box" / "appliance.toml").read_text(encoding="utf-8")
        config = work / "appliance.toml"
        config.write_text(
            re.sub(r"(?m)^data_dir = .*$", f'data_dir = "{data}"', box_config).replace(
                'backend = "usb"', 'backend = "file"'
            ),
            encoding="utf-8",
        )
        self.env = {**os.environ, "APPLIANCE_CONFIG": str(config)}
        self.log = work / "local-console.log"
        self.log.touch()
        self.process: subprocess.Popen[bytes] | None = None
        self.powered_on_at = self.offset = 0

    def power_on(self) -> None:
        self.offset = self.log.stat().st_size
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(REPO / ".venv" / "bin" / "python"), str(DRIVER / "drive.py")],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
            )

    def cut_power(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def serial_text(self) -> str:
        with self.log.open("rb") as handle:
            handle.seek(self.offset)
            return handle.read().decode("utf-8", "replace")

    def wait_serial(self, pattern: str, timeout_s: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout_s
        while not (match := re.search(pattern, self.serial_text(), re.MULTILINE)):
            if time.monotonic() > deadline:
                raise VmError(
                    f"no {pattern!r} from drive.py after {timeout_s:.0f} s; see {self.log}"
                )
            time.sleep(0.1)
        return match


def test_disk(work: Path) -> Path:
    """The disk boot-report mounts at /run/appliance-test: run and drive.py.

    ext4 made from a folder (mke2fs -d, no mount): a FAT label has at most 11 characters,
    too few for APPLIANCE-TEST.
    """
    files = work / "appliance-test"
    files.mkdir()
    for name in ("run", "drive.py"):
        shutil.copy(DRIVER / name, files / name)
    disk = work / "appliance-test.img"
    subprocess.run(
        [
            "mke2fs",
            "-q",
            "-t",
            "ext4",
            "-O",
            "^has_journal",
            "-L",
            "APPLIANCE-TEST",
            "-d",
            str(files),
            str(disk),
            "4M",
        ],
        check=True,
    )
    return disk


def last_n(text: str, what: str) -> int:
    found = re.findall(rf"{LINE}{what} n=(\d+)", text, re.MULTILINE)
    return int(found[-1]) if found else 0


def boot(box: Box, number: int, timeout_s: float) -> Cycle:
    """Power on and read the driver's check of what the last cut left."""
    started = time.monotonic()
    box.power_on()
    line = box.wait_serial(rf"{LINE}check (.*?)\r?$", timeout_s).group(1)
    ui = re.search(r"BOOT-REPORT round=1 appliance-ui=(\w*)", box.serial_text())
    return Cycle(
        number,
        round(time.monotonic() - started, 1),
        dict(re.findall(r"(\w+)=(\S+)", line)),
        ui.group(1) if ui else "",
    )


def judge(cycle: Cycle, before: Cycle | None, local: bool) -> None:
    """Sound file, nothing half there, nothing lost that was seen printed before the cut.

    No upper bound: lines reach the console through journald, so the box may have stored
    more than the host saw before the cut.
    """
    check, problems = cycle.check, []
    if check.get("quick_check") != "ok":
        problems.append(f"quick_check {check.get('quick_check')}")
    if check.get("partial") != "0" or check.get("audit_chain") != "ok":
        problems.append(f"partial {check.get('partial')} chain {check.get('audit_chain')}")
    if not local and cycle.ui != "active":
        problems.append(f"kiosk {cycle.ui or 'not reported'}")
    if before is not None:
        known, now = int(before.check.get("submissions", 0)), int(check.get("submissions", -1))
        if now < known + before.printed:
            problems.append(f"lost: {now} submissions < {known} + {before.printed} printed")
    cycle.problems = "; ".join(problems)


def run(box: Box, cycles: int, seed: int, boot_timeout_s: float, local: bool) -> list[Cycle]:
    rng = random.Random(seed)
    done: list[Cycle] = []
    for number in range(1, cycles + 2):
        cycle = boot(box, number, boot_timeout_s)
        judge(cycle, done[-1] if done else None, local)
        if number <= cycles:
            box.wait_serial(rf"{LINE}submitting n=1\b", SUBMIT_TIMEOUT_S)
            cycle.delay_s = round(rng.uniform(0, MAX_DELAY_S), 2)
            time.sleep(cycle.delay_s)
        box.cut_power()
        text = box.serial_text()
        cycle.submitting, cycle.printed = last_n(text, "submitting"), last_n(text, "printed")
        done.append(cycle)
        print_row(cycle)
    return done


COLUMNS = (
    "boot",
    "boot_s",
    "delay_s",
    "submitting",
    "printed",
    "submissions",
    "whole",
    "partial",
    "owed_receipts",
    "unoffered",
    "quick_check",
    "ui",
    "problems",
)


def print_row(cycle: Cycle) -> None:
    values = {**asdict(cycle), **cycle.check}
    shown = ["-" if values.get(c) in (None, "") else str(values[c]) for c in COLUMNS]
    print(
        "power-cut: " + " ".join(f"{v:>{len(c)}}" for c, v in zip(COLUMNS, shown, strict=True)),
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("image_dir", type=Path, nargs="?")
    parser.add_argument("work", type=Path)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--dev", action="store_true", help="drive.py on this machine")
    args = parser.parse_args()
    if args.image_dir is None and not args.dev:
        parser.error("IMAGE_DIR is needed unless --dev")
    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(
        f"power-cut: {args.cycles} cycles, seed {args.seed}, cut 0-{MAX_DELAY_S:.0f} s "
        f"after the first submission",
        flush=True,
    )
    print("power-cut: " + " ".join(COLUMNS), flush=True)
    started = time.monotonic()
    try:
        if args.dev:
            cycles = run(LocalBox(work), args.cycles, args.seed, 60, local=True)
        else:
            spec = VmSpec(
                disk=test_copy(args.image_dir / "appliance-amd64.img", work),
                workdir=work,
                extra_args=["-drive", f"file={test_disk(work)},format=raw,if=virtio,readonly=on"],
            )
            with Vm(spec) as vm:
                cycles = run(vm, args.cycles, args.seed, BOOT_TIMEOUT_S + 180, local=False)
    except VmError as error:
        print(f"power-cut: FAIL {error}", flush=True)
        return 1
    final = cycles[-1].check
    failed = [c for c in cycles if c.problems]
    totals = {
        "cuts": len(cycles) - 1,
        "failed_boots": len(failed),
        "seed": args.seed,
        "submissions": int(final.get("submissions", 0)),
        "owed_receipts": int(final.get("owed_receipts", 0)),
        "unoffered": int(final.get("unoffered", 0)),
        "wall_s": round(time.monotonic() - started),
    }
    (work / "summary.json").write_text(
        json.dumps(
            {"totals": totals, "cycles": [asdict(c) for c in cycles]}, ensure_ascii=False, indent=2
        )
    )
    print("power-cut: " + " ".join(f"{k}={v}" for k, v in totals.items()))
    if totals["unoffered"]:
        print(
            "power-cut: WARN stored submissions whose receipt is neither printed, owed nor "
            "in the kept draft (cut between submit and save_draft)"
        )
    print(
        f"power-cut: {'FAIL' if failed else 'ok'} {totals['cuts']} cuts, "
        f"{len(failed)} boots with problems, nothing lost: {not failed}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
