"""设备初始化 under Xvfb: a box not set up yet opens it instead of the login screen,
shows each device and the last refusal in Chinese, follows a new last-result.json, and
does not leave it. One subprocess runs the real kiosk (tests/provisioning_screen_child.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from appliance.provisioning.words import INSTRUCTION, REASONS, TITLE
from tests.glyphs import glyph_problems

pytestmark = pytest.mark.ui
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("provisioning-ui")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_NO_ARGS"] = "1"
    run = subprocess.run(
        [sys.executable, "-m", "tests.provisioning_screen_child", "--work", str(work)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-3000:] + (work / "out" / "result.json").read_text()
    return work / "out"


def labels(out: Path, name: str) -> tuple[str, list[dict]]:
    meta = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    return meta["screen"], meta["labels"]


def test_unprovisioned_box_opens_device_setup_with_the_refusal(out: Path) -> None:
    screen, found = labels(out, "p01-refused")
    texts = [label["text"] for label in found]
    assert screen == "provisioning"
    assert TITLE in texts and INSTRUCTION in texts
    assert any(REASONS["bad_signature"].chinese in text for text in texts)
    for device in ("摄像头：", "电子钥匙：", "打印机："):
        assert sum(text.startswith(device) for text in texts) >= 2  # status bar and screen


def test_the_screen_follows_a_new_result_and_stays_put(out: Path) -> None:
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert result["after_go_login"] == "provisioning"
    screen, found = labels(out, "p02-newer-refusal")
    assert screen == "provisioning"
    assert any(REASONS["not_newer"].chinese in label["text"] for label in found)


def test_the_title_renders_as_chinese_glyphs(out: Path) -> None:
    image = np.asarray(Image.open(out / "p01-refused.png").convert("L"))
    title = next(label for label in labels(out, "p01-refused")[1] if label["text"] == TITLE)
    x, y, w, h = (round(v) for v in title["rect"])
    top = image.shape[0] - (y + h)
    crop = image[max(top, 0) : top + h, max(x, 0) : x + w]
    assert crop.shape[1] >= len(TITLE) * 8
    assert glyph_problems(crop, TITLE) == []
