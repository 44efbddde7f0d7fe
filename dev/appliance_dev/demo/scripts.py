"""The scripted runs of ``appliance demo --script``: what a clerk does, tap by tap.

``acceptance`` (the default, and what ``make run`` shows headless) takes each of the
three look-ups to a printed receipt, counts the taps from an appointment ticket under
the camera to the receipt, and serves a walk-in applicant by laying the fictional ID
card on the simulated reader. ``faults`` meets every refusal and fault on the way (an
expired card and one whose number fails among them) and leaves an acceptance half
typed; ``resume`` restarts into it and finishes it. ``walk_in`` is ``make bench
BENCH=flow``'s: a walk-in applicant typed and by card, tap by tap, and the time from a
card laid on the reader to the fields filled.

Every run starts with the simulated reader empty (the development configuration lays
a card on it at start, for a clerk trying the kiosk by hand); a walk lays the card it
needs with :func:`lay_card`.

Buttons are tapped by their id in the wording catalogue (``d.tap("confirm.submit")``),
key caps that are data as they are (``d.tap_keys("1", "A", "黄")``); see
:mod:`appliance_dev.demo.script_driver`.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from appliance.store.appointments import save_appointments
from appliance.store.stats import day_stats
from appliance.ui.name_composer import SEPARATOR
from appliance.wiring import demo_appointments, hall_now
from appliance.wording import text
from appliance.workflow.acceptance import FlowState
from appliance_dev.demo.script_driver import ScriptFailed
from appliance_dev.sim.fake_usb import DEMO_KEY
from appliance_dev.sim.fresh_appointments import draw_booked_ticket, fresh_numbers, renumber
from appliance_dev.sim.id_cards import CARDS
from appliance_dev.sim.replay_camera import bundled_tickets
from appliance_dev.sim.softhsm import DEMO_PIN

if TYPE_CHECKING:
    from appliance_dev.demo.driver import DemoDriver
    from appliance_dev.sim.fake_usb import FakeUsbBus
    from appliance_dev.sim.file_printer import FilePrinter
    from appliance_dev.sim.id_reader import SimulatedSamModule
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


FILL_SAMPLES = 12  # placements timed by the walk_in run


def reader(d: DemoDriver) -> SimulatedSamModule:
    """The simulated SAM module the kiosk's reader talks to (the demo runs on it)."""
    sim = d.app.services.id_reader_sim
    if sim is None:
        raise ScriptFailed("the demo needs [id_reader] backend = 'sim'")
    return cast("SimulatedSamModule", sim)


def lift_card(d: DemoDriver) -> None:
    reader(d).remove()


def lay_card(d: DemoDriver, card: str) -> float:
    """Lay the fictional ``card`` on the reader; returns when (time.monotonic())."""
    sim = reader(d)
    sim.remove()
    laid = time.monotonic()
    sim.place(card)
    return laid


def armed_on(d: DemoDriver, screen: str) -> bool:
    """Whether the kiosk reads cards while ``screen`` is shown (once it settled)."""
    d.on_screen(screen)
    time.sleep(0.2)  # the screen's enter and the previous one's leave have run
    service = d.app.services.id_reader
    assert service is not None
    return service.armed


def card_filled(d: DemoDriver, card: str) -> None:
    number = CARDS[card].number
    d.wait(
        f"the fields filled from {card}",
        lambda: d.app.screens["applicant"].number_input.text == number,
    )


def login(d: DemoDriver, shoot: bool = False) -> None:
    d.on_screen("login")
    d.wait("the demo key", lambda: bool(d.app.key_holder))
    if shoot:
        d.shoot("01-login")
    d.tap_keys(*DEMO_PIN)
    if shoot:
        d.shoot("02-login-pin-entry")
    d.tap("pin.confirm")
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
    d.tap_keys(*(key.upper() if key.isalpha() and key.isascii() else key for key in keys))


def type_name(d: DemoDriver, syllables: list[tuple[str, str]]) -> None:
    """Each (pinyin, character): tap the letters, then the character in the candidate bar."""
    d.on_main(lambda: setattr(d.app.screens["applicant"].name_input, "focus", True))
    for pinyin, char in syllables:
        d.tap_keys(*pinyin.upper(), char)


def keyboard(d: DemoDriver, typed: str) -> None:
    """Type on a physical keyboard into the focused field, as the window delivers it."""
    from kivy.core.window import Window

    def send() -> None:
        for char in typed:
            Window.dispatch("on_textinput", char)

    d.on_main(send)


