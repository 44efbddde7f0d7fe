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
PROVISION_FROM_USB = "/usr/lib/appliance/provision-from-usb"


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
        for binary in (APP, BOOTCTL, PROVISION_FROM_USB):
            if not Path(binary).exists():
                stub = tmp_path / Path(binary).name
                stub.write_text("#!/bin/sh\n")
                stub.chmod(0o755)
                text = text.replace(binary, str(stub))
        copy = tmp_path / path.name
        copy.write_text(text)
        copies.append(str(copy))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *copies],
                            capture_output=True, text=True, timeout=60)
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
    assert {"char-drm", "char-input", "char-video4linux", "char-usb_device",
            "char-usb", "/dev/tty1"} <= allowed
    assert ui["Service.ProtectSystem"] == ["strict"]
    assert ui["Service.ReadWritePaths"] == ["/var/lib/appliance"]
    assert ui["Service.NoNewPrivileges"] == ["yes"]


def test_ui_user_has_every_group_the_udev_rules_grant() -> None:
    rules = " ".join(p.read_text(encoding="utf-8")
                     for p in (SYSTEMD.parent / "firmware-config" / "udev").glob("*.rules"))
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
