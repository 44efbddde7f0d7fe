"""The scan screen's camera preview: small and at most 15 fps, so the UI thread stays light.

The decoder gets full frames on its own thread; the preview only has to show the clerk
where the ticket lies. Blitting a 1080p frame costs the UI thread a 2 MB copy and a
texture upload every tick; a 640-pixel-wide preview costs a tenth of that.
"""

from __future__ import annotations

import cv2
import numpy as np

PREVIEW_WIDTH = 640
PREVIEW_FPS = 15.0


def preview_interval(camera_frame_rate: float) -> float:
    """Seconds between preview updates: the camera's rate, capped at PREVIEW_FPS."""
    return 1.0 / min(camera_frame_rate, PREVIEW_FPS)


def preview_image(gray: np.ndarray, width: int = PREVIEW_WIDTH) -> np.ndarray:
    """A contiguous copy of the frame at most ``width`` wide (INTER_LINEAR: ~0.5 ms at 1080p)."""
    height, frame_width = gray.shape
    if frame_width <= width:
        return np.ascontiguousarray(gray)
    size = (width, max(1, round(height * width / frame_width)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_LINEAR)