def focus(d: DemoDriver, field: str) -> None:
    d.on_main(lambda: setattr(getattr(d.app.screens["applicant"], field), "focus", True))


def scan(d: DemoDriver, ticket: int | Path) -> None:
    """Lay the ticket under the camera, open 二维码扫描 and wait for its live preview."""
    camera = cast("ReplayCamera", d.app.services.camera)  # the demo runs on the simulators
    camera.show(bundled_tickets()[ticket] if isinstance(ticket, int) else ticket)
    d.tap("lookup.qr")
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
    lift_card(d)
    login(d, shoot=True)
    d.on_screen("home")
    d.shoot("03-home")
    booked_ticket, typed_number = book_fresh(d)
    before = accepted_today(d)

    d.taps = 0
    scan(d, booked_ticket)
    d.shoot("06-scan-preview")
    on_scan_screen = d.taps
    d.tap("scan.read")
    d.on_screen("confirm")
    d.shoot("07-confirm-booked")
    d.tap("confirm.submit")
    d.on_screen("success")
    printed(d)
    d.findings["taps_ticket_to_receipt"] = d.taps  # from the 窗口受理 home screen
    d.findings["taps_on_scan_screen_to_receipt"] = d.taps - on_scan_screen
    d.shoot("08-success-scan")
    d.copy_receipt("scan-")
    d.tap("success.next")

    d.on_screen("home")
    d.tap("lookup.appointment")
    d.on_screen("appointment")
    type_keys(d, typed_number)
    d.shoot("09-appointment")
    d.tap("appointment.find")
    d.on_screen("confirm")
    d.shoot("10-confirm-appointment")
    d.tap("confirm.submit")
    printed(d)
    d.copy_receipt("appointment-")
    d.tap("success.next")

    d.on_screen("home")
    d.tap("lookup.search")
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
    d.tap("item.handle")
    d.on_screen("item_type")
    d.shoot("13-item-type")
    d.tap("item_type.department")
    d.on_screen("applicant")
    type_name(d, [("huang", "黄"), ("zhi", "志"), ("ming", "明")])
    focus(d, "number_input")
    type_keys(d, d.applicant.id_number)
    focus(d, "phone_input")
    type_keys(d, d.applicant.phone)
    d.shoot("14-applicant")
    d.tap("applicant.next")
    d.on_screen("confirm")
    d.shoot("15-confirm")
    d.tap("confirm.submit")
    d.on_screen("success")
    printed(d)
    d.shoot("16-printed")
    d.copy_receipt()
    d.tap("success.next")
    card_walk_in(d)
    d.on_screen("home")
    d.tap("stats.title")
    d.on_screen("stats")
    total = text("stats.total", count=before + 4)
    d.wait("the statistics", lambda: total in d.app.screens["stats"].table.text)
    d.shoot("20-stats")
    d.tap("common.back")
    d.on_screen("home")
    d.tap("diagnostics.title")
    d.on_screen("diagnostics")
    d.tap_keys(*DEMO_PIN)
    d.tap("pin.confirm")
    diagnostics = d.app.screens["diagnostics"]
    d.wait("the diagnostics", lambda: not diagnostics.run_button.disabled)  # opened
    d.shoot("21-diagnostics")
    selftest(d)
    d.tap("common.back")


def search_item(d: DemoDriver, query: str, name: str) -> None:
    """按服务事项查询 from the home screen: type ``query``, tap the item ``name``."""
    d.on_screen("home")
    d.tap("lookup.search")
    d.on_screen("search")
    d.tap("keys.clear")
    type_keys(d, query)
    results = d.app.screens["search"].results
    d.wait(
        "search results",
        lambda: any(getattr(w, "text", "").startswith(f"{name}\n") for w in results.children),
    )
    d.on_main(
        lambda: next(
            w for w in results.children if getattr(w, "text", "").startswith(f"{name}\n")
        ).trigger_action(duration=0)
    )
    d.on_screen("item")


