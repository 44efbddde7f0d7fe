"""The bundled ticket photos decode, the replay camera behaves like a 高拍仪, one read per arm."""

import json
import logging
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
from appliance_dev.sim.replay_camera import (
    MANIFEST_NAME,
    TICKETS_DIR,
    ReplayCamera,
    bundled_tickets,
)

from appliance.domain.ticket import UnreadableTicket, parse_ticket
from appliance.hardware.camera.port import CameraStatus
from appliance.scanning.scanner import ScanWorker, ZxingScanner
from tests.waiting import wait_until

MANIFEST = json.loads((TICKETS_DIR / MANIFEST_NAME).read_text(encoding="utf-8"))["tickets"]
UNKNOWN = "ticket-unknown.png"
FAST = 100.0  # frames per second: the tests wait on frames, not on a real camera


@pytest.fixture
def camera() -> Iterator[ReplayCamera]:
    cam = ReplayCamera(bundled_tickets(), frame_rate=FAST)
    yield cam
    cam.stop()


class Collector:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.threads: list[str] = []

    def __call__(self, text: str) -> None:
        self.texts.append(text)
        self.threads.append(threading.current_thread().name)


@pytest.fixture
def collected(camera: ReplayCamera) -> Iterator[tuple[ScanWorker, Collector]]:
    collector = Collector()
    worker = ScanWorker(camera, ZxingScanner(), collector, dedupe_seconds=3.0)
    yield worker, collector
    worker.close()


def test_bundled_tickets_are_the_manifest_files_in_order() -> None:
    assert bundled_tickets() == [TICKETS_DIR / entry["file"] for entry in MANIFEST]
    assert all(path.exists() for path in bundled_tickets())


def test_bundled_ticket_images_stay_small() -> None:
    assert sum(path.stat().st_size for path in bundled_tickets()) < 1_500_000


@pytest.mark.parametrize("entry", MANIFEST, ids=[entry["file"] for entry in MANIFEST])
def test_bundled_ticket_decodes_to_its_manifest_payload(entry: dict[str, str]) -> None:
    camera = ReplayCamera([TICKETS_DIR / entry["file"]], frame_rate=FAST)
    camera.start()
    assert wait_until(lambda: camera.latest_frame() is not None)
    frame = camera.latest_frame()
    camera.stop()
    assert ZxingScanner().decode(frame.gray) == [entry["payload"]]
    if entry["file"] == UNKNOWN:
        with pytest.raises(UnreadableTicket):
            parse_ticket(entry["payload"])
    else:
        assert parse_ticket(entry["payload"]).raw == entry["payload"]


def test_scanner_reads_a_strided_view_without_copying(camera: ReplayCamera) -> None:
    camera.show(TICKETS_DIR / "ticket-upright.png")
    camera.start()
    assert wait_until(lambda: camera.latest_frame() is not None)
    view = camera.latest_frame().gray[:, 200:1100]
    assert not view.flags.c_contiguous
    assert len(ZxingScanner().decode(view)) == 1


def test_scanner_finds_nothing_on_an_empty_desk() -> None:
    assert ZxingScanner().decode(np.full((720, 1280), 80, dtype=np.uint8)) == []


def test_scanner_refuses_colour_frames_and_unknown_formats() -> None:
    with pytest.raises(ValueError):
        ZxingScanner().decode(np.zeros((10, 10, 3), dtype=np.uint8))
    with pytest.raises(ValueError):
        ZxingScanner(("QRCode", "NoSuchCode"))


def test_stopped_camera_gives_no_frames(camera: ReplayCamera) -> None:
    assert camera.status() is CameraStatus.STOPPED
    assert camera.latest_frame() is None
    camera.start()
    assert camera.status() is CameraStatus.RUNNING
    assert wait_until(lambda: camera.latest_frame() is not None)
    camera.stop()
    assert camera.status() is CameraStatus.STOPPED
    assert camera.latest_frame() is None


def test_camera_serves_grey_frames_in_turn_with_rising_sequence(camera: ReplayCamera) -> None:
    camera.start()
    frames = []
    for _ in range(3):
        seen = frames[-1].sequence if frames else 0
        assert wait_until(
            lambda s=seen: (f := camera.latest_frame()) is not None and f.sequence > s
        )
        frames.append(camera.latest_frame())
    assert all(f.gray.dtype == np.uint8 and f.gray.shape == (720, 1280) for f in frames)
    assert len({id(f.gray) for f in frames}) > 1
    assert not frames[0].gray.flags.writeable


