"""A USB (UVC) document camera through OpenCV's V4L2 backend.

MJPG is requested because OpenCV's V4L2 backend otherwise falls back to raw YUYV, which
most UVC cameras deliver at a fraction of the frame rate at 720p and above. A grabber
thread reads every frame as the driver hands it over and keeps only the newest, so the
driver's queue never holds stale frames and the decoder always sees the present. When
the cable is pulled the read fails: the camera reports DISCONNECTED, drops its frame
and reopens the device every ``retry_seconds`` until it answers again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from appliance import log
from appliance.hardware.camera import CameraStatus, Frame

RETRY_SECONDS = 1.0


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


class V4l2Camera:
    """Grey frames from ``device`` at the requested size and rate, surviving unplug."""

    def __init__(self, device: Path, width: int, height: int, frame_rate: float,
                 open_capture: Callable[[str], Capture] = open_v4l2,
                 retry_seconds: float = RETRY_SECONDS) -> None:
        self._device = Path(device)
        self._size = (width, height)
        self._frame_rate = frame_rate
        self._open_capture = open_capture
        self._retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._sequence = 0
        self._connected = False
        self._reported = CameraStatus.STOPPED
        self._stop_thread: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._stop_thread is not None:
                return
            self._stop_thread = threading.Event()
            self._connected = True  # until the device fails to open: no flicker at start
            previous = self._thread
            self._thread = threading.Thread(target=self._run, args=(self._stop_thread, previous),
                                            name="v4l2-camera", daemon=True)
            self._thread.start()
        self._report()

    def stop(self) -> None:
        with self._lock:
            self._latest = None
            if self._stop_thread is not None:
                self._stop_thread.set()
                self._stop_thread = None
        self._report()

    def status(self) -> CameraStatus:
        with self._lock:
            return self._status_locked()

    def latest_frame(self) -> Frame | None:
        with self._lock:
            return self._latest

    def close(self) -> None:
        """Stop and wait until the device is released (tests, shutdown)."""
        self.stop()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _status_locked(self) -> CameraStatus:
        if self._stop_thread is None:
            return CameraStatus.STOPPED
        return CameraStatus.RUNNING if self._connected else CameraStatus.DISCONNECTED

    def _report(self) -> None:
        with self._lock:
            status = self._status_locked()
            changed = status is not self._reported
            self._reported = status
        if changed:
            log.event("camera.status", backend="v4l2", device=self._device, status=status.value)

    def _open(self) -> Capture | None:
        capture = self._open_capture(str(self._device))
        if not capture.isOpened():
            capture.release()
            return None
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._size[0])
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._size[1])
        capture.set(cv2.CAP_PROP_FPS, self._frame_rate)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return capture

    def _set_connected(self, connected: bool, stopped: threading.Event) -> None:
        with self._lock:
            if stopped.is_set():
                return
            self._connected = connected
            if not connected:
                self._latest = None
        self._report()

    def _run(self, stopped: threading.Event, previous: threading.Thread | None) -> None:
        if previous is not None:
            previous.join()  # the device is free only once the last grabber released it
        capture: Capture | None = None
        try:
            while not stopped.is_set():
                if capture is None:
                    capture = self._open()
                    if capture is None:
                        self._set_connected(False, stopped)
                        stopped.wait(self._retry_seconds)
                        continue
                ok, image = capture.read()
                if not ok or image is None:
                    capture.release()
                    capture = None
                    log.event("camera.lost", backend="v4l2", device=self._device)
                    self._set_connected(False, stopped)
                    stopped.wait(self._retry_seconds)
                    continue
                gray = to_gray(image)
                with self._lock:
                    if stopped.is_set():
                        break
                    self._sequence += 1
                    self._latest = Frame(gray, self._sequence, time.monotonic())
                    newly = not self._connected
                    self._connected = True
                if newly:
                    self._report()
        finally:
            if capture is not None:
                capture.release()
            with self._lock:
                if stopped.is_set():
                    self._connected = False
