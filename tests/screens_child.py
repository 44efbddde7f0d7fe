"""Each screen built on its own with fake actions: no app, no counter, no database.

Run by tests/test_ui_screens.py as ``python -m tests.screens_child --work DIR``. Each
scenario builds one screen with a :class:`FakeActions`, taps what a clerk would, and
writes what the fake was asked and what the screen then shows to ``DIR/observed.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from PIL import Image

from appliance import log
from appliance.config import load_config
from appliance.diagnostics.readiness import CheckResult
from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.id_card import CardReading, CardType, Validity
from appliance.domain.identity import DocumentType
from appliance.domain.submission import Applicant, LookupMethod, Operator, Submission
from appliance.hardware.printer.port import PrinterStatus
from appliance.store.stats import DayStats
from appliance.wording import text
from appliance.workflow.acceptance import Draft, FlowState
from appliance.workflow.owed_receipts import OwedReceipt

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(".")  # the --work folder, set by main()
ITEM = ServiceItem(
    "11442000MB2D12345X", "住房公积金提取", "中山市住房公积金管理中心", 3, ItemType.BRANCH
)
APPLICANT = Applicant("黄志明", DocumentType.RESIDENT_ID.value, "44200019900315123X", "13800138000")
SUBMISSION = Submission(
    "sub-1",
    "ZS-0001",
    datetime(2026, 11, 29, 9, 30),
    "中山分厅",
    "3",
    Operator("张三", "01AB"),
    LookupMethod.SEARCH,
    ITEM,
    ItemType.BRANCH,
    APPLICANT,
)
CARD = CardReading(
    CardType.RESIDENT_ID, "442000199003070317", date(2016, 5, 21), date(2036, 5, 21), Validity.VALID
)
EXPIRED_CARD = CardReading(
    CardType.RESIDENT_ID,
    "442000199511020025",
    date(2010, 6, 1),
    date(2020, 6, 1),
    Validity.EXPIRED,
)
BAD_NUMBER_CARD = CardReading(
    CardType.RESIDENT_ID,
    "442000199003070310",
    date(2016, 5, 21),
    date(2036, 5, 21),
    Validity.VALID,
    number_ok=False,
)
OWED = OwedReceipt("sub-1", "ZS-0001", "ZS-0001　住房公积金提取　黄*明　11-29 09:30受理（缺纸）")
CHECKS = [CheckResult("printer", "ok", "printer ready")]


def plain(value: Any) -> Any:
    """A call's argument as JSON: the PIN as text, enums by value, records by their id."""
    if isinstance(value, bytearray):
        return value.decode()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, ServiceItem):
        return value.code
    if isinstance(value, OwedReceipt):
        return value.receipt_number
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, CheckResult):
        return value.name
    return value


def receipt_png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("L", (64, 128), 255).save(buffer, format="png")
    buffer.seek(0)
    return buffer


