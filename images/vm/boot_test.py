"""The boot test: the built disk image booted in QEMU and checked only from the outside.

    .venv/bin/python images/vm/boot_test.py IMAGE_DIR WORK_DIR [--no-updates]
    (make boot-test; BOOT_TEST_ARGS=--no-updates skips step 4, about 17 min under TCG)

A sparse copy of the image gets a serial console, the boot report unit
(images/vm/appliance-boot-report.service) and the kernel's vivid test camera on its
kernel command line; nothing else differs from what ships. Then, as branch IT would
meet the box:
  1. power on a box that was never set up: no failed unit, read-only root, data partition
     and persistent journal mounted, kiosk and sync active, watchdog armed, database
     shared, and the screen shows 设备初始化;
  2. plug in a USB stick with a signed provisioning bundle: the box applies it and the
     kiosk shows the key login screen with 未检测到电子钥匙;
  3. pull the power and boot again: still provisioned, straight to the login screen;
  4. field updates from USB sticks (update_test.py): refused bundles,
     a power cut while the spare slot is written, a good update blessed, a bad one
     rolled back by itself.
Screenshots and a summary land in WORK_DIR; the exit status is the verdict.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qemu import Vm, VmError, VmSpec  # noqa: E402
from screen_text import MATCH, load_grey, shows  # noqa: E402
from serial_printer import SerialPrinter  # noqa: E402
from update_test import run_updates  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
APPLIANCE = REPO / ".venv" / "bin" / "appliance"
ESP_OFFSET = "1M"  # build-image puts the ESP at 1 MiB
TEST_OPTIONS = "console=ttyS0,115200 systemd.wants=appliance-boot-report.service modules-load=vivid"
BOOT_TIMEOUT_S = 420
PROVISION_TIMEOUT_S = 240
SETUP_SCREEN = ("设备初始化",)
LOGIN_SCREEN = ("电子钥匙登录", "未检测到电子钥匙")
PRINTER_READY = ("打印机：就绪",)


@dataclass
class Outcome:
    checks: list[tuple[str, bool, str]]
    figures: dict[str, float]

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))
        print(f"boot-test: {'ok  ' if ok else 'FAIL'} {name} {detail}", flush=True)


def test_copy(image: Path, work: Path) -> Path:
    """A sparse copy whose loader entries add only the test's kernel options."""
    disk = work / "box.img"
    subprocess.run(["cp", "--sparse=always", str(image), str(disk)], check=True)
    target = f"{disk}@@{ESP_OFFSET}"
    listing = subprocess.run(
        ["mdir", "-b", "-i", target, "::/loader/entries"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for entry in (line for line in listing if line.endswith(".conf")):
        text = subprocess.run(
            ["mtype", "-i", target, entry], check=True, capture_output=True, text=True
        ).stdout
        patched = re.sub(r"^(options .*)$", rf"\1 {TEST_OPTIONS}", text, flags=re.MULTILINE)
        local = work / Path(entry).name
        local.write_text(patched)
        subprocess.run(["mcopy", "-o", "-i", target, str(local), entry], check=True)
    return disk


def provisioning_stick(work: Path) -> Path:
    """A FAT stick holding a bundle signed with the key the image trusts."""
    keys = REPO / "var" / "keys"
    files = work / "provisioning"
    files.mkdir(exist_ok=True)
    (files / "client-secret").write_text("boot-test-client-secret\n")
    for name, subject in (
        ("ca-bundle.pem", "/CN=Boot test branch CA"),
        ("trusted-ca.pem", "/CN=Boot test key CA"),
    ):
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "30",
                "-subj",
                subject,
                "-keyout",
                str(files / f"{name}.key"),
                "-out",
                str(files / name),
            ],
            check=True,
            capture_output=True,
        )
    bundle = work / "appliance-provision.bundle"
    subprocess.run(
        [
            str(APPLIANCE),
            "provision",
            "make-bundle",
            "--config",
            str(REPO / "images" / "box" / "appliance.toml"),
            "--key",
            str(keys / "provisioning-dev.pem"),
            "--hall",
            "广东省网上办事大厅中山分厅",
            "--window",
            "12",
            "--url",
            "http://10.0.2.100:8750",
            "--client-id",
            "zs-window-12",
            "--secret-file",
            str(files / "client-secret"),
            "--ca-bundle",
            str(files / "ca-bundle.pem"),
            "--trusted-ca",
            str(files / "trusted-ca.pem"),
            "--printer-backend",
            "serial",
            "--serial-port",
            "/dev/ttyUSB0",
            "--baudrate",
            "115200",
            "--serial",
            str(int(time.time())),
            "-o",
            str(bundle),
        ],
        check=True,
    )
    stick = work / "stick.img"
    stick.unlink(missing_ok=True)
    subprocess.run(
        ["mkfs.vfat", "-n", "PROVISION", "-C", str(stick), "16384"], check=True, capture_output=True
    )
    subprocess.run(
        ["mcopy", "-i", str(stick), str(bundle), "::/appliance-provision.bundle"], check=True
    )
    return stick


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