def test_show_puts_one_ticket_under_the_camera(camera: ReplayCamera) -> None:
    camera.start()
    assert wait_until(lambda: camera.latest_frame() is not None)
    for entry in (MANIFEST[1], MANIFEST[3]):
        camera.show(TICKETS_DIR / entry["file"])
        first = camera.latest_frame().sequence
        assert wait_until(lambda f=first: camera.latest_frame().sequence > f + 1)
        assert ZxingScanner().decode(camera.latest_frame().gray) == [entry["payload"]]


def test_unplugged_camera_is_disconnected_and_gives_no_frames(
    camera: ReplayCamera, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="appliance")
    camera.start()
    assert wait_until(lambda: camera.latest_frame() is not None)
    camera.unplug()
    assert camera.status() is CameraStatus.DISCONNECTED
    time.sleep(0.05)
    assert camera.latest_frame() is None
    camera.replug()
    assert camera.status() is CameraStatus.RUNNING
    assert wait_until(lambda: camera.latest_frame() is not None)
    statuses = [line.split("status=")[1] for line in caplog.messages if "camera.status" in line]
    assert statuses == ["running", "disconnected", "running"]


def test_ticket_left_under_the_camera_is_one_event(
    camera: ReplayCamera, collected: tuple[ScanWorker, Collector]
) -> None:
    worker, collector = collected
    ticket = MANIFEST[0]
    camera.show(TICKETS_DIR / ticket["file"])
    camera.start()
    worker.arm()
    assert wait_until(lambda: collector.texts)
    assert camera.status() is CameraStatus.STOPPED
    assert not worker.armed
    camera.start()  # "开始预览" and "获取条码" again, same ticket still lying there
    worker.arm()
    time.sleep(0.5)
    assert collector.texts == [ticket["payload"]]
    assert collector.threads == ["scan-worker"]
    assert worker.armed


def test_same_ticket_is_read_again_after_the_dedupe_window(camera: ReplayCamera) -> None:
    collector = Collector()
    worker = ScanWorker(camera, ZxingScanner(), collector, dedupe_seconds=0.2)
    try:
        camera.show(TICKETS_DIR / MANIFEST[1]["file"])
        camera.start()
        worker.arm()
        assert wait_until(lambda: len(collector.texts) == 1)
        camera.start()
        worker.arm()
        assert wait_until(lambda: len(collector.texts) == 2)
        assert camera.status() is CameraStatus.STOPPED
    finally:
        worker.close()


def test_a_different_ticket_is_read_at_once(
    camera: ReplayCamera, collected: tuple[ScanWorker, Collector]
) -> None:
    worker, collector = collected
    camera.show(TICKETS_DIR / MANIFEST[0]["file"])
    camera.start()
    worker.arm()
    assert wait_until(lambda: len(collector.texts) == 1)
    camera.show(TICKETS_DIR / MANIFEST[2]["file"])
    camera.start()
    worker.arm()
    assert wait_until(lambda: len(collector.texts) == 2)
    assert collector.texts == [MANIFEST[0]["payload"], MANIFEST[2]["payload"]]


def test_worker_does_nothing_until_armed(
    camera: ReplayCamera, collected: tuple[ScanWorker, Collector]
) -> None:
    worker, collector = collected
    camera.start()
    time.sleep(0.2)
    assert collector.texts == []
    assert camera.status() is CameraStatus.RUNNING


def test_decoded_log_line_never_holds_the_payload(
    camera: ReplayCamera, collected: tuple[ScanWorker, Collector], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="appliance")
    worker, collector = collected
    ticket = MANIFEST[1]
    camera.show(TICKETS_DIR / ticket["file"])
    camera.start()
    worker.arm()
    assert wait_until(lambda: collector.texts)

    def decoded_lines() -> list[str]:
        return [m for m in caplog.messages if "event=scan.decoded" in m]

    # the worker logs after it hands the ticket over: under load the line comes a moment later
    assert wait_until(lambda: bool(decoded_lines()))
    [line] = decoded_lines()
    assert f"length={len(ticket['payload'])}" in line
    assert "format=QRCode" in line
    assert "YY20261129000123" not in line


def test_closed_worker_thread_ends(camera: ReplayCamera) -> None:
    worker = ScanWorker(camera, ZxingScanner(), Collector())
    worker.arm()
    worker.close()
    assert "scan-worker" not in {thread.name for thread in threading.enumerate()}
    with pytest.raises(RuntimeError):
        worker.arm()


def test_show_loads_a_ticket_outside_the_replay_list() -> None:
    camera = ReplayCamera([TICKETS_DIR / MANIFEST[0]["file"]], frame_rate=FAST)
    camera.show(TICKETS_DIR / MANIFEST[4]["file"])
    camera.start()
    try:
        assert wait_until(lambda: camera.latest_frame() is not None)
        assert ZxingScanner().decode(camera.latest_frame().gray) == [MANIFEST[4]["payload"]]
    finally:
        camera.stop()
