"""The appliance OS recipe: build the reduced root filesystem and self-test inside it.

The Debian base comes from mmdebstrap and is cached by the hash of its recipe under
$APPLIANCE_IMAGE_CACHE (default /var/cache/appliance-image): about a minute cold, then
only the app layer is rebuilt (about 1.5 minutes on 2 cores). Needs root (chroot).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
CACHE = Path(os.environ.get("APPLIANCE_IMAGE_CACHE", "/var/cache/appliance-image"))
SOFTWARE_CHECKS = ("font", "database")
ABSENT_HARDWARE = ("camera", "printer")

pytestmark = [
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("mmdebstrap") is None,
        reason="building a root filesystem needs root and mmdebstrap (make deb installs it)",
    ),
    # Whichever test runs first builds the root (a cold Debian base adds about a minute).
    pytest.mark.timeout(1000),
]


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("image") / "rootfs"
    result = subprocess.run(
        [str(REPO / "images" / "build-rootfs"), "amd64", "reduced", str(root), str(CACHE)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    yield root
    shutil.rmtree(root, ignore_errors=True)


def in_chroot(root: Path, *command: str, user: str = "appliance") -> subprocess.CompletedProcess:
    """Run as ``user`` in the root, with /proc and /dev in a private mount namespace."""
    script = (
        'root=$1; shift; mount -t proc proc "$root/proc" && '
        'mount --rbind /dev "$root/dev" && exec chroot --userspec="$0" "$root" "$@"'
    )
    return subprocess.run(
        [
            "unshare",
            "--mount",
            "--fork",
            "--",
            "sh",
            "-c",
            script,
            f"{user}:{user}",
            str(root),
            *command,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_box_selftest_inside_the_built_root_names_the_missing_hardware(rootfs: Path) -> None:
    """The box's own configuration in a root with no devices: the software is whole (font,
    database), and the camera and printer that are not there are named, not faked."""
    result = in_chroot(
        rootfs, "/opt/appliance/venv/bin/appliance", "selftest", "--offline", "--no-slip"
    )
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    for check in SOFTWARE_CHECKS:
        assert any(line.startswith("ok") and f" {check} " in line for line in lines), check
    for check in ABSENT_HARDWARE:
        assert any(not line.startswith("ok") and f" {check} " in line for line in lines), check
    assert "offline=True" in result.stderr


def test_units_are_enabled_and_verify_in_the_built_tree(rootfs: Path) -> None:
    wants = rootfs / "etc" / "systemd" / "system"
    assert (wants / "graphical.target.wants" / "appliance-ui.service").is_symlink()
    assert (wants / "multi-user.target.wants" / "appliance-sync.service").is_symlink()
    result = subprocess.run(
        [
            "systemd-analyze",
            "verify",
            f"--root={rootfs}",
            "--man=no",
            "appliance-ui.service",
            "appliance-sync.service",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_data_directory_belongs_to_the_kiosk_user_and_its_group(rootfs: Path) -> None:
    data = rootfs / "var" / "lib" / "appliance"
    mode = stat.S_IMODE(data.stat().st_mode)
    assert mode == 0o2770
    group = next(
        line
        for line in (rootfs / "etc" / "group").read_text().splitlines()
        if line.startswith("appliance:")
    )
    assert data.stat().st_gid == int(group.split(":")[2])
    assert "appliance-sync" in group.split(":")[3]


def test_box_configuration_is_the_box_file_with_its_provisioning_key(rootfs: Path) -> None:
    etc = rootfs / "etc" / "appliance"
    box = REPO / "images" / "box" / "appliance.toml"
    assert (etc / "appliance.toml").read_text(encoding="utf-8") == box.read_text(encoding="utf-8")
    assert (etc / "provisioning.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert (etc / "kivy-input.ini").is_file()
    assert list((rootfs / "usr" / "lib" / "udev" / "rules.d").glob("70-appliance-*.rules"))


def test_app_has_its_own_venv_without_development_tools(rootfs: Path) -> None:
    site = next((rootfs / "opt" / "appliance" / "venv" / "lib").glob("python3*/site-packages"))
    assert (site / "appliance").is_dir() and (site / "kivy").is_dir()
    assert not (site / "pytest").exists() and not (site / "ruff").exists()


def test_no_development_module_is_in_the_built_root(rootfs: Path) -> None:
    """The box runs the runtime package only: the simulators, the development branch server,
    the demo and the data generators (``appliance_dev``) are neither installed nor
    importable, and the ``appliance`` command offers none of their commands."""
    venv = rootfs / "opt" / "appliance" / "venv"
    found = [str(p.relative_to(rootfs)) for p in venv.rglob("appliance_dev*")]
    assert found == []
    installed = venv / "lib" / "python3.11" / "site-packages" / "appliance"
    assert installed.is_dir()
    assert not [p.name for p in installed.iterdir() if p.name in ("sim", "devserver", "datagen")]
    probe = (
        "import importlib.util, sys; "
        "sys.exit(importlib.util.find_spec('appliance_dev') is not None)"
    )
    result = in_chroot(rootfs, "/opt/appliance/venv/bin/python", "-c", probe)
    assert result.returncode == 0, result.stderr[-2000:]
    usage = in_chroot(rootfs, "/opt/appliance/venv/bin/appliance", "--help").stdout
    commands = set(usage[usage.index("{") + 1 : usage.index("}")].split(","))
    assert "selftest" in commands
    assert commands.isdisjoint({"demo", "branch-server", "devserver", "usb"})
