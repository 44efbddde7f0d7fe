"""The Raspberry Pi camera through picamera2, imported only when this backend is chosen.

picamera2 comes from the Pi's OS packages (python3-picamera2), not from PyPI, so the
package must import and its tests run without it. The camera is configured with one
YUV420 stream at the analysis size; the decoder and the grey preview both take the
Y plane, which is the first ``height`` rows of the buffer: handed over as a strided
view (the buffer's rows may be padded past ``width``), never copied or converted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from appliance import log
from appliance.errors import StartupError
from appliance.hardware.camera import CameraStatus, Frame

RETRY_SECONDS = 1.0


def load_picamera2() -> Callable[[], Any]:
    """The ``Picamera2`` class, or a start-up error saying how to install it."""
    try:
        from picamera2 import Picamera2
    except ImportError:
        raise StartupError(
            'camera.backend = "picamera2" needs the picamera2 module: '
            "apt install python3-picamera2 on the Raspberry Pi") from None
    return Picamera2


def y_plane(buffer: np.ndarray, width: int, height: int) -> np.ndarray:
    """The luma of a YUV420 buffer (``height * 3 / 2`` rows) as a view, no copy."""
    return buffer[:height, :width]


class Picamera2Camera:
    """Grey frames from the Pi camera; a failed capture reopens the camera."""

    def __init__(self, width: int, height: int, frame_rate: float,
                 factory: Callable[[], Any] | None = None,
                 retry_seconds: float = RETRY_SECONDS) -> None:
        self._factory = factory or load_picamera2()
        self._size = (width, height)
        self._frame_rate = frame_rate
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
            self._connected = True
            previous = self._thread
            self._thread = threading.Thread(target=self._run, args=(self._stop_thread, previous),
                                            name="picamera2", daemon=True)
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
        """Stop and wait until the camera is closed (tests, shutdown)."""
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
            log.event("camera.status", backend="picamera2", status=status.value)

    def _open(self) -> Any:
        camera = self._factory()
        config = camera.create_video_configuration(
            main={"size": self._size, "format": "YUV420"},
            controls={"FrameRate": self._frame_rate}, buffer_count=2)
        camera.configure(config)
        camera.start()
        return camera

    def _lost(self, camera: Any, stopped: threading.Event) -> None:
        log.event("camera.lost", backend="picamera2")
        if camera is not None:
            _close_quietly(camera)
        with self._lock:
            if not stopped.is_set():
                self._connected = False
                self._latest = None
        self._report()
        stopped.wait(self._retry_seconds)

    def _run(self, stopped: threading.Event, previous: threading.Thread | None) -> None:
        if previous is not None:
            previous.join()
        camera: Any = None
        width, height = self._size
        try:
            while not stopped.is_set():
                try:
                    if camera is None:
                        camera = self._open()
                    buffer = camera.capture_array("main")
                except Exception:  # noqa: BLE001 (libcamera raises many kinds; all mean "lost")
                    self._lost(camera, stopped)
                    camera = None
                    continue
                gray = y_plane(buffer, width, height)
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
            if camera is not None:
                _close_quietly(camera)


def _close_quietly(camera: Any) -> None:
    try:
        camera.stop()
        camera.close()
    except Exception:  # noqa: BLE001 (closing a camera that already failed)
        log.event("camera.close_failed", backend="picamera2")
