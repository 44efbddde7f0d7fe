"""A camera that replays ticket photos, so the demo and the tests run without a 高拍仪.

It is the real backends' grabber (``frame_source.py``) over a desk of images, so it
behaves like the real device where the scanner can tell: frames arrive on their own
thread at the configured rate, only the newest one is kept, a stopped or unplugged
camera gives no frames. A video file is replayed frame by frame at the configured rate
(not the file's own), looping, read as it plays so a long clip costs no memory.
``show`` lays one ticket under the camera; ``unplug`` and
``replug`` inject the USB fault the counter sees most.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np

from appliance.errors import StartupError
from appliance.hardware.camera.frame_source import DeviceLost, FrameSource

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


class TicketDesk:
    """What lies under the replay camera: the images in turn, or one pinned image.

    The desk's own images are loaded once; an image laid on it from elsewhere is read
    from its file each time it is laid down (a ticket redrawn under the same name shows
    its new face) and only the one lying there is kept: a long run laying a fresh ticket
    per applicant holds one of them, not all.
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        self._lock = threading.Lock()
        self._images = {Path(p): _load(Path(p)) for p in paths}
        self._order = list(self._images)
        self._pinned: Path | None = None
        self._laid: tuple[Path, np.ndarray] | None = None

    @property
    def pinned(self) -> bool:
        with self._lock:
            return self._pinned is not None

    def image(self, index: int) -> np.ndarray:
        """The pinned image, else the ``index``-th in turn."""
        with self._lock:
            if self._laid is not None and self._laid[0] == self._pinned:
                return self._laid[1]
            return self._images[self._pinned or self._order[index % len(self._order)]]

    def show(self, path: Path | None) -> None:
        if path is None:
            with self._lock:
                self._pinned = None
            return
        path = Path(path)
        with self._lock:
            known = path in self._images
        image = None if known else _load(path)
        with self._lock:
            if image is not None:
                self._laid = (path, image)
            self._pinned = path

    def held(self) -> int:
        """How many images the desk keeps in memory."""
        with self._lock:
            return len(self._images) + (self._laid is not None)


class ReplayDevice:
    """One replay session: the video (unless an image is pinned) or the desk's images."""

    def __init__(
        self, desk: TicketDesk, video: VideoLoop | None, plugged: Callable[[], bool]
    ) -> None:
        self._desk = desk
        self._video = video
        self._plugged = plugged
        self._index = 0

    def grab(self) -> np.ndarray:
        if not self._plugged():
            raise DeviceLost
        if self._video is not None and not self._desk.pinned:
            return self._video.next()
        gray = self._desk.image(self._index)
        self._index += 1
        return gray

    def close(self) -> None:
        if self._video is not None:
            self._video.close()


class ReplayCamera(FrameSource):
    """Serves the given images in turn, one pinned image, or a video, as grey frames."""

    def __init__(self, paths: Sequence[Path], frame_rate: float, video: Path | None = None) -> None:
        if not paths and video is None:
            raise StartupError("camera.replay: no ticket images to replay")
        if frame_rate <= 0:
            raise ValueError("frame_rate must be positive")
        if video is not None:
            VideoLoop(video).close()  # a video that cannot be opened stops start-up
        self._video = Path(video) if video is not None else None
        self._desk = TicketDesk(paths)
        self._plugged = True
        period = 1.0 / frame_rate
        super().__init__(
            self._open,
            thread_name="replay-camera",
            log_fields={"backend": "replay"},
            retry_seconds=period,
            frame_period=period,
        )

    def show(self, path: Path | None) -> None:
        """Lay one ticket image under the camera (loaded on first use); None replays all."""
        self._desk.show(path)

    def unplug(self) -> None:
        """Simulate the USB cable being pulled: DISCONNECTED while running, no frames."""
        self._plugged = False
        self.set_present(False)

    def replug(self) -> None:
        """The cable is back: RUNNING again if preview was on, else STOPPED."""
        self._plugged = True
        self.set_present(True)

    def _open(self) -> ReplayDevice | None:
        if not self._plugged:
            return None
        video = VideoLoop(self._video) if self._video is not None else None
        return ReplayDevice(self._desk, video, lambda: self._plugged)
