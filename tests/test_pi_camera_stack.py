"""The Pi camera stack on 系统诊断: what a CSI camera would need on an arm64 box, named when
missing (Python modules, the kernel's receiver and ISP drivers); nothing on amd64."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.hardware.camera import pi_stack
from appliance.hardware.camera.pi_stack import PYTHON_PARTS, pi_camera_stack
from appliance.ui import diagnostics
from appliance.wording import ZH


def video4linux(tmp_path: Path, *names: str) -> Path:
    for index, name in enumerate(names):
        node = tmp_path / f"video{index}"
        node.mkdir()
        (node / "name").write_text(name + "\n")
    return tmp_path


def every_module(_name: str) -> object:
    return object()


def test_debian_kernel_pi_lacks_the_receiver_and_the_isp(tmp_path: Path) -> None:
    """What the arm64 image meets on a Pi 4: the Python half there, a UVC camera, no
    unicam and no bcm2835-isp (Debian's kernel builds neither)."""
    stack = pi_camera_stack(video4linux(tmp_path, "UVC Camera (046d:0825)"), every_module)
    assert stack.missing_modules == ()
    assert stack.missing_drivers == ("unicam", "bcm2835-isp")
    assert not stack.usable


def test_raspberry_pi_kernel_with_every_module_is_usable(tmp_path: Path) -> None:
    names = ("unicam-image", "unicam-embedded", "bcm2835-isp-output0", "bcm2835-isp-capture1")
    stack = pi_camera_stack(video4linux(tmp_path, *names), every_module)
    assert stack.usable


def test_pi5_receiver_and_isp_count_too(tmp_path: Path) -> None:
    stack = pi_camera_stack(video4linux(tmp_path, "rp1-cfe-csi2_ch0", "pispbe-input"), every_module)
    assert stack.usable


def test_missing_python_parts_are_named(tmp_path: Path) -> None:
    stack = pi_camera_stack(
        video4linux(tmp_path, "unicam-image", "bcm2835-isp-output0"),
        lambda name: None if name in ("libcamera", "pidng") else object(),
    )
    assert stack.missing_modules == ("libcamera", "pidng")
    assert set(stack.missing_modules) <= set(PYTHON_PARTS)


def test_diagnostics_says_nothing_about_a_pi_camera_off_arm64() -> None:
    assert diagnostics.pi_camera_lines("x86_64") == []


def test_diagnostics_names_the_missing_drivers_on_a_pi(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pi_stack, "VIDEO4LINUX", video4linux(tmp_path, "UVC Camera"))
    monkeypatch.setattr(
        diagnostics,
        "pi_camera_stack",
        lambda: pi_camera_stack(pi_stack.VIDEO4LINUX, every_module),
    )
    [line] = diagnostics.pi_camera_lines("aarch64")
    assert line == ZH["diagnostics.pi_camera_missing"].format(missing="unicam / bcm2835-isp")
    assert "USB" in line


def test_every_python_part_comes_from_the_lock_from_debian_or_is_the_stand_in() -> None:
    """pi_stack's list, images/pi-camera.lock, the modules build-rootfs links from Debian's
    packages and the pykms stand-in name the same parts (module names equal the
    distributions' here)."""
    repo = Path(__file__).resolve().parents[1]
    lock = (repo / "images" / "pi-camera.lock").read_text()
    locked = {line.split("==")[0] for line in lock.splitlines() if "==" in line}
    build = (repo / "images" / "build-rootfs").read_text()
    linked = {"libcamera", "prctl"}
    for module in linked:
        assert f'"$os_python/{module}' in build, module
    stand_ins = {p.stem for p in (repo / "images" / "pi-camera").glob("*.py")}
    assert '"$here/pi-camera/pykms.py"' in build
    assert locked | linked | stand_ins == set(PYTHON_PARTS)
    assert len(locked) + len(linked) + len(stand_ins) == len(PYTHON_PARTS)


def test_pykms_stand_in_names_anything_and_raises_when_used() -> None:
    """What picamera2's drm_preview does at import (names only) works; using it fails."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "images" / "pi-camera" / "pykms.py"
    spec = importlib.util.spec_from_file_location("pykms_stand_in", path)
    assert spec is not None and spec.loader is not None
    pykms = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pykms)
    formats = {"RGB888": pykms.PixelFormat.RGB888, "YUV420": pykms.PixelFormat.YUV420}
    assert "unavailable" in repr(formats["RGB888"])
    with pytest.raises(RuntimeError, match="not on this image"):
        pykms.Card()
    with pytest.raises(AttributeError):
        pykms.__path__  # noqa: B018 (not a package)
