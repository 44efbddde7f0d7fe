"""The self-test's camera check: frames arriving pass; only the replay must decode its ticket."""

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import pytest
from appliance_dev.sim.replay_camera import ReplayCamera, bundled_tickets

from appliance.diagnostics import selftest
from appliance.errors import ApplianceError
from appliance.hardware.camera.frame_source import FrameSource
from appliance.hardware.camera.v4l2_camera import V4l2Camera
from appliance.scanning.scanner import ZxingScanner


class EmptyDesk:
    """A UVC camera looking at a bare counter; ``plugged`` False means the cable is out."""

    def __init__(self, plugged: bool = True) -> None:
        self.plugged = plugged

    def isOpened(self) -> bool:  # noqa: N802
        return self.plugged

    def set(self, prop: int, value: float) -> bool:
        return True

    def read(self) -> tuple[bool, np.ndarray]:
        time.sleep(0.005)
        return True, np.full((720, 1280, 3), 90, dtype=np.uint8)

    def release(self) -> None: ...


def check(backend: str, camera: FrameSource) -> str:
    config: Any = SimpleNamespace(camera=SimpleNamespace(backend=backend))
    services: Any = SimpleNamespace(camera=camera, scanner=ZxingScanner())
    try:
        return selftest._camera(config, services)
    finally:
        camera.close()


def test_real_camera_with_no_ticket_under_it_passes_and_says_so() -> None:
    camera = V4l2Camera(
        Path("/dev/video0"), 1280, 720, 30.0, open_capture=lambda _path: EmptyDesk()
    )
    assert check("v4l2", camera) == "camera frame 1280x720, no QR code in view"


def test_replay_camera_passes_by_decoding_its_bundled_ticket() -> None:
    camera = ReplayCamera(bundled_tickets()[:1], frame_rate=50.0)
    assert check("replay", camera) == "camera frame 1280x720, decoded a QR code"


def test_replay_camera_that_decodes_nothing_fails(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((720, 1280), 90, dtype=np.uint8))
    with pytest.raises(ApplianceError, match="no QR code decoded"):
        check("replay", ReplayCamera([blank], frame_rate=50.0))


def test_camera_that_delivers_no_frame_fails_naming_its_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selftest, "FRAME_WAIT_S", 0.2)
    camera = V4l2Camera(
        Path("/dev/video0"),
        1280,
        720,
        30.0,
        open_capture=lambda _path: EmptyDesk(plugged=False),
        retry_seconds=0.02,
    )
    with pytest.raises(ApplianceError, match=r"no frame \(disconnected\)"):
        check("v4l2", camera)
