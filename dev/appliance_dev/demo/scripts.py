"""The scripted runs of ``appliance demo --script``: what a clerk does, tap by tap.

``acceptance`` (the default, and what ``make run`` shows headless) takes each of the
three look-ups to a printed receipt and counts the taps from an appointment ticket under
the camera to the receipt. ``faults`` meets every refusal and fault on the way and
leaves an acceptance half typed; ``resume`` restarts into it and finishes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from appliance.store.appointments import save_appointments
from appliance.store.stats import day_stats
from appliance.wiring import demo_appointments, hall_now
from appliance.workflow.acceptance import FlowState
from appliance_dev.sim.fake_usb import DEMO_KEY
from appliance_dev.sim.fresh_appointments import draw_booked_ticket, fresh_numbers, renumber
from appliance_dev.sim.replay_camera import bundled_tickets
from appliance_dev.sim.softhsm import DEMO_PIN

if TYPE_CHECKING:
    from appliance_dev.demo.driver import DemoDriver
    from appliance_dev.sim.fake_usb import FakeUsbBus
    from appliance_dev.sim.file_printer import FilePrinter
    from appliance_dev.sim.replay_camera import ReplayCamera

WALK_IN_TICKET = 0  # ticket-upright.png: a queue ticket naming 居民身份证换领
WRONG_NUMBERS = {
    "check_digit": "442000199003151234",
    "old_15_digits": "442000900315123",
    "birth_date": "442000199002301237",
    "future_birth": "442000209901011230",
}
REFUSED_APPOINTMENTS = {
    "unknown": "20261129555555",
    "expired": "20261127000311",
    "used": "20261129000200",
    "other_hall": "20261129000999",
}


def login(d: DemoDriver, shoot: bool = False) -> None:
    d.on_screen("login")
    d.wait("the demo key", lambda: bool(d.app.key_holder))
    if shoot:
        d.shoot("01-login")
    d.tap(*DEMO_PIN)
    if shoot:
        d.shoot("02-login-pin-entry")
    d.tap("确定")
    d.wait("login", lambda: d.app.manager.current != "login")


def printed(d: DemoDriver, copies: int = 1) -> None:
    d.wait(
        "the printed receipt",
        lambda: (
            d.app.counter.flow.state is FlowState.RECEIPT_PRINTED
            and d.app.counter.flow.draft.copies_printed >= copies
        ),
    )


def type_keys(d: DemoDriver, keys: str) -> None:
    d.tap(*(key.upper() if key.isalpha() and key.isascii() else key for key in keys))


def type_name(d: DemoDriver, syllables: list[tuple[str, str]]) -> None:
    """Each (pinyin, character): tap the letters, then the character in the candidate bar."""
    d.on_main(lambda: setattr(d.app.screens["applicant"].name_input, "focus", True))
    for pinyin, char in syllables:
        d.tap(*pinyin.upper(), char)


def keyboard(d: DemoDriver, text: str) -> None:
    """Type on a physical keyboard into the focused field, as the window delivers it."""
    from kivy.core.window import Window

    def send() -> None:
        for char in text:
            Window.dispatch("on_textinput", char)

    d.on_main(send)


def focus(d: DemoDriver, field: str) -> None:
    d.on_main(lambda: setattr(getattr(d.app.screens["applicant"], field), "focus", True))


def scan(d: DemoDriver, ticket: int | Path) -> None:
    """Lay the ticket under the camera, open 二维码扫描 and wait for its live preview."""
    camera = cast("ReplayCamera", d.app.services.camera)  # the demo runs on the simulators
    camera.show(bundled_tickets()[ticket] if isinstance(ticket, int) else ticket)
    d.tap("二维码扫描")
    d.on_screen("scan")
    d.wait("a preview frame", lambda: d.app.screens["scan"].preview.texture is not None)
    time.sleep(0.3)  # a few frames at 10 fps: the preview now shows this ticket


def book_fresh(d: DemoDriver) -> tuple[Path, str]:
    """Rebook the bundled 李华 and 王芳 appointments under new numbers for this run.

    Returns the ticket to scan and the number (without "YY") to type.
    """
    today = hall_now().date()
    bundled = {a.applicant.name: a for a in demo_appointments(today)}
    scanned_number, typed_number = fresh_numbers(today, 2)
    scanned = renumber(bundled["李华"], scanned_number, today)
    typed = renumber(bundled["王芳"], typed_number, today)
    d.in_background(lambda: save_appointments(d.app.services.db, [scanned, typed]))
    return draw_booked_ticket(scanned, d.output), typed_number.removeprefix("YY")


def accepted_today(d: DemoDriver) -> int:
    return d.in_background(
        lambda: day_stats(d.app.services.db, hall_now().date().isoformat()).total
    )


def acceptance(d: DemoDriver) -> None:
    login(d, shoot=True)
    d.on_screen("home")
    d.shoot("03-home")
    booked_ticket, typed_number = book_fresh(d)
    before = accepted_today(d)

    d.taps = 0
    scan(d, booked_ticket)
    d.shoot("06-scan-preview")
    on_scan_screen = d.taps
    d.tap("获取条码")
    d.on_screen("confirm")
    d.shoot("07-confirm-booked")
    d.tap("提交并打印回执")
    d.on_screen("success")
    printed(d)
    d.findings["taps_ticket_to_receipt"] = d.taps  # from the 窗口受理 home screen
    d.findings["taps_on_scan_screen_to_receipt"] = d.taps - on_scan_screen
    d.shoot("08-success-scan")
    d.copy_receipt("scan-")
    d.tap("下一位")

    d.on_screen("home")
    d.tap("按预约编号")
    d.on_screen("appointment")
    type_keys(d, typed_number)
    d.shoot("09-appointment")
    d.tap("查询")
    d.on_screen("confirm")
    d.shoot("10-confirm-appointment")
    d.tap("提交并打印回执")
    printed(d)
    d.copy_receipt("appointment-")
    d.tap("下一位")

    d.on_screen("home")
    d.tap("按服务事项查询")
    d.on_screen("search")
    type_keys(d, "zfgjj")
    d.wait(
        "search results",
        lambda: any(
            "住房公积金提取" in getattr(w, "text", "")
            for w in d.app.screens["search"].results.children
        ),
    )
    d.shoot("11-search")
    d.on_main(
        lambda: next(
            w
            for w in d.app.screens["search"].results.children
            if getattr(w, "text", "").startswith("住房公积金提取\n")
        ).trigger_action(duration=0)
    )
    d.on_screen("item")
    d.shoot("12-item")
    d.tap("办理")
    d.on_screen("item_type")
    d.shoot("13-item-type")
    d.tap("部门内部系统")
    d.on_screen("applicant")
    type_name(d, [("huang", "黄"), ("zhi", "志"), ("ming", "明")])
    focus(d, "number_input")
    type_keys(d, d.applicant.id_number)
    focus(d, "phone_input")
    type_keys(d, d.applicant.phone)
    d.shoot("14-applicant")
    d.tap("下一步")
    d.on_screen("confirm")
    d.shoot("15-confirm")
    d.tap("提交并打印回执")
    d.on_screen("success")
    printed(d)
    d.shoot("16-printed")
    d.copy_receipt()
    d.tap("下一位")
    d.on_screen("home")
    d.tap("今日统计")
    d.on_screen("stats")
    d.wait("the statistics", lambda: f"合计：{before + 3} 件" in d.app.screens["stats"].table.text)
    d.shoot("17-stats")
    d.tap("返回")
    d.on_screen("home")
    d.tap("系统诊断")
    d.on_screen("diagnostics")
    d.tap(*DEMO_PIN, "确定")
    d.wait("the diagnostics", lambda: "数据库结构版本" in d.app.screens["diagnostics"].info.text)
    d.shoot("18-diagnostics")
    selftest(d)
    d.tap("返回")


def selftest(d: DemoDriver) -> None:
    """运行自检 on 系统诊断, then 打印自检单 (issue 9)."""
    diagnostics = d.app.screens["diagnostics"]
    d.tap("运行自检")
    d.wait("the self-test", lambda: "自检结论" in diagnostics.results.text)
    d.findings["selftest_lines"] = d.on_main(lambda: diagnostics.results.text.splitlines())
    d.shoot("19-selftest")
    d.tap("打印自检单")
    d.wait("the readiness slip", lambda: "自检单已打印" in d.current_message())
    d.copy_receipt("selftest-")


def faults(d: DemoDriver) -> None:
    login(d)
    d.on_screen("home")
    d.tap("按预约编号")
    d.on_screen("appointment")
    refused = {}
    for reason, number in REFUSED_APPOINTMENTS.items():
        d.tap("清除")
        type_keys(d, number)
        d.tap("查询")
        d.wait(f"the {reason} message", lambda: bool(d.current_message()))
        refused[reason] = d.message()
        if reason == "expired":
            d.shoot("20-appointment-expired")
    d.findings["appointment_messages"] = refused
    d.tap("返回")

    d.on_screen("home")
    scan(d, WALK_IN_TICKET)
    d.tap("获取条码")
    d.on_screen("item")
    d.tap("办理")
    d.on_screen("item_type")
    d.tap("中山分厅待办")
    d.on_screen("applicant")
    type_name(d, [("a", "阿"), ("li", "力"), ("mu", "木")])
    d.tap("·")
    type_name(d, [("mai", "买"), ("mai", "买"), ("ti", "提")])
    wrong = {}
    for reason, number in WRONG_NUMBERS.items():
        focus(d, "number_input")
        d.tap("清除")
        type_keys(d, number)
        d.tap("下一步")
        d.wait(f"the {reason} message", lambda: bool(d.current_message()))
        wrong[reason] = d.message()
        if reason == "check_digit":
            d.shoot("21-wrong-check-digit")
        d.on_main(lambda: setattr(d.app.screens["applicant"].message, "text", ""))
    d.findings["wrong_number_messages"] = wrong
    focus(d, "number_input")
    d.tap("清除")
    type_keys(d, "44200019900315123x")

    cast("FakeUsbBus", d.app.services.usb).unplug(DEMO_KEY)
    pulled = time.monotonic()
    d.on_screen("login")
    d.findings["locked_after_pull_s"] = round(time.monotonic() - pulled, 2)
    d.shoot("22-key-pulled")
    cast("FakeUsbBus", d.app.services.usb).plug(DEMO_KEY)
    login(d)
    d.on_screen("applicant")
    screen = d.app.screens["applicant"]
    d.findings["kept_after_pull"] = d.on_main(lambda: screen.form())
    d.shoot("23-after-relogin")

    d.tap("下一步")
    d.on_screen("confirm")
    cast("FilePrinter", d.app.services.printer).set_fault("paper_out")
    d.tap("提交并打印回执")
    d.on_screen("success")
    d.wait("the paper-out message", lambda: "缺纸" in d.current_message())
    d.findings["paper_out_message"] = d.message()
    d.findings["status_bar_after_submit"] = d.on_main(
        lambda: {k: v.text for k, v in d.app.status_bar.fields.items()}
    )
    d.shoot("24-paper-out")
    d.tap("下一位")  # the applicant cannot wait: the receipt is owed (issue 6)
    d.on_screen("home")
    d.wait("the owed receipt", lambda: d.app.screens["home"].owed.text == "待打印回执 1 件")
    d.shoot("25-home-receipt-owed")
    d.tap("按服务事项查询")
    d.on_screen("search")
    type_keys(d, "shbzk")
    d.wait("search results", lambda: len(d.app.screens["search"].results.children) > 2)
    d.on_main(lambda: d.app.screens["search"].results.children[-1].trigger_action(duration=0))
    d.on_screen("item")
    d.tap("办理")
    d.on_screen("item_type")
    d.tap("中山分厅待办")
    d.on_screen("applicant")
    type_name(d, [("ou", "欧"), ("yang", "阳")])
    focus(d, "number_input")
    type_keys(d, "442000197803150017")
    time.sleep(0.8)  # the form is kept 0.4 s after the last keystroke
    d.findings["left_half_typed"] = d.on_main(lambda: screen.form())
    d.shoot("26-left-half-typed")


def resume(d: DemoDriver) -> None:
    login(d)
    d.on_screen("applicant")
    screen = d.app.screens["applicant"]
    d.findings["restored"] = d.on_main(lambda: screen.form())
    d.shoot("30-restored")
    focus(d, "name_input")
    keyboard(d, "xiao ")  # a physical keyboard: space takes the first candidate
    keyboard(d, "dong")
    d.findings["keyboard_candidates"] = d.on_main(
        lambda: screen.name_input.composer.page_of(screen.name_input.text)
    )
    keyboard(d, "2")  # …and a digit takes that candidate
    d.tap("下一步")
    d.on_screen("confirm")
    d.tap("提交并打印回执")
    d.on_screen("success")
    printed(d)
    d.shoot("31-printed")
    d.copy_receipt()
    d.tap("下一位")
    owed_after_restart(d)


def owed_after_restart(d: DemoDriver) -> None:
    """The receipt owed since the paper ran out before the restart: 重新打印 from the list."""
    d.on_screen("home")
    home, owed = d.app.screens["home"], d.app.screens["owed"]
    d.wait("the owed receipt", lambda: home.owed.text == "待打印回执 1 件")
    d.shoot("32-home-receipt-owed")
    d.tap("待打印回执 1 件")
    d.on_screen("owed")
    d.wait(
        "the owed list", lambda: any(getattr(w, "text", "") == "重新打印" for w in owed.rows.walk())
    )
    d.findings["owed_list"] = d.on_main(
        lambda: [w.text for w in owed.rows.walk() if "受理（" in getattr(w, "text", "")]
    )
    d.shoot("33-owed-receipts")
    d.tap("重新打印")
    d.wait("the reprint", lambda: "已打印" in d.current_message())
    d.wait(
        "the emptied list",
        lambda: any(getattr(w, "text", "") == "没有待打印的回执" for w in owed.rows.walk()),
    )
    d.findings["owed_printed_message"] = d.message()
    d.shoot("34-owed-printed")
    d.copy_receipt("owed-")
    d.tap("返回")
    d.on_screen("home")
    d.wait("no owed receipt", lambda: home.owed.disabled)


SCRIPTS: dict[str, Callable[[DemoDriver], None]] = {
    "acceptance": acceptance,
    "faults": faults,
    "resume": resume,
}