def card_walk_in(d: DemoDriver) -> None:
    """A walk-in applicant by card: 办理, the item type, the fictional 林小满's card laid
    on the simulated reader (the real protocol code over a pseudo-terminal), and the
    kiosk goes on to 确认提交 by itself; 返回修改 shows the filled fields, still editable
    (the phone is added by hand), then the receipt."""
    search_item(d, "shbzk", "社会保障卡补领")
    armed = {"item": armed_on(d, "item")}
    d.tap("item.handle")
    armed["item_type"] = armed_on(d, "item_type")
    d.tap("item_type.branch")
    armed["applicant"] = armed_on(d, "applicant")
    d.shoot("17-applicant-before-card")
    laid = lay_card(d, "resident_id")
    card_filled(d, "resident_id")
    d.findings["card_fill_s"] = round(time.monotonic() - laid, 3)
    armed["confirm"] = armed_on(d, "confirm")
    d.shoot("18-confirm-card")
    d.tap("confirm.back")
    d.on_screen("applicant")
    focus(d, "phone_input")
    type_keys(d, d.applicant.phone)
    d.shoot("19-applicant-card")  # the filled applicant screen
    screen = d.app.screens["applicant"]
    d.findings["card_form"] = d.on_main(screen.form)
    d.findings["card_note"] = d.message()
    d.tap("applicant.next")
    d.on_screen("confirm")
    d.tap("confirm.submit")
    armed["success"] = armed_on(d, "success")
    printed(d)
    d.findings["reader_armed"] = armed
    d.findings["card_form_after_submit"] = d.on_main(screen.form)
    d.findings["draft_card_after_submit"] = d.app.counter.flow.draft.card is not None
    d.copy_receipt("card-")
    lift_card(d)
    d.tap("success.next")


def selftest(d: DemoDriver) -> None:
    """运行自检 on 系统诊断, then 打印自检单 (issue 9)."""
    diagnostics = d.app.screens["diagnostics"]
    d.tap("diagnostics.run")
    d.wait("the self-test", lambda: bool(diagnostics.checks))
    d.findings["selftest_lines"] = d.on_main(lambda: diagnostics.results.text.splitlines())
    d.shoot("22-selftest")
    d.tap("diagnostics.print_slip")
    slip_printed = text("diagnostics.slip_printed")
    d.wait("the readiness slip", lambda: d.current_message() == slip_printed)
    d.copy_receipt("selftest-")


def faults(d: DemoDriver) -> None:
    lift_card(d)
    login(d)
    d.on_screen("home")
    d.tap("lookup.appointment")
    d.on_screen("appointment")
    refused = {}
    for reason, number in REFUSED_APPOINTMENTS.items():
        d.tap("keys.clear")
        type_keys(d, number)
        d.tap("appointment.find")
        d.wait(f"the {reason} message", lambda: bool(d.current_message()))
        refused[reason] = d.message()
        if reason == "expired":
            d.shoot("20-appointment-expired")
    d.findings["appointment_messages"] = refused
    d.tap("common.back")
    card_faults(d)

    d.on_screen("home")
    scan(d, WALK_IN_TICKET)
    d.tap("scan.read")
    d.on_screen("item")
    d.tap("item.handle")
    d.on_screen("item_type")
    d.tap("item_type.branch")
    d.on_screen("applicant")
    type_name(d, [("a", "阿"), ("li", "力"), ("mu", "木")])
    d.tap_keys(SEPARATOR)
    type_name(d, [("mai", "买"), ("mai", "买"), ("ti", "提")])
    wrong = {}
    for reason, number in WRONG_NUMBERS.items():
        focus(d, "number_input")
        d.tap("keys.clear")
        type_keys(d, number)
        d.tap("applicant.next")
        d.wait(f"the {reason} message", lambda: bool(d.current_message()))
        wrong[reason] = d.message()
        if reason == "check_digit":
            d.shoot("21-wrong-check-digit")
        d.on_main(lambda: setattr(d.app.screens["applicant"].message, "text", ""))
    d.findings["wrong_number_messages"] = wrong
    focus(d, "number_input")
    d.tap("keys.clear")
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

    d.tap("applicant.next")
    d.on_screen("confirm")
    cast("FilePrinter", d.app.services.printer).set_fault("paper_out")
    d.tap("confirm.submit")
    d.on_screen("success")
    paper_out = text("print.paper_out", button=text("print.button_print"))
    d.wait("the paper-out message", lambda: paper_out in d.current_message())
    d.findings["paper_out_message"] = d.message()
    d.findings["status_bar_after_submit"] = d.on_main(
        lambda: {k: v.text for k, v in d.app.status_bar.fields.items()}
    )
    d.shoot("24-paper-out")
    d.tap("success.next")  # the applicant cannot wait: the receipt is owed (issue 6)
    d.on_screen("home")
    owed_one = text("home.owed", count=1)
    d.wait("the owed receipt", lambda: d.app.screens["home"].owed.text == owed_one)
    d.shoot("25-home-receipt-owed")
    d.tap("lookup.search")
    d.on_screen("search")
    d.tap("keys.clear")  # the query of the card walk is still there
    type_keys(d, "shbzk")
    d.wait("search results", lambda: len(d.app.screens["search"].results.children) > 2)
    d.on_main(lambda: d.app.screens["search"].results.children[-1].trigger_action(duration=0))
    d.on_screen("item")
    d.tap("item.handle")
    d.on_screen("item_type")
    d.tap("item_type.branch")
    d.on_screen("applicant")
    type_name(d, [("ou", "欧"), ("yang", "阳")])
    focus(d, "number_input")
    type_keys(d, "442000197803150017")
    time.sleep(0.8)  # the form is kept 0.4 s after the last keystroke
    d.findings["left_half_typed"] = d.on_main(lambda: screen.form())
    d.shoot("26-left-half-typed")


