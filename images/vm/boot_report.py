"""The box's own account of a boot, read from the serial console, and its screen.

``appliance-boot-report.service`` prints ``BOOT-REPORT round=N key=value`` lines once the
boot has settled, and again (round N+1) each time the kiosk restarts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from qemu import Vm, VmError
from screen_text import MATCH, load_grey, shows


def report_blocks(text: str, first_round: int) -> list[dict[str, str]]:
    """Every complete report of round ``first_round`` or later in ``text``, oldest first.
    A round is a boot, or a restart of the kiosk (by provisioning, or by its watchdog on a
    starved machine), so a later round than expected is still an answer."""
    blocks, partial = [], {}
    for round_, key, value in re.findall(
        r"BOOT-REPORT round=(\d+) ([\w-]+)=(.*?)\r?$", text, re.MULTILINE
    ):
        if int(round_) < first_round:
            continue
        facts = partial.setdefault(round_, {})
        facts[key] = value
        if key == "done":
            blocks.append(partial.pop(round_))
    return blocks


def report(
    vm: Vm,
    first_round: int,
    timeout_s: float,
    want: Callable[[dict[str, str]], bool] = lambda _facts: True,
) -> dict[str, str]:
    """The newest complete report of ``first_round`` or later that ``want`` accepts; after
    the timeout the newest one there is (the checks then say what is wrong), or VmError."""
    deadline = time.monotonic() + timeout_s
    while True:
        vm.supervise()
        blocks = report_blocks(vm.serial_text(), first_round)
        if blocks and want(blocks[-1]):
            return blocks[-1]
        if time.monotonic() > deadline:
            if blocks:
                return blocks[-1]
            raise VmError(
                f"no boot report round {first_round} or later after "
                f"{timeout_s:.0f} s; see {vm.serial_log}"
            )
        time.sleep(2)


def provisioned(facts: dict[str, str]) -> bool:
    return facts.get("provisioned") == "yes"


def serving(facts: dict[str, str]) -> bool:
    """A boot whose kiosk runs: trial boots of a bad update report too, before they end."""
    return facts.get("appliance-ui") == "active"


def wait_screen(vm: Vm, texts: tuple[str, ...], png: Path, timeout_s: float) -> float:
    """Seconds since power-on when every text is on screen; the last look is kept as png."""
    deadline = time.monotonic() + timeout_s
    while True:
        missing = shows(load_grey(vm.screendump(png)), *texts)
        if not missing:
            return vm.seconds_since_power_on()
        if time.monotonic() > deadline:
            best = ", ".join(f"{m.text} {m.score:.2f}" for m in missing)
            raise VmError(
                f"screen never showed {texts} (best match {best} < {MATCH}); last screen {png}"
            )
        time.sleep(2)
