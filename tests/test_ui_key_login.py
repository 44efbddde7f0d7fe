"""The login screen under Xvfb: every key diagnosis in the manual's words, the PIN pad,
the status bar following the key, the idle lock and a pulled key.

One subprocess runs the real kiosk with a drawer of SoftHSM2 test keys on a fake USB bus
(``appliance_dev.demo.key_driver``); the tests read the screenshots and their label files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from appliance_dev.demo.key_driver import WALK_IDLE_MINUTES

from appliance.workflow.idle import IDLE_CHECK_S

pytestmark = pytest.mark.ui

EXPECTED = {
    "k01-not-detected": "未检测到电子钥匙，请检查USB接口",
    "k02-no-driver": "未安装电子钥匙驱动：检测到吉大正元电子钥匙",
    "k03-expired": "请向网建办提交业务需求表",
    "k04-not-yet-valid": "电子钥匙证书尚未生效",
    "k05-untrusted": "签发者：未知签发机构",
    "k06-expiring": "过期（还剩",
    "k07-wrong-pin": "PIN码错误，请重新输入",
    "k08-final-try": "再输错一次电子钥匙将被锁定",
    "k09-locked": "PIN码已锁定",
}
STATUS = {
    "k01-not-detected": "电子钥匙：未插入",
    "k02-no-driver": "电子钥匙：未安装驱动",
    "k03-expired": "电子钥匙：已过期",
    "k04-not-yet-valid": "电子钥匙：未生效",
    "k05-untrusted": "电子钥匙：不受信任",
    "k06-expiring": "电子钥匙：即将过期",
    "k09-locked": "电子钥匙：PIN已锁定",
    "k11-home": "电子钥匙：已插入",
    "k12-idle-locked": "电子钥匙：已插入",
    "k13-key-pulled": "电子钥匙：未插入",
    "k14-choose": "电子钥匙：请选择",
    "k15-chosen-home": "电子钥匙：已插入",
}


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    work = tmp_path_factory.mktemp("key-ui")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_NO_ARGS"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "appliance_dev.demo.key_driver", "--work", str(work)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    return result, work / "out"


def labels(out: Path, name: str) -> tuple[str, list[str]]:
    meta = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    return meta["screen"], meta["labels"]


def test_the_key_walk_finishes(walk) -> None:
    result, _ = walk
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_diagnosis_is_on_screen_in_the_manuals_words(walk, name: str) -> None:
    _, out = walk
    assert (out / f"{name}.png").is_file()
    screen, texts = labels(out, name)
    assert screen == "login"
    assert any(EXPECTED[name] in text for text in texts), texts


@pytest.mark.parametrize("name", list(STATUS))
def test_status_bar_says_what_the_key_is_not_what_the_session_is(walk, name: str) -> None:
    _, out = walk
    assert STATUS[name] in labels(out, name)[1]


def test_pin_pad_masks_the_digits(walk) -> None:
    _, out = walk
    _, texts = labels(out, "k10-pin-entry")
    assert "●●●●" in texts
    assert not any("2468" in text for text in texts)


def test_right_pin_reaches_home_and_a_pulled_key_locks(walk) -> None:
    _, out = walk
    assert labels(out, "k11-home")[0] == "home"
    screen, texts = labels(out, "k13-key-pulled")
    assert screen == "login"
    assert "未检测到电子钥匙，请检查USB接口" in texts


def test_one_wrong_pin_is_only_a_wrong_pin(walk) -> None:
    _, out = walk
    texts = labels(out, "k07-wrong-pin")[1]
    assert "PIN码错误，请重新输入" in texts
    assert not any("即将锁定" in text for text in texts)


def test_two_valid_keys_are_chosen_on_the_login_screen_and_the_chosen_one_logs_in(walk) -> None:
    _, out = walk
    screen, texts = labels(out, "k14-choose")
    assert screen == "login"
    assert "检测到2把可以登录的电子钥匙：请点选要登录的电子钥匙，再输入PIN码" in texts
    assert any(text.startswith("○ 陈晓明") for text in texts)
    assert any(text.startswith("○ 李华") for text in texts)
    screen, texts = labels(out, "k15-chosen-home")
    assert screen == "home"
    assert any(text.startswith("操作员：李") for text in texts), texts


def test_an_untouched_counter_locks_itself(walk) -> None:
    result, out = walk
    screen, texts = labels(out, "k12-idle-locked")
    assert screen == "login"
    assert "长时间未操作，已自动锁定，请重新输入PIN码" in texts
    assert "操作员：未登录" in texts
    stamps = {}
    for line in result.stderr.splitlines():
        if "target=LOGGED_IN" in line and "idle" not in stamps:
            stamps["login"] = line
        elif "event=key.idle_lock" in line:
            stamps["idle"] = line
            break
    login, idle = (datetime.fromisoformat(stamps[k].split()[0][3:]) for k in ("login", "idle"))
    limit_s = WALK_IDLE_MINUTES * 60
    assert limit_s <= (idle - login).total_seconds() <= limit_s + IDLE_CHECK_S + 5


def test_no_pin_in_the_logs(walk) -> None:
    result, _ = walk
    assert "246810" not in result.stderr
    assert "999999" not in result.stderr


def test_refused_pins_are_audited_with_their_reason(walk) -> None:
    from appliance.store.audit_check import verify_chain
    from appliance.store.db import connect

    _, out = walk
    db = connect(out.parent / "data" / "appliance.db")
    rows = db.execute(
        "SELECT entry FROM audit_log WHERE action = 'login.failure' ORDER BY seq"
    ).fetchall()
    entries = [json.loads(row[0]) for row in rows]
    assert entries == [
        {"attempts": 1, "reason": "wrong_pin"},
        {"attempts": 2, "reason": "wrong_pin"},
        {"attempts": 3, "reason": "pin_locked"},
    ]
    assert verify_chain(db).intact
