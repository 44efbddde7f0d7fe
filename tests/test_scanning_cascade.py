"""The scan cascade (issue 15): zxing-cpp first, OpenCV's WeChat decoder on failure only.

Real zxing-cpp and real OpenCV throughout; where a test needs to hold an escalation in
flight, the real WeChat decoder sits behind a gate that waits before passing the frame on.
"""

import json
import logging
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import cv2
import numpy as np
import pytest

from appliance.commands.cli import main as cli_main
from appliance.config import DEV_CONFIG, ScannerSection
from appliance.hardware.camera.port import CameraStatus, Frame
from appliance.scanning.budget import CpuBudget
from appliance.scanning.cascade import Cascade, build_cascade, build_escalation
from appliance.scanning.escalation import EscalationPolicy, EscalationWorker, Offered
from appliance.scanning.port import Symbol
from appliance.scanning.scanner import ScanWorker, ZxingScanner
from appliance.scanning.wechat import MODEL_DIR, MODEL_SHA256, ModelFileError, WeChatDecoder
from appliance.scanning.wechat_process import WeChatProcess
from tests.qr_frames import clean_qr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from make_frames import render  # noqa: E402

CHINESE = (
    '{"v":1,"appt":"YY20261129000123","item":"442000-SB-0310","hall":"ZSFT",'
    '"ts":"2026-11-29T09:30:00+08:00","item_name":"社会保险参保登记"}'
)


def hard_frame(seed: int = 4) -> tuple[np.ndarray, str]:
    """A 640x360 frame under heavy focus blur: zxing-cpp reads nothing, WeChat reads it."""
    gray, text = render(
        (640, 360), "blur_gaussian", 3, "utf8_no_eci", np.random.default_rng([3, seed])
    )
    assert text is not None
    return gray, text


def easy_frame(seed: int = 0) -> tuple[np.ndarray, str]:
    gray, text = render((1280, 720), "clean", 0, "utf8_eci", np.random.default_rng([5, seed]))
    assert text is not None
    return gray, text


def grainy_desk(seed: int, size: tuple[int, int] = (1280, 720), sigma: float = 4) -> np.ndarray:
    """An empty desk, with a blank slip (seeds 0, 1, 2, 4) or without, under sensor noise.

    On a blank slip under uncompressed noise of sigma 4 to 8, one WeChat decode can take
    seconds (seed 4 at sigma 4: 1.5 s at 720p; seeds 0-2 at sigma 8: 2.5 s).
    """
    gray, _ = render(size, "empty", 0, "none", np.random.default_rng([11, seed]))
    noise = np.random.default_rng(seed).normal(0, sigma, gray.shape)
    return np.clip(gray + noise, 0, 255).astype(np.uint8)


class StillCamera:
    def __init__(self) -> None:
        self.stops = 0

    def start(self) -> None: ...

    def stop(self) -> None:
        self.stops += 1

    def status(self) -> CameraStatus:
        return CameraStatus.RUNNING

    def latest_frame(self) -> Frame | None:
        return None  # frames go to ScanWorker.process directly


class GatedWeChat:
    """The real WeChat decoder, which waits for ``gate`` before each frame it reads."""

    def __init__(self) -> None:
        self.decoder = WeChatDecoder()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.seen: list[int] = []

    def read(self, gray: np.ndarray) -> list[Symbol]:
        self.seen.append(int(gray[0, 0]))  # the tests mark each frame in its corner pixel
        self.entered.set()
        assert self.gate.wait(10)
        return self.decoder.read(gray)


class Delivered:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str) -> None:
        self.texts.append(text)


@pytest.fixture
def wechat_escalation() -> Iterator[EscalationWorker[int]]:
    escalation: EscalationWorker[int] = EscalationWorker(WeChatDecoder, None)
    assert escalation.wait_loaded(10)
    yield escalation
    escalation.close()


