"""What every camera backend shares: a grabber thread, the newest-frame slot, status, reconnect.

A backend supplies only ``open_device``: how to open its hardware (None while it is not
there) and how to grab one grey frame from it (:class:`DeviceLost` when it goes away).
The grabber thread keeps only the newest frame, so neither the driver's queue nor the
decoder ever sees stale frames. A lost device is closed, reported DISCONNECTED, and
reopened every ``retry_seconds`` until it answers again; a frame that follows it is RUNNING.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np

from appliance import log
from appliance.hardware.camera.port import CameraStatus, Frame

RETRY_SECONDS = 1.0


class DeviceLost(Exception):
    """The open device stopped delivering (cable pulled, driver timeout)."""


class Device(Protocol):
    """One opened camera: the part that differs between backends."""

    def grab(self) -> np.ndarray:
        """The next grey frame, waiting for it; raises :class:`DeviceLost`."""

    def close(self) -> None: ...


OpenDevice = Callable[[], Device | None]


class FrameSource:
    """A camera (the port in ``camera.py``) fed by a grabber thread over ``open_device``.

    ``frame_period`` paces a device that would otherwise deliver as fast as it can (a
    replay); real cameras pace themselves in ``grab``. ``log_fields`` name the camera in
    its ``camera.status`` and ``camera.lost`` events.
    """

    def __init__(
        self,
        open_device: OpenDevice,
        *,
        thread_name: str,
        log_fields: Mapping[str, object],
        retry_seconds: float = RETRY_SECONDS,
        frame_period: float = 0.0,
    ) -> None:
        self._open_device = open_device
        self._thread_name = thread_name
        self._log_fields = dict(log_fields)
        self._retry_seconds = retry_seconds
        self._frame_period = frame_period
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._sequence = 0
        self._present = True
        self._connected = False
        self._epoch = 0
        self._reported = CameraStatus.STOPPED
        self._stop_thread: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._stop_thread is not None:
                return
            self._stop_thread = threading.Event()
            self._connected = self._present  # until the device fails to open: no flicker
            previous = self._thread
            self._thread = threading.Thread(
                target=self._run,
                args=(self._stop_thread, previous),
                name=self._thread_name,
                daemon=True,
            )
            self._thread.start()
            changed = self._status_change_locked()
        self._log_status(changed)

    def stop(self) -> None:
        with self._lock:
            self._latest = None
            if self._stop_thread is not None:
                self._stop_thread.set()  # under the lock: no frame can follow the stop
                self._stop_thread = None
            changed = self._status_change_locked()
        self._log_status(changed)

    def status(self) -> CameraStatus:
        with self._lock:
            return self._status_locked()

    def latest_frame(self) -> Frame | None:
        with self._lock:
            return self._latest

    def close(self) -> None:
        """Stop and wait until the device is closed (tests, shutdown)."""
        self.stop()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def set_present(self, present: bool) -> None:
        """A hot-plug notice: it takes effect at once, over what the grabber saw before it."""
        with self._lock:
            self._present = present
            self._epoch += 1
            self._connected = present
            if not present:
                self._latest = None
            changed = self._status_change_locked()
        self._log_status(changed)

    def _status_locked(self) -> CameraStatus:
        if self._stop_thread is None:
            return CameraStatus.STOPPED
        return CameraStatus.RUNNING if self._connected else CameraStatus.DISCONNECTED

    def _status_change_locked(self) -> CameraStatus | None:
        status = self._status_locked()
        if status is self._reported:
            return None
        self._reported = status
        return status

    def _log_status(self, changed: CameraStatus | None) -> None:
        if changed is not None:
            log.event("camera.status", **self._log_fields, status=changed.value)

    def _observe(self, epoch: int, stopped: threading.Event, gray: np.ndarray | None) -> None:
        """Record a frame (connected) or None (not); dropped after a stop or hot-plug notice."""
        with self._lock:
            if stopped.is_set() or epoch != self._epoch:
                return
            self._connected = gray is not None
            if gray is None:
                self._latest = None
            else:
                self._sequence += 1
                self._latest = Frame(gray, self._sequence, time.monotonic())
            changed = self._status_change_locked()
        self._log_status(changed)

    def _run(self, stopped: threading.Event, previous: threading.Thread | None) -> None:
        if previous is not None:
            previous.join()  # the device is free only once the last grabber closed it
        device: Device | None = None
        deadline = time.monotonic()
        try:
            while not stopped.is_set():
                epoch = self._epoch
                if device is None and (device := self._open_device()) is None:
                    self._observe(epoch, stopped, None)
                    stopped.wait(self._retry_seconds)
                    continue
                try:
                    gray = device.grab()
                except DeviceLost:
                    log.event("camera.lost", **self._log_fields)
                    device.close()
                    device = None
                    self._observe(epoch, stopped, None)
                    stopped.wait(self._retry_seconds)
                    continue
                self._observe(epoch, stopped, gray)
                if self._frame_period:
                    deadline = max(deadline + self._frame_period, time.monotonic())
                    stopped.wait(deadline - time.monotonic())
        finally:
            if device is not None:
                device.close()
