"""Camera backends: V4L2 survives unplug, picamera2 hands over the Y plane, replay plays video;
the grabber they share lets a hot-plug notice win over a frame already on its way.

Faked only at the hardware edge: a fake ``cv2.VideoCapture`` over a simulated USB
camera that can be pulled out, and a fake ``Picamera2`` whose capture can fail.
"""

import logging
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from appliance_dev.sim.replay_camera import TICKETS_DIR, ReplayCamera

from appliance.config import DEV_CONFIG, parse_config
from appliance.errors import ConfigError, StartupError
from appliance.hardware.camera.frame_source import DeviceLost, FrameSource
from appliance.hardware.camera.picamera2_camera import Picamera2Camera, load_picamera2, y_plane
from appliance.hardware.camera.port import CameraStatus
from appliance.hardware.camera.v4l2_camera import V4l2Camera
from appliance.scanning.scanner import ZxingScanner
from appliance.wiring import build_camera
from tests.waiting import wait_until

UPRIGHT = TICKETS_DIR / "ticket-upright.png"
UPRIGHT_TEXT = "https://zs.gdzwfw.gov.cn/q?v=1&q=A023&i=442000-GA-0101&h=ZSFT&t=20261129T093000"


class UsbCamera:
    """A simulated UVC camera on a cable that the test can pull out and plug back."""

    def __init__(self, image: np.ndarray, fps: float = 200.0) -> None:
        self.image = image
        self.period = 1.0 / fps
        self.plugged = True
        self.opened = 0
        self.released = 0
        self.settings: dict[int, float] = {}


class FakeCapture:
    """Stands in for cv2.VideoCapture: opens only while plugged, read fails once pulled."""

    def __init__(self, device: UsbCamera) -> None:
        self.device = device
        self.open = device.plugged
        if self.open:
            device.opened += 1

    def isOpened(self) -> bool:  # noqa: N802
        return self.open

    def set(self, prop: int, value: float) -> bool:
        self.device.settings[prop] = value
        return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        time.sleep(self.device.period)
        if not (self.open and self.device.plugged):
            return False, None
        return True, cv2.cvtColor(self.device.image, cv2.COLOR_GRAY2BGR)

    def release(self) -> None:
        if self.open:
            self.device.released += 1
        self.open = False


@pytest.fixture
def usb_camera() -> UsbCamera:
    return UsbCamera(cv2.imread(str(UPRIGHT), cv2.IMREAD_GRAYSCALE))


def v4l2(device: UsbCamera) -> V4l2Camera:
    return V4l2Camera(
        Path("/dev/video0"),
        1280,
        720,
        30.0,
        open_capture=lambda _path: FakeCapture(device),
        retry_seconds=0.02,
    )


def test_v4l2_asks_for_mjpg_at_the_configured_size_and_rate(usb_camera: UsbCamera) -> None:
    camera = v4l2(usb_camera)
    camera.start()
    try:
        assert wait_until(lambda: camera.latest_frame() is not None)
    finally:
        camera.close()
    assert usb_camera.settings[cv2.CAP_PROP_FOURCC] == cv2.VideoWriter_fourcc(*"MJPG")
    assert usb_camera.settings[cv2.CAP_PROP_FRAME_WIDTH] == 1280
    assert usb_camera.settings[cv2.CAP_PROP_FRAME_HEIGHT] == 720
    assert usb_camera.settings[cv2.CAP_PROP_FPS] == 30.0
    assert usb_camera.settings[cv2.CAP_PROP_BUFFERSIZE] == 1


def test_v4l2_frames_are_grey_and_decode(usb_camera: UsbCamera) -> None:
    camera = v4l2(usb_camera)
    camera.start()
    try:
        assert wait_until(lambda: camera.latest_frame() is not None)
        frame = camera.latest_frame()
        assert frame.gray.ndim == 2
        assert ZxingScanner().decode(frame.gray) == [UPRIGHT_TEXT]
        first = frame.sequence
        assert wait_until(lambda: camera.latest_frame().sequence > first + 2)
    finally:
        camera.close()


def test_v4l2_unplug_reports_disconnected_then_reconnects_by_itself(
    usb_camera: UsbCamera, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="appliance")
    camera = v4l2(usb_camera)
    camera.start()
    try:
        assert wait_until(lambda: camera.latest_frame() is not None)
        usb_camera.plugged = False
        assert wait_until(lambda: camera.status() is CameraStatus.DISCONNECTED)
        assert camera.latest_frame() is None
        time.sleep(0.1)  # several reconnect attempts while the cable is out
        assert camera.status() is CameraStatus.DISCONNECTED
        usb_camera.plugged = True
        assert wait_until(
            lambda: camera.status() is CameraStatus.RUNNING and camera.latest_frame() is not None
        )
    finally:
        camera.close()
    assert usb_camera.opened == 2
    assert usb_camera.released == 2
    statuses = [m.split("status=")[1] for m in caplog.messages if "event=camera.status" in m]
    assert statuses == ["running", "disconnected", "running", "stopped"]