def test_a_frame_zxing_reads_never_reaches_the_escalation(
    wechat_escalation: EscalationWorker[int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="appliance")
    delivered = Delivered()
    worker = ScanWorker(StillCamera(), ZxingScanner(), delivered, escalation=wechat_escalation)
    try:
        gray, text = easy_frame()
        worker.arm()
        assert worker.process(Frame(gray, 1, 0.0))
        assert delivered.texts == [text]
        assert wechat_escalation.counts.offered == 0
        assert "decoder=zxing" in next(m for m in caplog.messages if "scan.decoded" in m)
    finally:
        worker.close()


def test_a_frame_zxing_cannot_read_is_read_by_wechat_as_the_same_ticket_event(
    wechat_escalation: EscalationWorker[int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="appliance")
    gray, text = hard_frame()
    assert ZxingScanner().read(gray) == []
    camera, delivered = StillCamera(), Delivered()
    worker = ScanWorker(camera, ZxingScanner(), delivered, escalation=wechat_escalation)
    try:
        worker.arm()
        assert not worker.process(Frame(gray, 1, 0.0))  # the loop goes on at once
        assert wechat_escalation.wait_idle(10)
        assert delivered.texts == [text]  # UTF-8 Chinese without ECI, exact
        assert not worker.armed and camera.stops == 1
        line = next(m for m in caplog.messages if "scan.decoded" in m)
        assert "decoder=wechat" in line and text not in line
        worker.arm()  # the same slip still under the camera: one event, not two
        worker.process(Frame(gray, 2, 0.0))
        assert wechat_escalation.wait_idle(10)
        assert delivered.texts == [text]
    finally:
        worker.close()


def test_one_escalation_in_flight_and_the_newest_failed_frame_wins() -> None:
    gated = GatedWeChat()
    escalation: EscalationWorker[int] = EscalationWorker(lambda: gated, None)
    delivered = Delivered()
    worker = ScanWorker(StillCamera(), ZxingScanner(), delivered, escalation=escalation)
    try:
        assert escalation.wait_loaded(10)
        worker.arm()
        for mark in (1, 2, 3, 4):
            desk = grainy_desk(mark)
            desk[0, 0] = mark
            started = time.perf_counter()
            assert not worker.process(Frame(desk, mark, 0.0))
            assert time.perf_counter() - started < 1.0  # never waits for the gate
            if mark == 1:
                assert gated.entered.wait(10)
        assert escalation.counts.escalated == 1  # frame 1 in flight; 2 and 3 replaced by 4
        assert escalation.counts.replaced == 2
        gated.gate.set()
        assert escalation.wait_idle(10)
        assert gated.seen == [1, 4]
        assert delivered.texts == []  # empty desks: no false reads
    finally:
        worker.close()
        escalation.close()


def test_a_read_of_a_frame_from_before_a_disarm_is_dropped() -> None:
    gated = GatedWeChat()
    escalation: EscalationWorker[int] = EscalationWorker(lambda: gated, None)
    delivered = Delivered()
    worker = ScanWorker(StillCamera(), ZxingScanner(), delivered, escalation=escalation)
    try:
        gray, _text = hard_frame()
        worker.arm()
        worker.process(Frame(gray, 1, 0.0))
        assert gated.entered.wait(10)
        worker.disarm()  # the clerk left the scan screen
        worker.arm()  # and came back: a new arm, the old frame's read must not count
        gated.gate.set()
        assert escalation.wait_idle(10)
        assert escalation.counts.read == 1
        assert delivered.texts == []
    finally:
        worker.close()
        escalation.close()


def test_policy_keeps_one_slot_and_refuses_frames_once_the_budget_is_spent() -> None:
    budget = CpuBudget(0.25, window_s=1.0, now=0.0)
    policy: EscalationPolicy[str] = EscalationPolicy(budget)
    assert policy.offer("a", 0.0) is Offered.SLOTTED
    assert policy.take(0.0) == "a"
    assert policy.take(0.0) is None  # one in flight
    assert policy.offer("b", 0.01) is Offered.SLOTTED
    assert policy.offer("c", 0.02) is Offered.REPLACED
    policy.finish(cpu_s=0.4, now=0.05)  # more than the whole balance: in debt
    assert policy.take(0.05) is None  # "c" is skipped, not kept for later
    assert policy.offer("d", 0.1) is Offered.SKIPPED
    # in debt by 0.15 s, paid back at a quarter of a second per second from 0.05 s: back
    # at zero at 0.65 s, but an escalation has cost 0.4 s, so the next waits until the
    # budget holds half its bucket (0.125 s), at 1.15 s
    assert policy.offer("e", 0.6) is Offered.SKIPPED
    assert policy.offer("f", 0.7) is Offered.SKIPPED
    assert policy.offer("g", 1.2) is Offered.SLOTTED
    assert policy.counts.skipped == 4


def test_budget_refills_at_its_share_and_saves_at_most_one_window() -> None:
    budget = CpuBudget(0.2, window_s=1.0, now=0.0)
    budget.charge(0.5, now=0.0)  # 0.2 - 0.5 = -0.3
    assert not budget.allows(1.0)  # -0.3 + 0.2 = -0.1
    assert budget.allows(2.0)  # +0.1
    assert budget.allows(100.0) and budget.balance == pytest.approx(0.2)
    with pytest.raises(ValueError):
        CpuBudget(0.0)


def test_escalation_stays_within_its_share_of_a_core_on_an_empty_grainy_desk() -> None:
    """30 fps of empty 720p frames for 3 s of a simulated clock, real decodes, real CPU.

    The desks include a blank slip that costs WeChat seconds: its process is stopped at
    the limit, and the budget, in debt, skips frames until it is paid back.
    """
    now = [0.0]
    limit_s = 0.3
    escalation: EscalationWorker[int] = EscalationWorker(
        lambda: WeChatProcess(limit_s), CpuBudget(0.25, now=0.0), clock=lambda: now[0]
    )
    worker = ScanWorker(StillCamera(), ZxingScanner(), Delivered(), escalation=escalation)
    desks = [grainy_desk(seed) for seed in range(6)]
    try:
        assert escalation.wait_loaded(10)
        worker.arm()
        frames = 90
        for index in range(frames):
            now[0] = index / 30
            worker.process(Frame(desks[index % len(desks)], index + 1, now[0]))
            assert escalation.wait_idle(10)
        budget = escalation.budget
        assert budget is not None
        seconds = frames / 30
        # the share over the run, plus what the bucket held at the start (one window),
        # plus the one decode that may overdraw it (the limit, and a restart's start-up)
        assert budget.spent <= 0.25 * seconds + budget.capacity + limit_s + 0.5
        assert 0 < escalation.counts.escalated < frames
        assert escalation.counts.skipped > 0
    finally:
        worker.close()
        escalation.close()


def test_escalation_switched_off_loads_no_models_and_reads_with_zxing_alone() -> None:
    settings = ScannerSection(escalation=False)
    assert build_escalation(settings) is None
    cascade = build_cascade(settings)
    assert cascade.escalation is None
    gray, _text = hard_frame()
    assert cascade.read(gray).decoder is None


def test_default_settings_escalate_within_a_quarter_of_a_core() -> None:
    settings = ScannerSection()
    assert settings.escalation and settings.cpu_share == 0.25
    escalation = build_escalation(settings)
    assert escalation is not None
    try:
        assert escalation.budget is not None and escalation.budget.share == 0.25
        assert escalation.wait_loaded(10)
    finally:
        escalation.close()


@pytest.mark.parametrize("eci", [True, False])
def test_wechat_reads_utf8_chinese_exactly_with_and_without_eci(eci: bool) -> None:
    assert WeChatDecoder().read(clean_qr(CHINESE, eci)) == [Symbol(CHINESE, "QRCode")]


def test_where_both_decoders_read_the_cascade_gives_zxings_text() -> None:
    cascade = Cascade(ZxingScanner(), WeChatDecoder())
    read = cascade.read(clean_qr(CHINESE, eci=False))
    assert read.decoder == "zxing" and [s.text for s in read.symbols] == [CHINESE]


def test_scan_command_says_which_decoder_read_each_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hard, hard_text = hard_frame()
    easy, _ = easy_frame()
    cv2.imwrite(str(tmp_path / "a-easy.png"), easy)
    cv2.imwrite(str(tmp_path / "b-hard.png"), hard)
    cv2.imwrite(str(tmp_path / "c-desk.png"), grainy_desk(1))
    code = cli_main(["scan", "--config", str(DEV_CONFIG), str(tmp_path)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["decoder"] for line in lines] == ["zxing", "wechat", None]
    assert lines[1]["text"] == hard_text
    assert lines[2]["error"] == "no_code_found"
    assert code == 1


def test_a_changed_model_file_stops_the_escalation_not_the_scan(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="appliance")
    models = tmp_path / "models"
    shutil.copytree(MODEL_DIR, models)
    (models / "sr.caffemodel").write_bytes((models / "sr.caffemodel").read_bytes()[:-1])
    with pytest.raises(ModelFileError, match="sr.caffemodel"):
        WeChatDecoder(models)
    escalation: EscalationWorker[int] = EscalationWorker(lambda: WeChatDecoder(models), None)
    delivered = Delivered()
    worker = ScanWorker(StillCamera(), ZxingScanner(), delivered, escalation=escalation)
    try:
        assert not escalation.wait_loaded(10)
        assert "event=scan.escalation_unavailable" in "\n".join(caplog.messages)
        gray, text = easy_frame()
        worker.arm()
        assert escalation.offer(hard_frame()[0], 0) is Offered.SKIPPED
        assert worker.process(Frame(gray, 1, 0.0)) and delivered.texts == [text]
    finally:
        worker.close()
        escalation.close()


def test_model_readme_lists_the_checksums_that_are_checked() -> None:
    readme = (MODEL_DIR / "README.md").read_text(encoding="utf-8")
    for name, digest in MODEL_SHA256.items():
        assert f"| `{name}` |" in readme and f"`{digest}`" in readme
    assert "Apache License" in (MODEL_DIR / "LICENSE").read_text(encoding="utf-8")


PLAIN_OPENCV = {"opencv-python", "opencv-python-headless", "opencv-contrib-python"}


def test_one_opencv_is_installed_the_contrib_headless_build() -> None:
    installed = {(d.metadata["Name"] or "").lower() for d in metadata.distributions()}
    assert "opencv-contrib-python-headless" in installed
    assert not installed & PLAIN_OPENCV
    assert hasattr(cv2, "wechat_qrcode") and cv2.__version__.startswith("4.")


def test_nothing_installed_or_locked_pulls_another_opencv_back() -> None:
    from packaging.requirements import Requirement

    for dist in metadata.distributions():
        for line in dist.requires or []:
            assert Requirement(line).name.lower() not in PLAIN_OPENCV, dist.metadata["Name"]
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    locked = {line.split("==")[0].lower() for line in lock.splitlines() if "==" in line}
    assert "opencv-contrib-python-headless" in locked and not locked & PLAIN_OPENCV


def test_a_frame_that_costs_wechat_more_than_its_limit_is_cut_off_and_counted() -> None:
    decoder = WeChatProcess(limit_s=0.2)
    try:
        started_cpu = decoder.last_cpu_s
        assert started_cpu > 0  # the child's start-up is reported for the budget
        assert decoder.read(grainy_desk(0, sigma=8)) == []  # seconds when not cut off
        assert decoder.overruns == 1
        assert decoder.last_cpu_s >= 0.2
        gray, text = hard_frame()
        assert [s.text for s in decoder.read(gray)] == [text]  # started again, reads on
        assert decoder.last_cpu_s > 0
    finally:
        decoder.close()


def test_the_escalations_process_ends_with_the_worker() -> None:
    holder: list[WeChatProcess] = []

    def load() -> WeChatProcess:
        holder.append(WeChatProcess())
        return holder[0]

    escalation: EscalationWorker[int] = EscalationWorker(load, None)
    assert escalation.wait_loaded(30)
    process = holder[0]._proc
    assert process is not None and process.poll() is None
    escalation.close()
    assert process.wait(5) == 0
