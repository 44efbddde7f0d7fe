"""`appliance demo` under a virtual display: real Kivy, real SoftHSM2, real SQLite.

One run drives a complete acceptance; the tests then read its screenshots, the receipt
it printed and the database it wrote.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from appliance.config import DEV_CONFIG
from tests.glyphs import glyph_problems, is_cjk

pytestmark = pytest.mark.ui

EXPECTED_SCREENS = {
    "01-login": "login", "03-home": "home", "04-appointment": "appointment",
    "05-search": "search", "06-scan-preview": "scan", "07-item": "item",
    "08-item-type": "item_type", "09-applicant": "applicant", "10-confirm": "confirm",
    "11-success": "success", "12-printed": "success", "13-stats": "stats",
}


def demo_config(tmp: Path) -> Path:
    text = DEV_CONFIG.read_text(encoding="utf-8").replace(
        'data_dir = "var/data"', f'data_dir = "{tmp / "data"}"')
    path = tmp / "appliance.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    tmp = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [sys.executable, "-m", "appliance", "demo", "--config", str(demo_config(tmp)),
         "--output", str(tmp / "out")],
        capture_output=True, text=True, timeout=180, env=env,
    )
    return result, tmp


def test_demo_exits_zero_and_names_its_folder_last(demo) -> None:
    result, tmp = demo
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == f"demo output: {tmp / 'out'}"


def test_every_screen_has_a_screenshot(demo) -> None:
    _, tmp = demo
    for name, screen in EXPECTED_SCREENS.items():
        assert (tmp / "out" / f"{name}.png").is_file(), name
        meta = json.loads((tmp / "out" / f"{name}.json").read_text(encoding="utf-8"))
        assert meta["screen"] == screen


def test_chinese_renders_as_glyphs_not_boxes(demo) -> None:
    _, tmp = demo
    checked = 0
    for name in EXPECTED_SCREENS:
        image = np.asarray(Image.open(tmp / "out" / f"{name}.png").convert("L"))
        meta = json.loads((tmp / "out" / f"{name}.json").read_text(encoding="utf-8"))
        for label in meta["labels"]:
            text = label["text"]
            if len(text) < 2 or not all(is_cjk(c) for c in text) or label["wraps"] \
                    or label["disabled"]:
                continue
            x, y, w, h = (round(v) for v in label["rect"])
            top = image.shape[0] - (y + h)
            crop = image[max(top, 0):top + h, max(x, 0):x + w]
            if crop.shape[1] < len(text) * 8:
                continue
            assert glyph_problems(crop, text) == [], (name, text)
            checked += 1
    assert checked >= 20


def test_screens_show_the_manual_words(demo) -> None:
    _, tmp = demo
    words = set()
    for name in EXPECTED_SCREENS:
        meta = json.loads((tmp / "out" / f"{name}.json").read_text(encoding="utf-8"))
        words |= {label["text"] for label in meta["labels"]}
    for word in ("二维码扫描", "按预约编号", "按服务事项查询", "获取条码", "开始预览", "停止预览",
                 "中山分厅待办", "部门内部系统", "打印回执"):
        assert word in words


def test_receipt_preview_and_bytes_are_saved(demo) -> None:
    _, tmp = demo
    job = (tmp / "out" / "receipt.bin").read_bytes()
    assert "办件回执".encode("gb18030") in job
    assert "离线受理，待同步".encode("gb18030") in job
    assert b"44200019900315123X" not in job
    decoded = zxingcpp.read_barcodes(Image.open(tmp / "out" / "receipt.png"))
    assert re.fullmatch(r"ZS-08-\d{8}-0001", decoded[0].text)


def test_the_acceptance_is_stored_with_its_outbox_row(demo) -> None:
    _, tmp = demo
    with sqlite3.connect(tmp / "data" / "appliance.db") as conn:
        rows = conn.execute(
            "SELECT s.item_code, s.item_type, s.queue_number, s.printed_count, o.state "
            "FROM submissions s JOIN outbox o ON o.submission_id = s.id").fetchall()
    assert rows == [("442000-GA-0101", "branch", "A023", 1, "pending")]


def test_logs_never_carry_the_pin_or_the_id_number(demo) -> None:
    result, _ = demo
    assert "123456" not in result.stderr
    assert "44200019900315123X" not in result.stderr
    assert "event=ui.first_frame" in result.stderr