def card_faults(d: DemoDriver) -> None:
    """A card whose number fails GB 11643 is reported, not taken; an expired card fills the
    fields but goes on only through 仍然受理, and that choice is stored with the
    submission."""
    search_item(d, "shbzk", "社会保障卡补领")
    d.tap("item.handle")
    d.on_screen("item_type")
    d.tap("item_type.branch")
    d.on_screen("applicant")
    lay_card(d, "resident_bad_number")
    card_filled(d, "resident_bad_number")
    d.wait("the bad number reported", lambda: bool(d.current_message()))
    d.findings["card_bad_number_message"] = d.message()
    d.shoot("27-card-bad-number")
    d.tap("applicant.next")
    d.wait("the refusal", lambda: "校验位" in d.current_message())
    d.findings["card_bad_number_next"] = d.message()
    lay_card(d, "resident_expired")
    card_filled(d, "resident_expired")
    d.wait("the expired card", lambda: d.current_message().startswith("证件已过期"))
    d.findings["card_expired_message"] = d.message()
    d.shoot("28-card-expired")  # filled, in red, with 仍然受理
    d.on_main(lambda: setattr(d.app.screens["applicant"].message, "text", ""))
    d.tap("applicant.next")  # refused: only the explicit choice goes on
    d.wait("the refusal", lambda: bool(d.current_message()))
    d.findings["card_expired_next"] = d.message()
    d.findings["card_expired_stays"] = d.app.manager.current
    d.tap("idcard.accept_anyway")
    d.on_screen("confirm")
    d.findings["card_expired_confirm"] = d.on_main(
        lambda: d.app.screens["confirm"].summary.text.splitlines()[-1]
    )
    d.shoot("29-confirm-card-expired")
    d.tap("confirm.submit")
    d.on_screen("success")
    printed(d)
    lift_card(d)
    d.tap("success.next")
    d.on_screen("home")


def walk_in(d: DemoDriver) -> None:
    """For ``make bench BENCH=flow``: a walk-in applicant from the item chosen to the
    printed receipt, typed and then by card (taps counted), then the card laid again and
    again at random moments of the reader's polling: seconds from laid to filled."""
    lift_card(d)
    login(d)
    search_item(d, "zfgjj", "住房公积金提取")
    d.taps = 0
    d.tap("item.handle")
    d.on_screen("item_type")
    d.tap("item_type.department")
    d.on_screen("applicant")  # the name field has the focus
    type_name(d, [("huang", "黄"), ("zhi", "志"), ("ming", "明")])
    focus(d, "number_input")
    d.taps += 1  # the clerk taps the number field
    type_keys(d, d.applicant.id_number)
    d.tap("applicant.next")
    d.on_screen("confirm")
    d.tap("confirm.submit")
    printed(d)
    d.findings["taps_item_to_receipt_typed"] = d.taps
    d.tap("success.next")

    search_item(d, "zfgjj", "住房公积金提取")
    d.taps = 0
    d.tap("item.handle")
    d.on_screen("item_type")
    d.tap("item_type.department")
    armed_on(d, "applicant")
    lay_card(d, "resident_id")
    d.on_screen("confirm")  # filled, and on by itself
    d.tap("confirm.submit")
    printed(d)
    d.findings["taps_item_to_receipt_card"] = d.taps
    d.tap("success.next")

    search_item(d, "zfgjj", "住房公积金提取")
    d.tap("item.handle")
    d.on_screen("item_type")
    d.tap("item_type.department")
    d.findings["card_fill_s"] = fill_times(d, "resident_id", FILL_SAMPLES)
    section = d.app.services.config.id_reader
    assert section is not None
    d.findings["reader"] = {
        "baudrate": section.baudrate,
        "read_delay_s": reader(d).read_delay_s,
        "poll_interval_s": section.poll_interval_s,
    }