def check_box(outcome: Outcome, facts: dict[str, str], when: str) -> None:
    outcome.check(f"{when}: no failed unit", facts.get("failed") == "", facts.get("failed", "?"))
    outcome.check(
        f"{when}: system running", facts.get("state") == "running", facts.get("state", "?")
    )
    options = facts.get("root_options", "").split(",")
    outcome.check(f"{when}: root read-only", "ro" in options, facts.get("root_options", ""))
    outcome.check(
        f"{when}: data partition mounted",
        facts.get("data_source", "").endswith(("vda4", "data")),
        facts.get("data_source", ""),
    )
    outcome.check(
        f"{when}: journal on the data partition",
        "/var/log/journal" in facts.get("journal", ""),
        facts.get("journal", ""),
    )
    for unit in ("appliance-ui", "appliance-sync"):
        outcome.check(f"{when}: {unit} active", facts.get(unit) == "active", facts.get(unit, ""))
    outcome.check(
        f"{when}: kiosk watchdog armed",
        facts.get("ui_watchdog_usec", "0") not in ("0", "infinity", "")
        and int(facts.get("ui_watchdog_armed", "0") or 0) > 0,
        f"{facts.get('ui_watchdog_usec')} armed={facts.get('ui_watchdog_armed')}",
    )
    modes = facts.get("db_modes", "")
    outcome.check(
        f"{when}: database files 0660 in group appliance",
        bool(modes)
        and all(
            m.split(":")[1] == "660" and m.split(":")[3] == "appliance" for m in modes.split(",")
        ),
        modes,
    )
    outcome.check(
        f"{when}: data directory 2770",
        facts.get("data_dir_mode", "").startswith("2770:appliance:appliance"),
        facts.get("data_dir_mode", ""),
    )
    outcome.check(
        f"{when}: vivid camera present",
        "/dev/video" in facts.get("video", ""),
        facts.get("video", ""),
    )


def boot_checked(
    vm: Vm, outcome: Outcome, screen: tuple[str, ...], png: Path, when: str
) -> tuple[float, dict[str, str]]:
    """Power on, wait for ``screen``, check the box's first report; (seconds, facts)."""
    vm.power_on()
    seconds = wait_screen(vm, screen, png, BOOT_TIMEOUT_S)
    facts = report(vm, 1, BOOT_TIMEOUT_S)
    check_box(outcome, facts, when)
    return seconds, facts


def run(image_dir: Path, work: Path, updates: bool) -> Outcome:
    outcome = Outcome([], {})
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    disk = test_copy(image_dir / "appliance-amd64.img", work)
    printer = SerialPrinter(work / "printer.sock")
    try:
        with Vm(VmSpec(disk=disk, workdir=work, serial_printer_socket=printer.path)) as vm:
            seconds, facts = boot_checked(
                vm, outcome, SETUP_SCREEN, work / "1-setup-screen.png", "first boot"
            )
            outcome.figures["power_on_to_setup_screen_s"] = seconds
            outcome.check("first boot: not provisioned", facts.get("provisioned") == "no")

            stick = provisioning_stick(work)
            plugged = time.monotonic()
            vm.plug_usb_stick(stick)
            wait_screen(
                vm, LOGIN_SCREEN, work / "2-login-after-provisioning.png", PROVISION_TIMEOUT_S
            )
            outcome.figures["stick_to_login_screen_s"] = time.monotonic() - plugged
            facts = report(vm, 2, PROVISION_TIMEOUT_S, provisioned)
            check_box(outcome, facts, "provisioned")
            outcome.check("provisioned: site file written", facts.get("provisioned") == "yes")
            outcome.check(
                "provisioned: USB-serial printer port present",
                facts.get("tty_usb") == "/dev/ttyUSB0",
                facts.get("tty_usb", ""),
            )
            wait_screen(vm, PRINTER_READY, work / "2b-printer-ready.png", PROVISION_TIMEOUT_S)
            outcome.check(
                "provisioned: printer answers status through ftdi_sio",
                printer.status_queries > 0,
                f"{printer.status_queries} DLE EOT queries",
            )
            vm.pull_usb_stick()

            vm.cut_power()
            seconds, facts = boot_checked(
                vm, outcome, LOGIN_SCREEN, work / "3-login-after-power-cut.png", "second boot"
            )
            outcome.figures["power_on_to_login_screen_s"] = seconds
            outcome.check("second boot: still provisioned", facts.get("provisioned") == "yes")
            if updates:
                run_updates(
                    vm, work, image_dir, outcome, report, wait_screen, LOGIN_SCREEN, BOOT_TIMEOUT_S
                )
    finally:
        printer.close()
    return outcome


def main() -> int:
    image_dir, work = Path(sys.argv[1]), Path(sys.argv[2])
    started = time.monotonic()
    try:
        outcome = run(image_dir, work, updates="--no-updates" not in sys.argv[3:])
    except VmError as error:
        print(f"boot-test: FAIL {error}", flush=True)
        return 1
    outcome.figures["wall_s"] = time.monotonic() - started
    (work / "summary.json").write_text(
        json.dumps(
            {"checks": outcome.checks, "figures": outcome.figures}, ensure_ascii=False, indent=2
        )
    )
    for name, value in outcome.figures.items():
        print(f"boot-test: {name:<32} {value:7.1f}")
    failed = [name for name, ok, _ in outcome.checks if not ok]
    print(f"boot-test: {len(outcome.checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
