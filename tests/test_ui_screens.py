"""Every screen under Xvfb on its own, with fake actions instead of the app: a tap asks
for the right action, and what the actions answer is what the screen shows. One
subprocess builds them all (tests/screens_child.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.ui
ROOT = Path(__file__).resolve().parents[1]
FORM = {
    "name": "黄志明",
    "doc_type": "居民身份证",
    "number": "44200019900315123X",
    "phone": "13800138000",
}


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("screens")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_NO_ARGS"] = "1"
    run = subprocess.run(
        [sys.executable, "-m", "tests.screens_child", "--work", str(work)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads((work / "observed.json").read_text(encoding="utf-8"))


def scenario(observed: dict[str, Any], name: str) -> dict[str, Any]:
    found = observed[name]
    assert "error" not in found, found.get("error")
    return found


def test_login_sends_the_pin_typed(observed) -> None:
    login = scenario(observed, "login")
    assert login["calls"] == [["login", "1234"]]
    assert login["message"] == "正在验证…"


def test_login_lets_the_clerk_choose_among_several_valid_keys(observed) -> None:
    chooser = scenario(observed, "login_chooser")
    assert chooser["pad_disabled"]  # no PIN before a key is chosen
    assert chooser["buttons"] == [
        "○ 陈晓明（吉大正元，有效期至2027年12月01日）",
        "○ 王芳（GDCA，有效期至2028年03月15日）",
    ]
    assert chooser["calls"] == [["choose_key", 1]]
    assert chooser["after"][1].startswith("● 王芳")
    assert not chooser["pad_disabled_after"]
    assert chooser["one_key"] == []  # a single key needs no chooser
    assert Path(chooser["screenshot"]).stat().st_size > 10_000


def test_home_shows_the_owed_count_and_each_button_goes_where_it_says(observed) -> None:
    home = scenario(observed, "home")
    assert home["owed"] == "待打印回执 2 件"
    assert home["calls"] == [
        ["count_owed"],
        ["go", "owed"],
        ["go", "search"],
        ["go", "stats"],
        ["go", "diagnostics"],
        ["lock"],
    ]


def test_scan_previews_on_entry_and_arms_the_scanner(observed) -> None:
    assert scenario(observed, "scan")["calls"] == [
        ["start_preview"],
        ["arm_scan"],
        ["stop_preview"],
        ["go", "home"],
    ]


def test_appointment_looks_up_the_number_typed(observed) -> None:
    assert scenario(observed, "appointment")["calls"] == [
        ["find_appointment", "YY20261129000311"],
        ["go", "home"],
    ]


def test_search_follows_each_keystroke_and_chooses_the_item_tapped(observed) -> None:
    search = scenario(observed, "search")
    assert search["found"] == ["住房公积金提取"]
    assert search["calls"] == [
        ["refresh_catalogue"],
        ["search_catalogue", "g", 6],
        ["search_catalogue", "gj", 6],
        ["search_catalogue", "gjj", 6],
        ["choose_item", "11442000MB2D12345X"],
        ["go", "home"],
    ]


def test_item_shows_the_draft_and_goes_on_to_the_item_type(observed) -> None:
    item = scenario(observed, "item")
    assert "事项名称：住房公积金提取" in item["details"] and "叫号：A023" in item["details"]
    assert item["calls"] == [["go", "item_type"], ["back"]]


def test_item_type_chooses_the_type_tapped(observed) -> None:
    assert scenario(observed, "item_type")["calls"] == [
        ["choose_type", "department"],
        ["go", "item"],
    ]


def test_applicant_keeps_the_form_and_enters_the_booked_applicant(observed) -> None:
    assert scenario(observed, "applicant")["calls"] == [
        ["keep_form", FORM],
        ["enter_applicant", "黄志明", "resident_id", "44200019900315123X", "13800138000", False],
        ["back"],
    ]


def test_the_card_reader_is_armed_only_while_the_applicant_screen_is_shown(observed) -> None:
    assert scenario(observed, "applicant_armed")["seen"] == [
        ["applicant", ["arm_reader"]],
        ["confirm", ["disarm_reader"]],
        ["applicant", ["arm_reader"]],
        ["item_type", ["disarm_reader"]],
    ]


def test_a_card_laid_fills_name_type_and_number_and_they_stay_editable(observed) -> None:
    card = scenario(observed, "applicant_card")
    assert card["form"] == {
        "name": "林小满",
        "doc_type": "居民身份证",
        "number": "442000199003070317",
        "phone": "13800138000",  # typed before the card was laid: kept
    }
    assert card["message"] == "已读取居民身份证，证件在有效期内"
    assert not card["accept_offered"]
    assert card["calls"][0] == [
        "enter_applicant",
        "林小满",
        "resident_id",
        "442000199003070317",
        "13800138000",
        False,
    ]
    # typed over on the keys: the field changes, and the card's note goes with its number
    assert card["edited"] == {
        "form": {**card["form"], "number": "442000199003070315"},
        "message": "",
    }
    # kept in the draft as edited (the debounced keep may also fire in between on a slow run)
    kept = [call for call in card["calls"] if call[0] == "keep_form"]
    assert kept[-1] == ["keep_form", card["edited"]["form"]]


def test_an_expired_card_goes_on_only_through_the_explicit_choice(observed) -> None:
    expired = scenario(observed, "applicant_card_expired")
    assert expired["form"]["number"] == "442000199511020025"
    assert expired["message"] == (
        "证件已过期（有效期至2020年06月01日）：请核对证件，如确需受理请点击“仍然受理”"
    )
    assert expired["accept_offered"]
    number = ["林小满", "resident_id", "442000199511020025", "13800138000"]
    entered = [call for call in expired["calls"] if call[0] == "enter_applicant"]
    assert entered == [
        ["enter_applicant", *number, False],  # 下一步: the counter refuses it
        ["enter_applicant", *number, True],  # 仍然受理
    ]
    assert expired["after_edit"] == {"message": "", "accept_offered": False}
    assert expired["asked_again"]


def test_a_card_whose_number_fails_gb_11643_is_reported_with_the_reason(observed) -> None:
    bad = scenario(observed, "applicant_card_bad_number")
    assert bad["message"] == ("证件芯片号码有误（校验位错误：最后一位应为4，请逐位核对证件号码）")
    assert bad["form"]["number"] == "442000199003070310"  # shown, to compare with the card
    assert not bad["accept_offered"] and bad["calls"] == []


def test_confirm_says_the_expired_card_was_accepted_by_choice(observed) -> None:
    summary = scenario(observed, "confirm_card_accepted")["summary"]
    assert summary.endswith(
        "证件核验：证件已过期（有效期至2020年06月01日），窗口人员已确认仍然受理"
    )


def test_confirm_shows_the_applicant_and_submits(observed) -> None:
    confirm = scenario(observed, "confirm")
    assert "姓名：黄志明" in confirm["summary"]
    assert confirm["calls"] == [["change_type", "department"], ["submit"], ["back"]]


def test_success_shows_the_receipt_loaded_and_prints(observed) -> None:
    success = scenario(observed, "success")
    assert "回执编号：ZS-0001" in success["summary"]
    assert "已同步至分厅服务器" in success["summary"]
    assert success["preview"] == [64, 128] and success["reprint_disabled"]
    assert success["calls"] == [["load_receipt", "sub-1"], ["print_receipt"], ["next_applicant"]]


def test_stats_shows_the_counts_loaded(observed) -> None:
    stats = scenario(observed, "stats")
    assert stats["table"].startswith("今日受理合计：3 件")
    assert stats["calls"] == [["load_stats"], ["go", "home"]]


def test_diagnostics_opens_with_the_pin_then_runs_and_prints_the_selftest(observed) -> None:
    diagnostics = scenario(observed, "diagnostics")
    assert diagnostics["locked"] == [True, True]
    assert diagnostics["info"] == "软件版本：0.1.0"
    assert diagnostics["results"].startswith("打印机：通过")
    assert diagnostics["message"] == "自检单已打印"
    assert diagnostics["calls"] == [
        ["open_diagnostics", "1234"],
        ["run_selftest"],
        ["print_selftest_slip", ["printer"]],
        ["go", "home"],
    ]


def test_owed_receipts_lists_and_reprints(observed) -> None:
    owed = scenario(observed, "owed")
    assert owed["rows"] == ["ZS-0001　住房公积金提取　黄*明　11-29 09:30受理（缺纸）"]
    assert owed["message"] == "回执 ZS-0001 已打印，请交给办事人"
    assert owed["calls"] == [
        ["load_owed"],
        ["reprint_owed", "ZS-0001"],
        ["load_owed"],
        ["go", "home"],
    ]


def test_a_failed_reprint_reloads_the_list_and_shows_the_error(observed) -> None:
    assert scenario(observed, "owed_failed")["calls"] == [
        ["load_owed"],
        ["reprint_owed", "ZS-0001"],
        ["load_owed"],
        ["show_error", "printer gone"],
        ["go", "home"],
    ]


def test_status_bar_leaves_no_gap_for_a_missing_reader(observed) -> None:
    bar = scenario(observed, "status_bar")
    assert bar["reader_width"] == 0
    camera_to_printer, printer_to_network = bar["gaps"]
    assert camera_to_printer > 0 and printer_to_network == camera_to_printer