def test_v4l2_camera_absent_at_start_is_disconnected_not_fatal(usb_camera: UsbCamera) -> None:
    usb_camera.plugged = False
    camera = v4l2(usb_camera)
    camera.start()
    try:
        assert wait_until(lambda: camera.status() is CameraStatus.DISCONNECTED)
        usb_camera.plugged = True
        assert wait_until(lambda: camera.latest_frame() is not None)
    finally:
        camera.close()


def test_v4l2_stop_releases_the_device_and_gives_no_frames(usb_camera: UsbCamera) -> None:
    camera = v4l2(usb_camera)
    camera.start()
    assert wait_until(lambda: camera.latest_frame() is not None)
    camera.stop()
    assert camera.status() is CameraStatus.STOPPED
    assert camera.latest_frame() is None
    camera.start()  # "开始预览" at once: the new grabber waits for the old one's release
    try:
        assert wait_until(lambda: camera.latest_frame() is not None)
    finally:
        camera.close()
    assert usb_camera.opened == 2
    assert usb_camera.released == 2
    assert "v4l2-camera" not in {t.name for t in threading.enumerate()}


class FakePicamera2:
    """Stands in for picamera2.Picamera2: YUV420 buffers with padded rows, failures on demand."""

    instances: list["FakePicamera2"] = []
    fail_next = 0

    def __init__(self) -> None:
        self.config: dict | None = None
        self.started = False
        self.closed = False
        FakePicamera2.instances.append(self)
        luma = cv2.imread(str(UPRIGHT), cv2.IMREAD_GRAYSCALE)
        height, width = luma.shape
        self.buffer = np.full((height * 3 // 2, width + 64), 128, dtype=np.uint8)
        self.buffer[:height, :width] = luma

    def create_video_configuration(self, main: dict, controls: dict, buffer_count: int) -> dict:
        return {"main": main, "controls": controls, "buffer_count": buffer_count}

    def configure(self, config: dict) -> None:
        self.config = config

    def start(self) -> None:
        self.started = True

    def capture_array(self, stream: str) -> np.ndarray:
        time.sleep(0.005)
        if FakePicamera2.fail_next:
            FakePicamera2.fail_next -= 1
            raise RuntimeError("Camera frontend has timed out!")
        return self.buffer

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_picamera2() -> type[FakePicamera2]:
    FakePicamera2.instances = []
    FakePicamera2.fail_next = 0
    return FakePicamera2


def test_picamera2_asks_for_a_yuv420_stream_and_hands_over_the_y_plane_as_a_view(
    fake_picamera2: type[FakePicamera2],
) -> None:
    camera = Picamera2Camera(1280, 720, 15.0, factory=fake_picamera2, retry_seconds=0.02)
    camera.start()
    try:
        assert wait_until(lambda: camera.latest_frame() is not None)
        frame = camera.latest_frame()
    finally:
        camera.close()
    [device] = fake_picamera2.instances
    assert device.config["main"] == {"size": (1280, 720), "format": "YUV420"}
    assert device.config["controls"] == {"FrameRate": 15.0}
    assert frame.gray.shape == (720, 1280)
    assert np.shares_memory(frame.gray, device.buffer)
    assert not frame.gray.flags.c_contiguous
    assert ZxingScanner().decode(frame.gray) == [UPRIGHT_TEXT]
    assert device.closed


def test_picamera2_failed_capture_is_disconnected_then_reopened(
    fake_picamera2: type[FakePicamera2],
) -> None:
    camera = Picamera2Camera(1280, 720, 15.0, factory=fake_picamera2, retry_seconds=0.05)
    camera.start()
    try:
        assert wait_until(lambda: camera.latest_frame() is not None)
        fake_picamera2.fail_next = 1
        assert wait_until(lambda: camera.status() is CameraStatus.DISCONNECTED)
        assert wait_until(
            lambda: camera.status() is CameraStatus.RUNNING and camera.latest_frame() is not None
        )
    finally:
        camera.close()
    assert len(fake_picamera2.instances) == 2
    assert all(device.closed for device in fake_picamera2.instances)


def test_picamera2_missing_module_stops_start_up_saying_how_to_install() -> None:
    try:
        import picamera2  # noqa: F401
    except ImportError:
        with pytest.raises(StartupError, match="python3-libcamera"):
            load_picamera2()
    else:
        pytest.skip("picamera2 is installed here")


def test_y_plane_is_the_top_rows_of_a_yuv420_buffer() -> None:
    buffer = np.arange(12 * 10, dtype=np.uint8).reshape(12, 10)
    plane = y_plane(buffer, 8, 8)
    assert plane.shape == (8, 8)
    assert np.shares_memory(plane, buffer)


def make_video(path: Path, frames: list[np.ndarray]) -> Path:
    height, width = frames[0].shape
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5.0, (width, height))
    for gray in frames:
        writer.write(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
    writer.release()
    return path


def test_replay_plays_a_video_at_the_set_rate_and_loops(tmp_path: Path) -> None:
    ticket = cv2.imread(str(UPRIGHT), cv2.IMREAD_GRAYSCALE)
    blank = np.full_like(ticket, 90)
    video = make_video(tmp_path / "counter.avi", [blank, ticket, blank])
    camera = ReplayCamera([], frame_rate=100.0, video=video)
    camera.start()
    try:
        texts = []
        seen = 0
        deadline = time.monotonic() + 2.0
        while len(texts) < 7 and time.monotonic() < deadline:
            frame = camera.latest_frame()
            if frame is not None and frame.sequence > seen:
                seen = frame.sequence
                texts.append(ZxingScanner().decode(frame.gray))
            time.sleep(0.002)
    finally:
        camera.stop()
    assert [UPRIGHT_TEXT] in texts
    assert [] in texts
    assert seen >= 4  # more frames than the clip holds: it loops


def test_replay_video_that_cannot_be_opened_stops_start_up(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(StartupError, match="camera.replay_video"):
        ReplayCamera([], frame_rate=10.0, video=bad)


def config_text(camera_section: str) -> str:
    text = DEV_CONFIG.read_text(encoding="utf-8")
    start = text.index("[camera]")
    end = text.index("[scanner]")
    return text[:start] + camera_section + "\n" + text[end:]


def test_v4l2_without_a_device_key_is_the_first_camera_found() -> None:
    config = parse_config(config_text('[camera]\nbackend = "v4l2"\n'), Path("box.toml"))
    assert config.camera.device is None  # see test_scanning_camera_discovery.py
    assert isinstance(build_camera(config), V4l2Camera)


def test_v4l2_config_builds_the_v4l2_camera() -> None:
    config = parse_config(
        config_text(
            '[camera]\nbackend = "v4l2"\ndevice = "/dev/document-camera"\n'
            "width = 1920\nheight = 1080\nframe_rate = 15.0\n"
        ),
        Path("box.toml"),
    )
    camera = build_camera(config)
    assert isinstance(camera, V4l2Camera)
    assert camera.status() is CameraStatus.STOPPED


def test_replay_video_config_must_name_an_existing_file() -> None:
    with pytest.raises(ConfigError, match=r"camera\.replay_video: path"):
        parse_config(
            config_text('[camera]\nbackend = "replay"\nreplay_video = "/nope.mp4"\n'),
            Path("box.toml"),
        )


def test_replay_unplugged_while_stopped_starts_disconnected_without_a_flicker(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="appliance")
    camera = ReplayCamera([UPRIGHT], frame_rate=100.0)
    camera.unplug()
    assert camera.status() is CameraStatus.STOPPED  # as a real camera: stopped is stopped
    camera.start()
    try:
        assert camera.status() is CameraStatus.DISCONNECTED
        time.sleep(0.05)
        assert camera.latest_frame() is None
        camera.replug()
        assert wait_until(lambda: camera.latest_frame() is not None)
    finally:
        camera.close()
    statuses = [m.split("status=")[1] for m in caplog.messages if "event=camera.status" in m]
    assert statuses == ["disconnected", "running", "stopped"]


class PulledMidFrame:
    """A device whose first frame is still on its way when the hot-plug notice comes."""

    def __init__(self) -> None:
        self.grabbing = threading.Event()
        self.deliver = threading.Event()
        self.grabs = 0

    def grab(self) -> np.ndarray:
        self.grabs += 1
        if self.grabs > 1:
            raise DeviceLost
        self.grabbing.set()
        self.deliver.wait(2.0)
        return np.zeros((8, 8), dtype=np.uint8)

    def close(self) -> None: ...


def test_hot_plug_notice_wins_over_a_frame_grabbed_before_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="appliance")
    device = PulledMidFrame()
    opened = iter([device])
    camera = FrameSource(
        lambda: next(opened, None),
        thread_name="test-camera",
        log_fields={"backend": "test"},
        retry_seconds=0.01,
    )
    camera.start()
    try:
        assert device.grabbing.wait(2.0)
        camera.set_present(False)
        device.deliver.set()
        assert wait_until(lambda: device.grabs > 1)
        time.sleep(0.05)
        assert camera.latest_frame() is None
        assert camera.status() is CameraStatus.DISCONNECTED
    finally:
        camera.close()
    statuses = [m.split("status=")[1] for m in caplog.messages if "event=camera.status" in m]
    assert statuses == ["running", "disconnected", "stopped"]
