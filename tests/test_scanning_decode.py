"""The decode path: second pass only where a symbol was found, Chinese, `appliance scan`."""

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from appliance_dev.sim.replay_camera import TICKETS_DIR

from appliance.commands.cli import main as cli_main
from appliance.config import DEV_CONFIG
from appliance.domain.ticket import parse_ticket
from appliance.scanning import scanner as scanner_module
from appliance.scanning.scanner import ZxingScanner
from tests.qr_frames import clean_qr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from make_frames import render  # noqa: E402

CHINESE = (
    '{"v":1,"appt":"YY20261129000123","item":"442000-SB-0310","hall":"ZSFT",'
    '"ts":"2026-11-29T09:30:00+08:00","item_name":"社会保险参保登记"}'
)


def small_module_frame(seed: int) -> tuple[np.ndarray, str]:
    """A 720p benchmark frame with 1.6 px modules: zxing finds the QR but cannot read it."""
    return render((1280, 720), "module_size", 3, "ascii", np.random.default_rng([7, seed]))


class CountingSecondPass:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = ZxingScanner._retry

        def counted(scanner: ZxingScanner, crop: np.ndarray):
            self.calls += 1
            return original(scanner, crop)

        monkeypatch.setattr(ZxingScanner, "_retry", counted)


@pytest.mark.parametrize("seed", [1, 4, 5])
def test_second_pass_reads_a_found_but_undecoded_small_qr(seed: int) -> None:
    gray, text = small_module_frame(seed)
    assert ZxingScanner(second_pass=False).decode(gray) == []
    assert ZxingScanner().decode(gray) == [text]


def test_frames_that_decode_at_once_and_empty_frames_skip_the_second_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counter = CountingSecondPass(monkeypatch)
    scanner = ZxingScanner()
    assert len(scanner.decode(cv2.imread(str(TICKETS_DIR / "ticket-upright.png"), 0))) == 1
    assert scanner.decode(np.full((720, 1280), 85, dtype=np.uint8)) == []
    noise = np.random.default_rng(3).integers(0, 256, (720, 1280), dtype=np.uint8)
    assert scanner.decode(noise) == []
    assert counter.calls == 0


def test_second_pass_never_reads_a_different_text() -> None:
    gray, text = small_module_frame(0)  # found, and not even the second pass can read it
    assert ZxingScanner().decode(gray) in ([], [text])


def test_second_pass_crop_stays_inside_the_frame() -> None:
    class Point:
        def __init__(self, x: int, y: int) -> None:
            self.x, self.y = x, y

    class Position:
        top_left, top_right = Point(-5, -5), Point(30, -5)
        bottom_right, bottom_left = Point(30, 30), Point(-5, 30)

    crop = scanner_module._crop(np.zeros((20, 20), dtype=np.uint8), Position())
    assert crop.shape == (20, 20)


@pytest.mark.parametrize("eci", [True, False], ids=["with-eci", "without-eci"])
def test_utf8_chinese_payload_decodes_exactly_and_parses(eci: bool) -> None:
    assert ZxingScanner().decode(clean_qr(CHINESE, eci)) == [CHINESE]
    assert parse_ticket(CHINESE).item_name == "社会保险参保登记"


def scan_lines(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    code = cli_main(["scan", "--config", str(DEV_CONFIG), *args])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_scan_command_prints_one_json_line_per_image_in_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = scan_lines(capsys, str(TICKETS_DIR))
    by_name = {Path(line["file"]).name: line for line in lines}
    assert len(lines) == 6
    assert by_name["ticket-upright.png"]["ticket"]["queue_number"] == "A023"
    assert by_name["ticket-rotated.png"]["ticket"]["issued_at"] == "2026-11-29T09:30:00+08:00"
    assert by_name["ticket-unknown.png"]["error"] == "unknown_format"
    assert by_name["ticket-unknown.png"]["text"].startswith("https://shop.example.com/")
    assert all(line["ms"] >= 0 for line in lines)
    assert code == 1  # the coupon is not a ticket


def test_scan_command_reports_empty_and_unreadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "desk.png"
    cv2.imwrite(str(empty), np.full((480, 640), 90, dtype=np.uint8))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    chinese = tmp_path / "chinese.png"
    cv2.imwrite(str(chinese), clean_qr(CHINESE, eci=False))
    code, lines = scan_lines(capsys, str(empty), str(broken), str(chinese))
    assert [line.get("error") for line in lines] == ["no_code_found", "cannot_read_image", None]
    assert lines[2]["ticket"]["item_name"] == "社会保险参保登记"
    assert code == 1
