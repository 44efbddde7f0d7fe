"""A USB (UVC) document camera through OpenCV's V4L2 backend.

MJPG is requested because OpenCV's V4L2 backend otherwise falls back to raw YUYV, which
most UVC cameras deliver at a fraction of the frame rate at 720p and above. The shared
grabber (``frame_source.py``) reads every frame as the driver hands it over and keeps
only the newest; when the cable is pulled the read fails, the camera reports
DISCONNECTED and the device is reopened every ``retry_seconds`` until it answers again.
With no device configured, each attempt first looks for one (``v4l2_discovery``), so a
camera plugged in after start is found the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from appliance import log
from appliance.hardware.camera.frame_source import RETRY_SECONDS, DeviceLost, FrameSource
from appliance.hardware.camera.v4l2_discovery import find_capture_device


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


def open_uvc(
    open_capture: Callable[[str], Capture], device: Path, width: int, height: int, frame_rate: float
) -> UvcDevice | None:
    """The device set to MJPG at the size and rate asked for, or None while it is absent."""
    capture = open_capture(str(device))
    if not capture.isOpened():
        capture.release()
        return None
    capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    capture.set(cv2.CAP_PROP_FPS, frame_rate)
    capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    return UvcDevice(capture)


def open_found(
    find_device: Callable[[], Path | None],
    open_capture: Callable[[str], Capture],
    width: int,
    height: int,
    frame_rate: float,
) -> UvcDevice | None:
    """The camera found on the box now, opened; None while there is none (or it fails)."""
    device = find_device()
    if device is None:
        return None
    opened = open_uvc(open_capture, device, width, height, frame_rate)
    if opened is not None:
        log.event("camera.found", backend="v4l2", device=device)
    return opened


class V4l2Camera(FrameSource):
    """Grey frames from ``device`` at the requested size and rate, surviving unplug.

    ``device`` None: the first capture device found (a UVC camera first), looked for again
    at every reconnect attempt.
    """

    def __init__(
        self,
        device: Path | None,
        width: int,
        height: int,
        frame_rate: float,
        open_capture: Callable[[str], Capture] = open_v4l2,
        retry_seconds: float = RETRY_SECONDS,
        find_device: Callable[[], Path | None] = find_capture_device,
    ) -> None:
        if device is None:
            opener = partial(open_found, find_device, open_capture, width, height, frame_rate)
            name: object = "auto"
        else:
            name = Path(device)
            opener = partial(open_uvc, open_capture, name, width, height, frame_rate)
        super().__init__(
            opener,
            thread_name="v4l2-camera",
            log_fields={"backend": "v4l2", "device": name},
            retry_seconds=retry_seconds,
        )
