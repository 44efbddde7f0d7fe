"""The scan screen's preview is small and capped at 15 fps, whatever the camera delivers."""

import numpy as np

from appliance.ui.preview import PREVIEW_FPS, preview_image, preview_interval


def test_preview_of_a_1080p_strided_frame_is_640_wide_and_contiguous() -> None:
    buffer = np.zeros((1620, 1984), dtype=np.uint8)
    frame = buffer[:1080, :1920]  # a Y plane with padded rows, as picamera2 hands it over
    small = preview_image(frame)
    assert small.shape == (360, 640)
    assert small.flags.c_contiguous


def test_small_frames_are_shown_as_they_are() -> None:
    frame = np.arange(480 * 640, dtype=np.uint32).astype(np.uint8).reshape(480, 640)
    assert np.array_equal(preview_image(frame), frame)


def test_preview_rate_is_the_camera_rate_capped_at_15_fps() -> None:
    assert preview_interval(10.0) == 0.1
    assert preview_interval(30.0) == 1 / PREVIEW_FPS
