"""The systemd units: they verify, and their hardening keeps the hardware reachable."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

SYSTEMD = Path(__file__).parent.parent / "systemd"
UNITS = sorted(p for p in SYSTEMD.iterdir() if p.suffix in (".service", ".timer"))
APP = "/opt/appliance/venv/bin/appliance"
BOOTCTL = "/usr/bin/bootctl"
USB_STICK = "/usr/lib/appliance/usb-stick"
BOOT_CHECK = "/usr/lib/appliance/boot-check"


def unit(name: str) -> dict[str, list[str]]:
    """``section.Key`` → every value of that key (units repeat keys such as DeviceAllow)."""
    values: dict[str, list[str]] = {}
    section = ""
    for line in (SYSTEMD / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(f"{section}.{key}", []).append(value)
    return values


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_every_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """Binaries only the image has (the app, bootctl) are stubbed; the image build verifies
    the units again against its own tree (images/build-rootfs)."""
    copies = []
    for path in UNITS:
        text = path.read_text(encoding="utf-8")
        for binary in (APP, BOOTCTL, USB_STICK, BOOT_CHECK):
            if not Path(binary).exists():
                stub = tmp_path / Path(binary).name
                stub.write_text("#!/bin/sh\n")
                stub.chmod(0o755)
                text = text.replace(binary, str(stub))
        copy = tmp_path / path.name
        copy.write_text(text)
        copies.append(str(copy))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *copies],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "appliance" not in result.stderr, result.stderr


def test_ui_unit_is_notify_with_watchdog_and_restarts() -> None:
    ui = unit("appliance-ui.service")
    assert ui["Service.Type"] == ["notify"]
    assert ui["Service.WatchdogSec"]
    assert ui["Service.Restart"] == ["always"]
    assert float(ui["Service.RestartSec"][0].rstrip("s")) >= 2
    assert ui["Unit.StartLimitIntervalSec"] and ui["Unit.StartLimitBurst"]


def test_ui_unit_reaches_the_hardware_without_private_devices() -> None:
    ui = unit("appliance-ui.service")
    assert "Service.PrivateDevices" not in ui
    assert ui["Service.DevicePolicy"] == ["closed"]
    allowed = {value.split()[0] for value in ui["Service.DeviceAllow"]}
    assert {
        "char-drm",
        "char-input",
        "char-video4linux",
        "char-usb_device",
        "char-usb",
        "/dev/tty1",
    } <= allowed
    assert ui["Service.ProtectSystem"] == ["strict"]
    assert ui["Service.ReadWritePaths"] == ["/var/lib/appliance"]
    assert ui["Service.NoNewPrivileges"] == ["yes"]


def test_ui_user_has_every_group_the_udev_rules_grant() -> None:
    rules = " ".join(
        p.read_text(encoding="utf-8")
        for p in (SYSTEMD.parent / "firmware-config" / "udev").glob("*.rules")
    )
    granted = {word.split('"')[1] for word in rules.split() if word.startswith("GROUP=")}
    groups = set(unit("appliance-ui.service")["Service.SupplementaryGroups"][0].split())
    assert granted <= groups
    sysusers = (SYSTEMD / "appliance.sysusers.conf").read_text(encoding="utf-8")
    assert all(f"m appliance {group}" in sysusers for group in groups)


def test_sync_unit_waits_for_the_network_and_restarts_on_failure() -> None:
    sync = unit("appliance-sync.service")
    assert sync["Service.ExecStart"] == [f"{APP} sync"]
    assert "network-online.target" in sync["Unit.After"][0]
    assert "network-online.target" in sync["Unit.Wants"][0]
    assert sync["Service.Restart"] == ["on-failure"]


def test_data_directory_is_shared_by_group_and_closed_to_others() -> None:
    tmpfiles = (SYSTEMD / "appliance.tmpfiles.conf").read_text(encoding="utf-8")
    line = next(x for x in tmpfiles.splitlines() if x.startswith("d /var/lib/appliance "))
    _kind, _path, mode, user, group, _age = line.split()
    assert (mode, user, group) == ("2770", "appliance", "appliance")
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string((SYSTEMD / "appliance-sync.service").read_text(encoding="utf-8"))
    assert parser["Service"]["UMask"] == "0007"


def test_boot_is_blessed_only_after_the_kiosk_and_the_sync_started() -> None:
    """boot-complete.target requires the check, which runs after both services; no
    timer blesses a slot by time alone (issue 16)."""
    check = unit("appliance-boot-check.service")
    assert check["Service.Type"] == ["oneshot"]
    assert check["Service.RemainAfterExit"] == ["yes"]
    assert set(check["Unit.After"][0].split()) == {"appliance-ui.service", "appliance-sync.service"}
    assert check["Unit.Before"] == ["boot-complete.target"]
    assert check["Install.RequiredBy"] == ["boot-complete.target"]
    assert check["Service.ExecStart"] == [BOOT_CHECK]
    script = (SYSTEMD / "boot-check").read_text(encoding="utf-8")
    assert script.startswith("#!/bin/sh\n")
    for needed in (
        "systemctl is-active appliance-ui.service",
        "NRestarts",
        "LoaderBootCountPath-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f",
        "systemctl --no-block reboot",
    ):
        assert needed in script
    assert not [p.name for p in SYSTEMD.iterdir() if p.suffix == ".timer"]


def test_update_status_is_written_by_root_after_the_bless_for_the_services() -> None:
    status = unit("appliance-update-status.service")
    assert status["Service.Type"] == ["oneshot"]
    assert "User" not in " ".join(status)  # root: only root reads the ESP
    assert {"boot-complete.target", "systemd-bless-boot.service"} <= set(
        status["Unit.After"][0].split()
    )
    assert status["Service.ExecStart"] == [f"{APP} update status --write"]
    assert status["Install.WantedBy"] == ["multi-user.target"]
    tmpfiles = (SYSTEMD / "appliance.tmpfiles.conf").read_text(encoding="utf-8")
    line = next(x for x in tmpfiles.splitlines() if x.startswith("d /var/lib/appliance/updates "))
    assert line.split()[2:5] == ["2750", "root", "appliance"]


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")
@pytest.mark.parametrize(
    ("ui", "restarts", "code", "said"),
    [
        ("active", "0", 0, "good"),
        ("activating", "3", 1, "restarted 3 times"),
        ("activating", "0", 1, "not ready after"),
    ],
)
def test_boot_check_script_passes_only_a_ready_kiosk(
    tmp_path: Path, ui, restarts, code, said
) -> None:
    """The script against a fake systemctl (no EFI variable here: it never reboots)."""
    fake = tmp_path / "systemctl"
    fake.write_text(f"""#!/bin/sh
case "$*" in
  "is-active appliance-ui.service") echo {ui} ;;
  "is-active appliance-sync.service") echo active ;;
  "show -P NRestarts appliance-ui.service") echo {restarts} ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac
""")
    fake.chmod(0o755)
    result = subprocess.run(
        ["sh", str(SYSTEMD / "boot-check")],
        capture_output=True,
        text=True,
        timeout=20,
        env={"PATH": f"{tmp_path}:/usr/bin:/bin", "BOOT_CHECK_TIMEOUT": "0"},
    )
    assert result.returncode == code, result.stderr
    assert said in result.stdout + result.stderr
    assert "unexpected" not in result.stderr
