"""The boot test: the built disk image booted in QEMU and checked only from the outside.

    .venv/bin/python images/vm/boot_test.py [--arch amd64|arm64] IMAGE_DIR WORK_DIR [--no-updates]
    (make boot-test [ARCH=arm64]; BOOT_TEST_ARGS=--no-updates skips step 4, about 17 min
    under TCG)

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

arm64 (the Raspberry Pi image) boots in QEMU's ``virt`` machine: QEMU has no Pi firmware,
so the kernel, initrd and cmdline.txt of the image's boot-a partition, what the Pi's
firmware would load, are booted directly (qemu.py). Steps 1 to 3 are the same, plus
picamera2 imported in the booted box; step 4 is amd64 only (the Pi's tryboot switch has
no installer yet, images/README.md).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from boot_report import provisioned, report, serving, wait_screen  # noqa: E402
from outcome import Outcome  # noqa: E402
from qemu import Vm, VmError, VmSpec  # noqa: E402
from serial_printer import SerialPrinter  # noqa: E402
from update_test import run_updates  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
APPLIANCE = REPO / ".venv" / "bin" / "appliance"
ESP_OFFSET = "1M"  # build-image puts the ESP at 1 MiB
TEST_OPTIONS = "console=ttyS0,115200 systemd.wants=appliance-boot-report.service modules-load=vivid"
# arm64: the virt machine's serial port is a PL011.
TEST_OPTIONS_ARM64 = TEST_OPTIONS.replace("console=ttyS0", "console=ttyAMA0")
DATA_DEVICE = {"amd64": "vda4", "arm64": "vda6"}  # build-image's partition order
BOOT_TIMEOUT_S = 420
PROVISION_TIMEOUT_S = 240
SETUP_SCREEN = ("设备初始化",)
LOGIN_SCREEN = ("电子钥匙登录", "未检测到电子钥匙")
PRINTER_READY = ("打印机：就绪",)


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


def partition_offset(disk: Path, name: str) -> int:
    """Byte offset of the GPT partition called ``name``."""
    table = json.loads(
        subprocess.run(["sfdisk", "-J", str(disk)], check=True, capture_output=True).stdout
    )["partitiontable"]
    sector = table.get("sectorsize", 512)
    for part in table["partitions"]:
        if part.get("name") == name:
            return int(part["start"]) * sector
    raise VmError(f"{disk} has no partition {name}")


def arm64_boot(image: Path, work: Path) -> tuple[Path, Path, Path, str]:
    """A sparse copy, and what the Pi firmware would boot from its boot-a partition: the
    kernel, the initrd and cmdline.txt, with only the test's options added."""
    disk = work / "box.img"
    subprocess.run(["cp", "--sparse=always", str(image), str(disk)], check=True)
    target = f"{disk}@@{partition_offset(disk, 'boot-a')}"
    files = {}
    for name in ("vmlinuz", "initrd.img", "cmdline.txt"):
        files[name] = work / f"boot-a-{name}"
        subprocess.run(["mcopy", "-o", "-i", target, f"::/{name}", str(files[name])], check=True)
    cmdline = " ".join(files["cmdline.txt"].read_text().split())
    return disk, files["vmlinuz"], files["initrd.img"], f"{cmdline} {TEST_OPTIONS_ARM64}"


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


def check_box(
    outcome: Outcome, facts: dict[str, str], when: str, data_device: str = "vda4"
) -> None:
    outcome.check(f"{when}: no failed unit", facts.get("failed") == "", facts.get("failed", "?"))
    outcome.check(
        f"{when}: system running", facts.get("state") == "running", facts.get("state", "?")
    )
    options = facts.get("root_options", "").split(",")
    outcome.check(f"{when}: root read-only", "ro" in options, facts.get("root_options", ""))
    outcome.check(
        f"{when}: data partition mounted",
        facts.get("data_source", "").endswith((data_device, "data")),
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
    facts = report(vm, 1, BOOT_TIMEOUT_S, serving)
    check_box(outcome, facts, when, DATA_DEVICE[vm.spec.arch])
    if vm.spec.arch == "arm64":
        outcome.check(f"{when}: arm64 userland", facts.get("machine") == "aarch64")
        outcome.check(
            f"{when}: picamera2 imports in the box",
            facts.get("picamera2", "").startswith("imports"),
            facts.get("picamera2", ""),
        )
    return seconds, facts


def box_spec(arch: str, image_dir: Path, work: Path, printer: SerialPrinter) -> VmSpec:
    if arch == "arm64":
        disk, kernel, initrd, append = arm64_boot(image_dir / "appliance-arm64.img", work)
        return VmSpec(
            disk=disk,
            workdir=work,
            serial_printer_socket=printer.path,
            arch=arch,
            kernel=kernel,
            initrd=initrd,
            append=append,
        )
    disk = test_copy(image_dir / "appliance-amd64.img", work)
    return VmSpec(disk=disk, workdir=work, serial_printer_socket=printer.path)


def run(image_dir: Path, work: Path, updates: bool, arch: str = "amd64") -> Outcome:
    outcome = Outcome([], {})
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    printer = SerialPrinter(work / "printer.sock")
    try:
        with Vm(box_spec(arch, image_dir, work, printer)) as vm:
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
            check_box(outcome, facts, "provisioned", DATA_DEVICE[arch])
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
            if updates and arch == "amd64":
                run_updates(vm, work, image_dir, outcome, LOGIN_SCREEN, BOOT_TIMEOUT_S)
    finally:
        printer.close()
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arch", choices=("amd64", "arm64"), default="amd64")
    parser.add_argument("image_dir", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--no-updates", action="store_true", help="skip the field updates")
    args = parser.parse_args()
    work = args.work
    started = time.monotonic()
    try:
        outcome = run(args.image_dir, work, not args.no_updates, args.arch)
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