class FakeActions:
    """Every screen's actions: each call is recorded (callbacks left out); what would
    run on the counter's worker answers at once, and fails with ``fail`` when given."""

    def __init__(
        self,
        draft: Draft | None = None,
        state: FlowState = FlowState.LOOKUP,
        fail: BaseException | None = None,
    ) -> None:
        self.calls: list[list[Any]] = []
        self._draft = draft or Draft()
        self._state = state
        self.fail = fail

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append([name, *map(plain, args)])

    def _answer(
        self, done: Callable[..., None], failed: Callable[[BaseException], None], *result: Any
    ) -> None:
        if self.fail is None:
            done(*result)
        else:
            failed(self.fail)

    def go(self, name: str) -> None:
        self._record("go", name)

    def draft(self) -> Draft:
        return self._draft

    def flow_state(self) -> FlowState:
        return self._state

    def show_error(self, error: BaseException) -> None:
        self._record("show_error", str(error))

    def login(self, pin: bytearray) -> None:
        self._record("login", pin)

    def choose_key(self, index: int) -> None:
        self._record("choose_key", index)

    def lock(self) -> None:
        self._record("lock")

    def count_owed(self, show: Callable[[int], None]) -> None:
        self._record("count_owed")
        show(2)

    def arm_scan(self) -> None:
        self._record("arm_scan")

    def start_preview(self) -> None:
        self._record("start_preview")

    def stop_preview(self) -> None:
        self._record("stop_preview")

    def find_appointment(self, number: str) -> None:
        self._record("find_appointment", number)

    def refresh_catalogue(self) -> None:
        self._record("refresh_catalogue")

    def search_catalogue(self, query: str, limit: int) -> list[ServiceItem]:
        self._record("search_catalogue", query, limit)
        return [ITEM] if query == "gjj" else []

    def choose_item(self, item: ServiceItem) -> None:
        self._record("choose_item", item)

    def back(self) -> None:
        self._record("back")

    def choose_type(self, item_type: ItemType) -> None:
        self._record("choose_type", item_type)

    def keep_form(self, form: dict[str, str]) -> None:
        self._record("keep_form", form)

    def enter_applicant(
        self,
        name: str,
        doc_type: DocumentType,
        number: str,
        phone: str,
        accept_invalid_card: bool = False,
    ) -> None:
        self._record("enter_applicant", name, doc_type, number, phone, accept_invalid_card)

    def arm_reader(self) -> None:
        self._record("arm_reader")

    def disarm_reader(self) -> None:
        self._record("disarm_reader")

    def change_type(self, item_type: ItemType) -> None:
        self._record("change_type", item_type)

    def submit(self) -> None:
        self._record("submit")

    def print_receipt(self) -> None:
        self._record("print_receipt")

    def next_applicant(self) -> None:
        self._record("next_applicant")

    def load_receipt(self, submission_id: str, show: Callable[[bool, io.BytesIO], None]) -> None:
        self._record("load_receipt", submission_id)
        show(True, receipt_png())

    def load_stats(self, show: Callable[[DayStats], None]) -> None:
        self._record("load_stats")
        show(
            DayStats(
                {ItemType.BRANCH: 2, ItemType.DEPARTMENT: 1},
                {LookupMethod.QR: 3},
                {"张三": 3},
                1,
                {"张三": 95.0},
            )
        )

    def open_diagnostics(self, pin: bytearray, show: Callable[[list[str]], None]) -> None:
        self._record("open_diagnostics", pin)
        show(["软件版本：0.1.0"])

    def run_selftest(
        self, done: Callable[[list[CheckResult]], None], failed: Callable[[BaseException], None]
    ) -> None:
        self._record("run_selftest")
        self._answer(done, failed, CHECKS)

    def print_selftest_slip(
        self,
        results: list[CheckResult],
        done: Callable[[PrinterStatus], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        self._record("print_selftest_slip", results)
        self._answer(done, failed, PrinterStatus.READY)

    def load_owed(self, show: Callable[[list[OwedReceipt]], None]) -> None:
        self._record("load_owed")
        show([OWED])

    def reprint_owed(
        self,
        receipt: OwedReceipt,
        done: Callable[[int], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        self._record("reprint_owed", receipt)
        self._answer(done, failed, 1)


def tap(screen, *labels: str) -> None:
    """Tap the buttons labelled ``labels`` in turn (the first whose label starts so): key
    caps and data, such as digits and an item's name."""
    from kivy.uix.button import Button

    for label in labels:
        button = next(
            w for w in screen.walk() if isinstance(w, Button) and w.text.startswith(label)
        )
        button.trigger_action(duration=0)


def press(screen, *ids: str, **fields: object) -> None:
    """Tap the buttons worded ``ids`` in the catalogue (appliance.wording) in turn."""
    tap(screen, *(text(key, **fields) for key in ids))


def texts(widget) -> list[str]:
    """Every label's text in ``widget`` and below."""
    from kivy.uix.label import Label

    return [w.text for w in widget.walk(restrict=True) if isinstance(w, Label) and w.text]


def run_clock(seconds: float) -> None:
    """Let Kivy's clock fire what is scheduled (no app loop runs here)."""
    from kivy.clock import Clock

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        Clock.tick()
        time.sleep(0.02)


def login() -> dict[str, Any]:
    from appliance.ui.screens.login import LoginScreen

    fake = FakeActions()
    screen = LoginScreen(fake, "login")
    screen.show_key("电子钥匙已插入", "持有人：张三", problem=False, ready=True)
    tap(screen, "1", "2", "3", "4")
    press(screen, "pin.confirm")
    return {"calls": fake.calls, "message": screen.message.text}


def login_chooser() -> dict[str, Any]:
    """Two valid keys: the chooser lists both, the PIN pad waits, a tap picks one. The
    screenshot (``login-chooser.png`` in the work folder) is for a person to look at."""
    from kivy.core.window import Window

    from appliance.ui.screens.login import LoginScreen

    fake = FakeActions()
    screen = LoginScreen(fake, "login")
    choices = [
        text("login.choice", name="陈晓明", vendor="吉大正元", until=date(2027, 12, 1)),
        text("login.choice", name="王芳", vendor="GDCA", until=date(2028, 3, 15)),
    ]
    screen.show_key(text("key.choose", count=2), "", problem=False, ready=False)
    screen.show_choices(choices, None)
    before = {"pad_disabled": screen.keypad.disabled, "buttons": texts(screen.chooser)}
    tap(screen, "○ 王芳")
    screen.show_key(text("key.ready"), "持有人：王芳", problem=False, ready=True)
    screen.show_choices(choices, 1)
    from kivy.base import EventLoop

    Window.add_widget(screen)
    screen.size = Window.size
    for _ in range(20):  # layout, text textures and a frame, as the app's loop would
        EventLoop.idle()
    screen.export_to_png(str(WORK / "login-chooser.png"))
    Window.remove_widget(screen)
    return {
        "calls": fake.calls,
        **before,
        "after": texts(screen.chooser),
        "pad_disabled_after": screen.keypad.disabled,
        "one_key": _one_key_chooser(),
        "screenshot": str(WORK / "login-chooser.png"),
    }


def _one_key_chooser() -> list[str]:
    from appliance.ui.screens.login import LoginScreen

    screen = LoginScreen(FakeActions(), "login")
    screen.show_choices(["陈晓明"], 0)
    return texts(screen.chooser)


def home() -> dict[str, Any]:
    from appliance.ui.screens.home import HomeScreen

    fake = FakeActions()
    screen = HomeScreen(fake, "home")
    screen.refresh()
    press(screen, "home.owed", count=2)
    press(screen, "lookup.search", "stats.title", "diagnostics.title", "home.lock")
    return {"calls": fake.calls, "owed": screen.owed.text}


def scan() -> dict[str, Any]:
    from appliance.ui.screens.scan import ScanScreen

    fake = FakeActions()
    screen = ScanScreen(fake, "scan")
    screen.on_pre_enter()
    press(screen, "scan.read", "scan.stop_preview", "common.back")
    return {"calls": fake.calls}


def appointment() -> dict[str, Any]:
    from appliance.ui.screens.appointment import AppointmentScreen

    fake = FakeActions()
    screen = AppointmentScreen(fake, "appointment")
    tap(screen, *"20261129000311")
    press(screen, "appointment.find", "common.back")
    return {"calls": fake.calls}


def search() -> dict[str, Any]:
    from kivy.uix.button import Button

    from appliance.ui.screens.search import SearchScreen

    fake = FakeActions()
    screen = SearchScreen(fake, "search")
    screen.on_enter()
    run_clock(0.2)  # a TextInput takes keys once its lines are laid out
    tap(screen, "G", "J", "J")
    found = [
        w.text.split("\n")[0] for w in screen.results.walk(restrict=True) if isinstance(w, Button)
    ]
    tap(screen, ITEM.name)
    press(screen, "common.back")
    return {"calls": fake.calls, "found": found}


def item() -> dict[str, Any]:
    from appliance.ui.screens.item import ItemScreen

    fake = FakeActions(Draft(item=ITEM, queue_number="A023"))
    screen = ItemScreen(fake, "item")
    screen.refresh()
    press(screen, "item.handle", "common.back")
    return {"calls": fake.calls, "details": screen.details.text}


def item_type() -> dict[str, Any]:
    from appliance.ui.screens.item_type import ItemTypeScreen

    fake = FakeActions()
    screen = ItemTypeScreen(fake, "item_type")
    press(screen, "item_type.department", "common.back")
    return {"calls": fake.calls}


def applicant() -> dict[str, Any]:
    from appliance.ui.screens.applicant import ApplicantScreen

    fake = FakeActions(Draft(item=ITEM, known_applicant=APPLICANT), FlowState.TYPE_CHOSEN)
    screen = ApplicantScreen(fake, "applicant")
    screen.refresh()
    run_clock(1.0)
    press(screen, "applicant.next", "common.back")
    return {"calls": fake.calls}


def applicant_armed() -> dict[str, Any]:
    """In a screen manager, as in the kiosk: the reader is armed on entering the applicant
    screen and disarmed on leaving it for any other."""
    from kivy.uix.screenmanager import NoTransition, ScreenManager

    from appliance.ui.screens.applicant import ApplicantScreen
    from appliance.ui.screens.confirm import ConfirmScreen
    from appliance.ui.screens.item_type import ItemTypeScreen

    fake = FakeActions(Draft(item=ITEM, applicant=APPLICANT), FlowState.TYPE_CHOSEN)
    manager = ScreenManager(transition=NoTransition())
    for screen in (
        ItemTypeScreen(fake, "item_type"),
        ApplicantScreen(fake, "applicant"),
        ConfirmScreen(fake, "confirm"),
    ):
        manager.add_widget(screen)
    seen = []
    for name in ("applicant", "confirm", "applicant", "item_type"):
        manager.current = name
        run_clock(0.1)
        seen.append([name, [call[0] for call in fake.calls if call[0].endswith("arm_reader")]])
        fake.calls.clear()
    return {"seen": seen}


def show_card(
    card: CardReading, problem: str | None = None
) -> tuple[FakeActions, Any, dict[str, Any]]:
    """The applicant screen with a card laid on the reader: the fields it filled, the
    message line and whether 仍然受理 is offered. The draft then holds the card, as the
    counter keeps it."""
    from appliance.ui.screens.applicant import ApplicantScreen

    fake = FakeActions(Draft(item=ITEM), FlowState.TYPE_CHOSEN)
    screen = ApplicantScreen(fake, "applicant")
    screen.refresh()
    screen.phone_input.text = "13800138000"
    screen.show_card("林小满", card, problem)
    fake.draft().card = card
    shown = {
        "form": screen.form(),
        "message": screen.message.text,
        "accept_offered": screen.accept_button.parent is not None,
    }
    return fake, screen, shown


def applicant_card() -> dict[str, Any]:
    fake, screen, shown = show_card(CARD)
    press(screen, "applicant.next")
    focus_number = screen.number_input
    focus_number.focus = True
    run_clock(0.1)
    tap(screen, text("keys.backspace"), "5")  # the fields stay editable after a read
    run_clock(0.6)  # the debounced keep_form (0.4 s) fires with the edited form
    edited = {"form": screen.form(), "message": screen.message.text}
    return {"calls": fake.calls, **shown, "edited": edited}


def applicant_card_expired() -> dict[str, Any]:
    fake, screen, shown = show_card(EXPIRED_CARD)
    press(screen, "applicant.next", "idcard.accept_anyway")
    screen.number_input.focus = True
    run_clock(0.1)
    tap(screen, text("keys.backspace"), "5")  # typed over: no longer the expired card's
    after_edit = {
        "message": screen.message.text,
        "accept_offered": screen.accept_button.parent is not None,
    }
    screen.refresh()  # back on the screen with the card's number again: asked again
    screen.number_input.text = EXPIRED_CARD.number
    screen.refresh()
    again = screen.accept_button.parent is not None
    return {"calls": fake.calls, **shown, "after_edit": after_edit, "asked_again": again}


def applicant_card_bad_number() -> dict[str, Any]:
    fake, screen, shown = show_card(
        BAD_NUMBER_CARD, "校验位错误：最后一位应为4，请逐位核对证件号码"
    )
    return {"calls": fake.calls, **shown}


def confirm_card_accepted() -> dict[str, Any]:
    from appliance.ui.screens.confirm import ConfirmScreen

    applicant = Applicant("何旧卡", DocumentType.RESIDENT_ID.value, EXPIRED_CARD.number, None)
    draft = Draft(
        item=ITEM,
        applicant=applicant,
        item_type=ItemType.BRANCH,
        card=EXPIRED_CARD,
        validity_override=True,
    )
    screen = ConfirmScreen(FakeActions(draft), "confirm")
    screen.refresh()
    return {"summary": screen.summary.text}


def confirm() -> dict[str, Any]:
    from appliance.ui.screens.confirm import ConfirmScreen

    fake = FakeActions(Draft(item=ITEM, applicant=APPLICANT, item_type=ItemType.BRANCH))
    screen = ConfirmScreen(fake, "confirm")
    screen.refresh()
    press(screen, "item_type.department", "confirm.submit", "confirm.back")
    return {"calls": fake.calls, "summary": screen.summary.text}


def success() -> dict[str, Any]:
    from appliance.ui.screens.success import SuccessScreen

    fake = FakeActions(Draft(item=ITEM, applicant=APPLICANT, submission=SUBMISSION))
    screen = SuccessScreen(fake, "success")
    screen.refresh()
    press(screen, "print.button_print", "success.next")
    return {
        "calls": fake.calls,
        "summary": screen.summary.text,
        "preview": list(screen.preview.texture.size),
        "reprint_disabled": screen.reprint_button.disabled,
    }


def stats() -> dict[str, Any]:
    from appliance.ui.screens.stats import StatsScreen

    fake = FakeActions()
    screen = StatsScreen(fake, "stats")
    screen.refresh()
    press(screen, "common.back")
    return {"calls": fake.calls, "table": screen.table.text}


def diagnostics() -> dict[str, Any]:
    from appliance.ui.diagnostics import DiagnosticsScreen

    fake = FakeActions()
    screen = DiagnosticsScreen(fake, "diagnostics")
    screen.on_pre_enter()
    locked = [screen.run_button.disabled, screen.slip_button.disabled]
    tap(screen, "1", "2", "3", "4")
    press(screen, "pin.confirm", "diagnostics.run", "diagnostics.print_slip")
    observed = {
        "locked": locked,
        "info": screen.info.text,
        "results": screen.results.text,
        "message": screen.message.text,
    }
    press(screen, "common.back")
    return {"calls": fake.calls, **observed}


def owed(fail: BaseException | None = None) -> dict[str, Any]:
    from appliance.ui.owed_receipts import OwedReceiptsScreen

    fake = FakeActions(fail=fail)
    screen = OwedReceiptsScreen(fake, "owed")
    screen.refresh()
    reprint = text("print.button_reprint")
    rows = [line for line in texts(screen.rows) if line != reprint]
    press(screen, "print.button_reprint")
    message = screen.message.text
    press(screen, "common.back")
    return {"calls": fake.calls, "rows": rows, "message": message}


def owed_failed() -> dict[str, Any]:
    return owed(RuntimeError("printer gone"))


def status_bar() -> dict[str, Any]:
    """A box without an ID card reader: its empty field leaves no gap between the others."""
    from kivy.base import EventLoop
    from kivy.core.window import Window

    from appliance.ui.widgets import StatusBar

    bar = StatusBar()
    bar.show(
        operator="操作员：未登录",
        key="电子钥匙：未插入",
        camera="摄像头：已停止",
        printer="打印机：就绪",
        id_reader="",
        network="网络：未连接",
        backlog="待同步 0 件",
    )
    Window.add_widget(bar)
    bar.width = Window.width
    for _ in range(20):
        EventLoop.idle()
    shown = [bar.fields[name] for name in ("camera", "printer", "network")]
    lefts = [label.center_x - label.texture_size[0] / 2 for label in shown]
    rights = [label.center_x + label.texture_size[0] / 2 for label in shown]
    Window.remove_widget(bar)
    return {
        "reader_width": bar.fields["id_reader"].width,
        "gaps": [round(lefts[i + 1] - rights[i]) for i in range(2)],
    }


SCENARIOS = [
    status_bar,
    login,
    login_chooser,
    home,
    scan,
    appointment,
    search,
    item,
    item_type,
    applicant,
    applicant_armed,
    applicant_card,
    applicant_card_expired,
    applicant_card_bad_number,
    confirm,
    confirm_card_accepted,
    success,
    stats,
    diagnostics,
    owed,
    owed_failed,
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    work = parser.parse_args().work
    global WORK
    WORK = work
    log.configure()
    ui = load_config(ROOT / "appliance" / "data" / "appliance.dev.toml").ui
    from appliance_dev.virtual_display import has_display, start_virtual_display

    display = None if has_display() else start_virtual_display(ui.width, ui.height)
    observed: dict[str, Any] = {}
    try:
        from appliance.ui.fonts import prepare_cjk_font
        from appliance.ui.kivy_setup import configure_kivy

        configure_kivy(
            ui, work / "kivy", prepare_cjk_font(ui.font_path, ui.font_index, work / "fonts")
        )
        for scenario in SCENARIOS:
            try:
                observed[scenario.__name__] = scenario()
            except Exception:
                observed[scenario.__name__] = {"error": traceback.format_exc()}
    finally:
        if display is not None:
            display.terminate()
    (work / "observed.json").write_text(
        json.dumps(observed, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
