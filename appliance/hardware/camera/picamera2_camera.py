"""The Raspberry Pi camera through picamera2, imported only when this backend is chosen.

On the Pi image picamera2 comes from images/pi-camera.lock and libcamera's bindings from
Debian (python3-libcamera, bookworm-backports; images/README.md "The Pi camera"); elsewhere
it is absent, so the package must import and its tests run without it. The camera is
configured with one YUV420 stream at the analysis size; the decoder and the grey preview
both take the Y plane, which is the first ``height`` rows of the buffer: handed over as a strided
view (the buffer's rows may be padded past ``width``), never copied or converted.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from appliance import log
from appliance.errors import StartupError
from appliance.hardware.camera.frame_source import RETRY_SECONDS, DeviceLost, FrameSource


def load_picamera2() -> Callable[[], Any]:
    """The ``Picamera2`` class, or a start-up error saying how to install it."""
    try:
        from picamera2 import Picamera2
    except ImportError:
        raise StartupError(
            'camera.backend = "picamera2" needs the picamera2 module and libcamera\'s '
            "bindings (python3-libcamera): the arm64 image has both; "
            'a USB document camera is camera.backend = "v4l2"'
        ) from None
    return Picamera2


def y_plane(buffer: np.ndarray, width: int, height: int) -> np.ndarray:
    """The luma of a YUV420 buffer (``height * 3 / 2`` rows) as a view, no copy."""
    return buffer[:height, :width]


class PiCameraDevice:
    """One started Picamera2: the Y plane of each capture until a capture fails."""

    def __init__(self, camera: Any, width: int, height: int) -> None:
        self._camera = camera
        self._size = (width, height)

    def grab(self) -> np.ndarray:
        try:
            buffer = self._camera.capture_array("main")
        except Exception as exc:  # noqa: BLE001 (libcamera raises many kinds; all mean "lost")
            raise DeviceLost from exc
        return y_plane(buffer, *self._size)

    def close(self) -> None:
        _close_quietly(self._camera)


def open_picamera2(
    factory: Callable[[], Any], width: int, height: int, frame_rate: float
) -> PiCameraDevice | None:
    """The camera started on one YUV420 stream, or None when it cannot be opened now."""
    camera: Any = None
    try:
        camera = factory()
        config = camera.create_video_configuration(
            main={"size": (width, height), "format": "YUV420"},
            controls={"FrameRate": frame_rate},
            buffer_count=2,
        )
        camera.configure(config)
        camera.start()
    except Exception:  # noqa: BLE001 (libcamera raises many kinds; all mean "not there")
        if camera is not None:
            _close_quietly(camera)
        return None
    return PiCameraDevice(camera, width, height)


class Picamera2Camera(FrameSource):
    """Grey frames from the Pi camera; a failed capture reopens the camera."""

    def __init__(
        self,
        width: int,
        height: int,
        frame_rate: float,
        factory: Callable[[], Any] | None = None,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        opener = partial(open_picamera2, factory or load_picamera2(), width, height, frame_rate)
        super().__init__(
            opener,
            thread_name="picamera2",
            log_fields={"backend": "picamera2"},
            retry_seconds=retry_seconds,
        )


def _close_quietly(camera: Any) -> None:
    try:
        camera.stop()
        camera.close()
    except Exception:  # noqa: BLE001 (closing a camera that already failed)
        log.event("camera.close_failed", backend="picamera2")
