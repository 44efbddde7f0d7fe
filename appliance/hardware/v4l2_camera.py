"""A USB (UVC) document camera through OpenCV's V4L2 backend.

MJPG is requested because OpenCV's V4L2 backend otherwise falls back to raw YUYV, which
most UVC cameras deliver at a fraction of the frame rate at 720p and above. The shared
grabber (``frame_source.py``) reads every frame as the driver hands it over and keeps
only the newest; when the cable is pulled the read fails, the camera reports
DISCONNECTED and the device is reopened every ``retry_seconds`` until it answers again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from appliance.hardware.frame_source import RETRY_SECONDS, DeviceLost, FrameSource


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the camera uses (tests fake it at this edge)."""

    def isOpened(self) -> bool: ...  # noqa: N802 (OpenCV's name)
    def set(self, prop: int, value: float) -> bool: ...
    def read(self) -> tuple[bool, Any]: ...
    def release(self) -> None: ...


def open_v4l2(device: str) -> Capture:
    return cv2.VideoCapture(device, cv2.CAP_V4L2)


def to_gray(image: np.ndarray) -> np.ndarray:
    """The luma of a captured image; a grey image is passed through untouched."""
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


class UvcDevice:
    """One opened capture: grey frames until a read fails."""

    def __init__(self, capture: Capture) -> None:
        self._capture = capture

    def grab(self) -> np.ndarray:
        ok, image = self._capture.read()
        if not ok or image is None:
            raise DeviceLost
        return to_gray(image)

    def close(self) -> None:
        self._capture.release()


def open_uvc(open_capture: Callable[[str], Capture], device: Path, width: int, height: int,
             frame_rate: float) -> UvcDevice | None:
    """The device set to MJPG at the size and rate asked for, or None while it is absent."""
    capture = open_capture(str(device))
    if not capture.isOpened():
        capture.release()
        return None
    capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    capture.set(cv2.CAP_PROP_FPS, frame_rate)
    capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    return UvcDevice(capture)


class V4l2Camera(FrameSource):
    """Grey frames from ``device`` at the requested size and rate, surviving unplug."""

    def __init__(self, device: Path, width: int, height: int, frame_rate: float,
                 open_capture: Callable[[str], Capture] = open_v4l2,
                 retry_seconds: float = RETRY_SECONDS) -> None:
        path = Path(device)
        super().__init__(partial(open_uvc, open_capture, path, width, height, frame_rate),
                         thread_name="v4l2-camera", log_fields={"backend": "v4l2", "device": path},
                         retry_seconds=retry_seconds)
