"""A camera that replays ticket photos, so the demo and the tests run without a 高拍仪.

It behaves like the real device where the scanner can tell: frames arrive on their own
thread at the configured rate, only the newest one is kept, a stopped or unplugged
camera gives no frames. A video file is replayed frame by frame at the configured rate
(not the file's own), looping, read as it plays so a long clip costs no memory.
``show`` lays one ticket under the camera; ``unplug`` and
``replug`` inject the USB fault the counter sees most.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from appliance import log
from appliance.errors import StartupError
from appliance.hardware.camera import CameraStatus, Frame

TICKETS_DIR = Path(__file__).parents[1] / "data" / "tickets"
MANIFEST_NAME = "manifest.json"


def bundled_tickets() -> list[Path]:
    """The packaged ticket photos, in manifest order."""
    manifest = json.loads((TICKETS_DIR / MANIFEST_NAME).read_text(encoding="utf-8"))
    return [TICKETS_DIR / entry["file"] for entry in manifest["tickets"]]


def _load(path: Path) -> np.ndarray:
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        raise StartupError(f"camera.replay: cannot read ticket image {path}")
    gray.flags.writeable = False  # shared by every frame, so no consumer may draw on it
    return gray


class VideoLoop:
    """Grey frames of a video file, from the start again after the last one."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._capture = cv2.VideoCapture(str(self._path))
        if not self._capture.isOpened():
            raise StartupError(f"camera.replay_video: cannot open video {self._path}")

    def next(self) -> np.ndarray:
        ok, image = self._capture.read()
        if not ok:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._capture.read()
            if not ok:
                raise StartupError(f"camera.replay_video: no frames in {self._path}")
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        gray.flags.writeable = False
        return gray

    def close(self) -> None:
        self._capture.release()


class ReplayCamera:
    """Serves the given images in turn, one pinned image, or a video, as grey frames."""

    def __init__(self, paths: Sequence[Path], frame_rate: float,
                 video: Path | None = None) -> None:
        if not paths and video is None:
            raise StartupError("camera.replay: no ticket images to replay")
        if frame_rate <= 0:
            raise ValueError("frame_rate must be positive")
        if video is not None:
            VideoLoop(video).close()  # a video that cannot be opened stops start-up
        self._video = Path(video) if video is not None else None
        self._images = {Path(p): _load(Path(p)) for p in paths}
        self._order = list(self._images)
        self._period = 1.0 / frame_rate
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._sequence = 0
        self._pinned: Path | None = None
        self._wanted_running = False
        self._plugged = True
        self._reported = CameraStatus.STOPPED
        self._stop_thread: threading.Event | None = None

    def start(self) -> None:
        with self._lock:
            self._wanted_running = True
            if self._stop_thread is None:
                self._stop_thread = threading.Event()
                threading.Thread(target=self._run, args=(self._stop_thread,),
                                 name="replay-camera", daemon=True).start()
        self._report()

    def stop(self) -> None:
        with self._lock:
            self._wanted_running = False
            self._latest = None
            if self._stop_thread is not None:
                self._stop_thread.set()  # under the lock: no frame can follow the stop
                self._stop_thread = None
        self._report()

    def status(self) -> CameraStatus:
        with self._lock:
            return self._status_locked()

    def latest_frame(self) -> Frame | None:
        with self._lock:
            return self._latest

    def show(self, path: Path | None) -> None:
        """Lay one ticket image under the camera (loaded on first use); None replays all."""
        if path is None:
            with self._lock:
                self._pinned = None
            return
        path = Path(path)
        with self._lock:
            image = self._images.get(path)
        if image is None:
            image = _load(path)
        with self._lock:
            self._images.setdefault(path, image)
            self._pinned = path

    def unplug(self) -> None:
        """Simulate the USB cable being pulled: DISCONNECTED, no frames."""
        with self._lock:
            self._plugged = False
            self._latest = None
        self._report()

    def replug(self) -> None:
        """The cable is back: RUNNING again if preview was on, else STOPPED."""
        with self._lock:
            self._plugged = True
        self._report()

    def _status_locked(self) -> CameraStatus:
        if not self._plugged:
            return CameraStatus.DISCONNECTED
        return CameraStatus.RUNNING if self._wanted_running else CameraStatus.STOPPED

    def _report(self) -> None:
        with self._lock:
            status = self._status_locked()
            changed = status is not self._reported
            self._reported = status
        if changed:
            log.event("camera.status", backend="replay", status=status.value)

    def _run(self, stopped: threading.Event) -> None:
        video = VideoLoop(self._video) if self._video is not None else None
        index = 0
        deadline = time.monotonic()
        try:
            while True:
                with self._lock:
                    from_video = video is not None and self._pinned is None
                # Decoding the next video frame happens outside the lock.
                gray = video.next() if from_video else None
                with self._lock:
                    if stopped.is_set():
                        return
                    if self._plugged:
                        if gray is None:
                            key = self._pinned or self._order[index % len(self._order)]
                            gray = self._images[key]
                        self._sequence += 1
                        self._latest = Frame(gray, self._sequence, time.monotonic())
                        index += 1
                deadline = max(deadline + self._period, time.monotonic())
                stopped.wait(deadline - time.monotonic())
        finally:
            if video is not None:
                video.close()
