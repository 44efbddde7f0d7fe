"""The V4L2 camera with no device configured: the first capture device found, UVC first.

Discovery reads a fake sysfs tree in tmp_path (the node names and driver links the kernel
makes) with a fake capability reader standing in for the VIDIOC_QUERYCAP ioctl, whose
struct is decoded by the same code the ioctl result goes through.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest
from appliance_dev.sim.replay_camera import TICKETS_DIR

from appliance.config import DEV_CONFIG, parse_config
from appliance.hardware.camera.port import CameraStatus
from appliance.hardware.camera.v4l2_camera import V4l2Camera
from appliance.hardware.camera.v4l2_discovery import (
    V4L2_CAP_DEVICE_CAPS,
    V4L2_CAP_VIDEO_CAPTURE,
    captures_video,
    find_capture_device,
    parse_capability,
    query_capture,
    video_nodes,
)
from appliance.wiring import build_camera
from tests.waiting import wait_until

V4L2_CAP_VIDEO_OUTPUT = 0x2
V4L2_CAP_META_CAPTURE = 0x00800000
V4L2_CAP_STREAMING = 0x04000000


class FakeSysfs:
    """/sys/class/video4linux and /dev in tmp_path: nodes with their driver and capture bit."""

    def __init__(self, root: Path) -> None:
        self.sysfs = root / "sys" / "class" / "video4linux"
        self.drivers = root / "sys" / "bus" / "drivers"
        self.dev = root / "dev"
        self.sysfs.mkdir(parents=True)
        self.dev.mkdir()
        self.capture: set[Path] = set()

    def add(self, name: str, driver: str | None, capture: bool) -> None:
        device = self.sysfs.parent.parent / "devices" / name
        device.mkdir(parents=True)
        if driver is not None:
            (self.drivers / driver).mkdir(parents=True, exist_ok=True)
            os.symlink(self.drivers / driver, device / "driver")
        node = self.sysfs / name
        node.mkdir()
        os.symlink(device, node / "device")
        (node / "name").write_text(f"{driver} {name}\n")
        if capture:
            self.capture.add(self.dev / name)

    def find(self) -> Path | None:
        return find_capture_device(self.sysfs, self.dev, lambda path: path in self.capture)


@pytest.fixture
def sysfs(tmp_path: Path) -> FakeSysfs:
    return FakeSysfs(tmp_path)


def test_a_uvc_camera_wins_over_an_earlier_capture_device_of_another_driver(
    sysfs: FakeSysfs,
) -> None:
    sysfs.add("video0", "vivid", capture=True)
    sysfs.add("video2", "uvcvideo", capture=True)
    sysfs.add("video3", "uvcvideo", capture=False)  # the UVC camera's metadata node
    assert sysfs.find() == sysfs.dev / "video2"


def test_without_uvc_the_first_capture_node_is_chosen_as_with_vivid(sysfs: FakeSysfs) -> None:
    sysfs.add("video1", "vivid", capture=False)  # vivid's video output node
    sysfs.add("video10", "vivid", capture=True)
    sysfs.add("video2", "vivid", capture=True)
    sysfs.add("vbi0", "vivid", capture=True)  # not a video node
    sysfs.add("radio0", "vivid", capture=False)
    assert sysfs.find() == sysfs.dev / "video2"


def test_no_capture_node_or_no_v4l2_at_all_finds_nothing(sysfs: FakeSysfs, tmp_path: Path) -> None:
    sysfs.add("video0", "uvcvideo", capture=False)
    sysfs.add("v4l-subdev0", None, capture=True)
    assert sysfs.find() is None
    assert find_capture_device(tmp_path / "no-sysfs", sysfs.dev, lambda _p: True) is None


def test_a_node_whose_driver_is_unbound_still_counts_as_a_capture_device(sysfs: FakeSysfs) -> None:
    sysfs.add("video0", None, capture=True)
    [node] = video_nodes(sysfs.sysfs, sysfs.dev, lambda path: path in sysfs.capture)
    assert node.driver is None and node.captures_video
    assert sysfs.find() == sysfs.dev / "video0"


def querycap_reply(driver: bytes, capabilities: int, device_caps: int) -> bytes:
    return struct.pack(
        "=16s32s32sIII12x",
        driver,
        b"Camera",
        b"usb-0000:00:14.0-1",
        0x060100,
        capabilities,
        device_caps,
    )


def test_querycap_reply_is_decoded_and_device_caps_describe_the_node() -> None:
    every_node = V4L2_CAP_DEVICE_CAPS | V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_META_CAPTURE
    meta_node = querycap_reply(b"uvcvideo", every_node, V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING)
    driver, capabilities, device_caps = parse_capability(meta_node)
    assert driver == "uvcvideo"
    assert not captures_video(capabilities, device_caps)
    video_node = querycap_reply(b"vivid", every_node, V4L2_CAP_VIDEO_CAPTURE)
    assert captures_video(*parse_capability(video_node)[1:])
    old_driver = querycap_reply(b"old", V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_OUTPUT, 0)
    assert captures_video(*parse_capability(old_driver)[1:])  # no device_caps: device-wide


def test_a_file_that_is_no_video_device_is_not_a_capture_device(tmp_path: Path) -> None:
    plain = tmp_path / "video0"
    plain.write_bytes(b"")
    assert not query_capture(plain)  # the ioctl fails (ENOTTY): not chosen, no crash
    assert not query_capture(tmp_path / "absent")


class PluggedCamera:
    """A capture that opens only the device discovery found, while the camera is there."""

    def __init__(self) -> None:
        self.image = cv2.imread(str(TICKETS_DIR / "ticket-upright.png"), cv2.IMREAD_GRAYSCALE)
        self.opened: list[str] = []

    def __call__(self, device: str) -> PluggedCamera.Capture:
        self.opened.append(device)
        return self.Capture(self.image)

    class Capture:
        def __init__(self, image: np.ndarray) -> None:
            self.image = image

        def isOpened(self) -> bool:  # noqa: N802
            return True

        def set(self, _prop: int, _value: float) -> bool:
            return True

        def read(self) -> tuple[bool, np.ndarray]:
            return True, self.image

        def release(self) -> None:
            pass


def test_camera_absent_at_start_is_disconnected_then_found_when_plugged(sysfs: FakeSysfs) -> None:
    capture = PluggedCamera()
    camera = V4l2Camera(
        None, 1280, 720, 30.0, open_capture=capture, retry_seconds=0.02, find_device=sysfs.find
    )
    camera.start()
    try:
        assert wait_until(lambda: camera.status() is CameraStatus.DISCONNECTED)
        assert capture.opened == []
        sysfs.add("video4", "uvcvideo", capture=True)
        assert wait_until(lambda: camera.latest_frame() is not None)
        assert camera.status() is CameraStatus.RUNNING
    finally:
        camera.close()
    assert capture.opened == [str(sysfs.dev / "video4")]


def test_v4l2_config_without_a_device_builds_a_camera_that_looks_for_one() -> None:
    text = DEV_CONFIG.read_text(encoding="utf-8").replace(
        'backend = "replay"  # bundled ticket images', 'backend = "v4l2"'
    )
    config = parse_config(text, Path("box.toml"))
    assert config.camera.device is None
    camera = build_camera(config)
    assert isinstance(camera, V4l2Camera)
    assert camera.status() is CameraStatus.STOPPED