def fill_times(d: DemoDriver, card: str, samples: int) -> list[float]:
    """Lay ``card`` ``samples`` times on the applicant step, each at a random moment of the
    reader's polling; the fill is timed on the main thread, when the number field takes
    the card's number. Each fill goes on to 确认提交; 返回修改 comes back."""
    screen = d.app.screens["applicant"]
    number = CARDS[card].number
    filled: dict[str, Any] = {}

    def watch(_field: Any, value: str) -> None:
        if value == number and "at" not in filled:
            filled["at"] = time.monotonic()

    d.on_main(lambda: screen.number_input.bind(text=watch))
    service = d.app.services.id_reader
    assert service is not None
    poll = service.poll_interval_s
    times = []
    for _ in range(samples):
        armed_on(d, "applicant")
        d.on_main(screen.clear)
        lift_card(d)
        time.sleep(poll * 2 + random.uniform(0, poll))  # lifted seen, then a random phase
        filled.clear()
        laid = lay_card(d, card)
        d.wait("the fields filled", lambda: "at" in filled)
        times.append(round(filled["at"] - laid, 3))
        d.on_screen("confirm")
        d.tap("confirm.back")
    d.on_main(lambda: screen.number_input.unbind(text=watch))
    d.findings["card_fill_median_s"] = statistics.median(times)
    return times


def resume(d: DemoDriver) -> None:
    lift_card(d)
    login(d)
    d.on_screen("applicant")
    screen = d.app.screens["applicant"]
    d.findings["restored"] = d.on_main(lambda: screen.form())
    d.findings["restored_note"] = d.message()  # the clerk is told (issue 18)
    d.shoot("30-restored")
    focus(d, "name_input")
    keyboard(d, "xiao ")  # a physical keyboard: space takes the first candidate
    keyboard(d, "dong")
    d.findings["keyboard_candidates"] = d.on_main(
        lambda: screen.name_input.composer.page_of(screen.name_input.text)
    )
    keyboard(d, "2")  # …and a digit takes that candidate
    d.tap("applicant.next")
    d.on_screen("confirm")
    d.tap("confirm.submit")
    d.on_screen("success")
    printed(d)
    d.shoot("31-printed")
    d.copy_receipt()
    d.tap("success.next")
    owed_after_restart(d)


def owed_after_restart(d: DemoDriver) -> None:
    """The receipt owed since the paper ran out before the restart: 重新打印 from the list."""
    d.on_screen("home")
    home, owed = d.app.screens["home"], d.app.screens["owed"]
    from kivy.uix.button import Button
    from kivy.uix.label import Label

    def shown(label: str) -> bool:
        return any(getattr(w, "text", "") == label for w in owed.rows.walk())

    d.wait("the owed receipt", lambda: home.owed.text == text("home.owed", count=1))
    d.shoot("32-home-receipt-owed")
    d.tap("home.owed", count=1)
    d.on_screen("owed")
    d.wait("the owed list", lambda: shown(text("print.button_reprint")))
    d.findings["owed_list"] = d.on_main(
        lambda: [  # each row's line, without its button
            w.text
            for w in owed.rows.walk(restrict=True)
            if isinstance(w, Label) and not isinstance(w, Button) and w.text
        ]
    )
    d.shoot("33-owed-receipts")
    d.tap("print.button_reprint")
    d.wait("the reprint", lambda: d.current_message() not in ("", text("owed.printing")))
    d.wait("the emptied list", lambda: shown(text("owed.none")))
    d.findings["owed_printed_message"] = d.message()
    d.shoot("34-owed-printed")
    d.copy_receipt("owed-")
    d.tap("common.back")
    d.on_screen("home")
    d.wait("no owed receipt", lambda: home.owed.disabled)


SCRIPTS: dict[str, Callable[[DemoDriver], None]] = {
    "acceptance": acceptance,
    "faults": faults,
    "resume": resume,
    "walk_in": walk_in,
}
