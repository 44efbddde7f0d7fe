"""The kiosk application: one status bar, one screen manager, the counter behind it."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from appliance import log
from appliance.diagnostics.readiness import CheckResult
from appliance.diagnostics.selftest import selftest_results
from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.id_card import CardReading
from appliance.domain.identity import DocumentType
from appliance.hardware.camera.port import CameraStatus
from appliance.hardware.id_reader.port import ReaderReport
from appliance.hardware.id_reader.service import (
    CardRead,
    CardReadFailed,
    ReaderChanged,
    ReaderEvent,
)
from appliance.hardware.id_reader.words import failure_sentence, status_line
from appliance.hardware.key.detection import KeyState
from appliance.hardware.key.port import KeyProblem
from appliance.hardware.printer.port import PrinterStatus
from appliance.hardware.printer.receipt_preview import preview_receipt
from appliance.provisioning.result import LastResult, read_last_result
from appliance.scanning.scanner import ScanWorker
from appliance.store.device_health import publish_health
from appliance.store.owed_receipts import owed_count
from appliance.store.stats import DayStats, day_stats
from appliance.store.submissions import is_synced
from appliance.sync.status import status_bar_texts
from appliance.ui.background import Background
from appliance.ui.diagnostics import DiagnosticsScreen, diagnostics_lines, print_selftest_slip
from appliance.ui.health import HealthNotes, health_of
from appliance.ui.key_watch import KeyWatch
from appliance.ui.owed_receipts import OwedReceiptsScreen
from appliance.ui.preview import preview_interval
from appliance.ui.provisioning_screen import ProvisioningScreen
from appliance.ui.screens.applicant import ApplicantScreen
from appliance.ui.screens.appointment import AppointmentScreen
from appliance.ui.screens.base import KioskScreen
from appliance.ui.screens.confirm import ConfirmScreen
from appliance.ui.screens.home import HomeScreen
from appliance.ui.screens.item import ItemScreen
from appliance.ui.screens.item_type import ItemTypeScreen
from appliance.ui.screens.login import LoginScreen
from appliance.ui.screens.scan import ScanScreen
from appliance.ui.screens.search import SearchScreen
from appliance.ui.screens.stats import StatsScreen
from appliance.ui.screens.success import SuccessScreen
from appliance.ui.sd_notify import notify, watchdog_interval_s
from appliance.ui.widgets import BACKGROUND, StatusBar, paint
from appliance.wiring import Services, hall_now
from appliance.wording import text as words
from appliance.workflow.acceptance import Draft, FlowState
from appliance.workflow.key_messages import status_text as key_status_text
from appliance.workflow.messages import UserFacingError, key_message
from appliance.workflow.owed_receipts import OwedReceipt, owed_receipts, print_owed
from appliance.workflow.session import SessionState

KEYCODE_ESCAPE = 27
KEYCODE_F1 = 282
CAMERA_TEXT = {
    CameraStatus.RUNNING: words("status.camera_running"),
    CameraStatus.STOPPED: words("status.camera_stopped"),
    CameraStatus.DISCONNECTED: words("status.camera_disconnected"),
}
PRINTER_TEXT = {
    PrinterStatus.READY: words("status.printer_ready"),
    PrinterStatus.PAPER_OUT: words("status.printer_paper_out"),
    PrinterStatus.COVER_OPEN: words("status.printer_cover_open"),
    PrinterStatus.OFFLINE: words("status.printer_offline"),
    PrinterStatus.UNKNOWN: words("status.printer_unknown"),
    PrinterStatus.FAULT: words("status.printer_fault"),
}
FLOW_SCREENS = {
    FlowState.LOOKUP: "home",
    FlowState.ITEM_SHOWN: "item",
    FlowState.TYPE_CHOSEN: "applicant",
    FlowState.APPLICANT_ENTERED: "confirm",
    FlowState.SUBMITTED: "success",
    FlowState.RECEIPT_PRINTED: "success",
}

# The screens of an acceptance not yet submitted: a purged draft sends the clerk home.
PURGED_SCREENS = frozenset({"item", "item_type", "applicant", "confirm"})
DRAFT_CHECK_S = 60.0

SCREEN_NAMES = {
    "login": LoginScreen,
    "home": HomeScreen,
    "scan": ScanScreen,
    "appointment": AppointmentScreen,
    "search": SearchScreen,
    "item": ItemScreen,
    "item_type": ItemTypeScreen,
    "applicant": ApplicantScreen,
    "confirm": ConfirmScreen,
    "success": SuccessScreen,
    "stats": StatsScreen,
}


class KioskApp(App):
    """Owns the state and composes the screens, handing each itself as the actions of
    its Protocol in :mod:`appliance.ui.screen_actions`."""

    title = words("cli.product")
    use_kivy_settings = False

    def __init__(
        self,
        services: Services,
        started_at: float,
        on_started: Callable[[KioskApp], None] | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.counter = services.counter
        self.started_at = started_at
        self.on_started = on_started
        self.key_holder = ""
        self.key_state: KeyState | None = None
        self.printer_status = PrinterStatus.UNKNOWN
        # read by poll() off the main thread
        self.sync_texts = (words("status.network_detecting"), words("sync.backlog", backlog="…"))
        self.health = HealthNotes()  # issue 5: device health for the sync heartbeat
        # issue 14: the ID card reader as last reported (None: this box has none)
        self.reader_report: ReaderReport | None = (
            services.id_reader.report if services.id_reader else None
        )
        self.first_frame_ms: float | None = None
        self.after_first_frame: Callable[[], None] | None = None
        self.stopped = False

    def build(self) -> BoxLayout:
        self.background = Background()
        root = BoxLayout(orientation="vertical")
        paint(root, BACKGROUND)
        self.status_bar = StatusBar()
        root.add_widget(self.status_bar)
        self.manager = ScreenManager(transition=NoTransition())
        self.screens: dict[str, KioskScreen] = {}
        for name, screen_class in {
            **SCREEN_NAMES,
            "diagnostics": DiagnosticsScreen,
            "owed": OwedReceiptsScreen,
        }.items():
            self.screens[name] = screen_class(self, name)
            self.manager.add_widget(self.screens[name])
        root.add_widget(self.manager)
        # Issue 12: a box not set up yet shows 设备初始化, and nothing else, until the
        # provisioning unit has applied branch IT's bundle and restarted the kiosk.
        self.provisioned = self.services.config.provisioned
        if not self.provisioned:
            self.screens["provisioning"] = ProvisioningScreen("provisioning")
            self.manager.add_widget(self.screens["provisioning"])
            self.manager.current = "provisioning"
        self.scan_worker = ScanWorker(
            self.services.camera,
            self.services.scanner,
            on_ticket=lambda text: Clock.schedule_once(lambda _dt: self._ticket_read(text)),
            escalation=self.services.escalation,
        )
        Window.bind(on_keyboard=self._swallow_kiosk_keys)
        Window.bind(on_flip=self._first_frame)
        if (watchdog_s := watchdog_interval_s()) is not None:
            Clock.schedule_interval(lambda _dt: notify("WATCHDOG=1"), watchdog_s)
            log.event("ui.watchdog_armed", interval_s=watchdog_s)
        Clock.schedule_interval(lambda _dt: self.poll(), 1.0)
        if self.counter.online is not None:  # issue 7: "正在联网查询…" while the sync asks
            self.counter.online.on_wait = lambda text: Clock.schedule_once(
                lambda _dt: self.screens[self.manager.current].say(text, error=False)
            )
        self.keys = KeyWatch(
            self.services.key,
            self.counter,
            self.services.config.key.idle_lock_minutes,
            self.screens["login"],
            self,
            FLOW_SCREENS,
        )
        Clock.schedule_interval(
            lambda _dt: self._show_frame(), preview_interval(self.services.config.camera.frame_rate)
        )
        return root

    def on_start(self) -> None:
        self.background.run(self.counter.restore_draft, None, self.show_error)
        Clock.schedule_interval(lambda _dt: self.expire_draft(), DRAFT_CHECK_S)
        self.keys.start()
        reader = self.services.id_reader
        if reader is not None:  # its listener runs on the reader's worker thread
            reader.on_event(
                lambda event: Clock.schedule_once(lambda _dt: self._reader_event(event))
            )
            reader.start()
        self.poll()
        if self.on_started:
            self.on_started(self)

    def on_stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.scan_worker.close()
        self.services.camera.stop()
        self.background.shutdown()
        self.services.close()
        log.event("app.stop")

    def open_settings(self, *_args) -> bool:
        """Kiosk: F1 and the settings panel are not for counter staff."""
        return False

    def _swallow_kiosk_keys(self, _window, key: int, *_args) -> bool:
        return key in (KEYCODE_ESCAPE, KEYCODE_F1)

    def _first_frame(self, *_args) -> None:
        Window.unbind(on_flip=self._first_frame)
        self.first_frame_ms = (time.monotonic() - self.started_at) * 1000
        log.event("ui.first_frame", ms=round(self.first_frame_ms))
        notify("READY=1")
        if self.services.escalation is not None:  # issue 15: WeChat's models, off this thread
            self.services.escalation.start_loading()
        if self.after_first_frame:
            Clock.schedule_once(lambda _dt: self.after_first_frame())

    def go(self, name: str) -> None:
        if not self.provisioned:
            name = "provisioning"
        if self.manager.current != name:
            self.manager.current = name
            log.event("ui.screen", screen=name)
        self.update_status()

    def tell(self, message: str) -> None:
        self.screens[self.manager.current].say(message, error=False)

    def expire_draft(self) -> None:
        """Every minute: a kept draft whose time is up goes (issue 18), and with it an
        acceptance on screen not yet submitted; the clerk is told, now or at login."""

        def gone(went: bool) -> None:
            if not went:
                return
            self.screens["applicant"].clear()
            if self.manager.current in PURGED_SCREENS:
                self.go("home")
            logged_in = self.counter.session.state is SessionState.LOGGED_IN
            if logged_in and (note := self.counter.take_draft_note()):
                self.tell(note)

        self.background.run(self.counter.expire_draft, gone, self.show_error)

    def show_error(self, error: BaseException) -> None:
        screen = self.screens[self.manager.current]
        if isinstance(error, UserFacingError):
            screen.say(error.chinese)
        elif isinstance(error, KeyProblem):
            screen.say(key_message(error))
        else:
            screen.say(words("kiosk.failed"))
            log.event(
                "ui.unexpected_error",
                outcome="failure",
                error=type(error).__name__,
                detail=str(error)[:200],
            )

    def poll(self) -> None:
        """Once a second: follow the printer, the network, the backlog and, on a box not
        yet set up, how the last provisioning bundle went.

        Everything that reads the shared database runs on the counter's worker: a read on
        the main thread would wait behind a writer's busy timeout and freeze the screen.
        One job for all of it, so no poll starves another while the worker is busy.
        """
        provisioning = None if self.provisioned else self.services.config.provisioning

        def check() -> tuple[PrinterStatus, tuple[str, str], LastResult | None]:
            last = read_last_result(provisioning.site_file.parent) if provisioning else None
            return self.services.printer.status(), status_bar_texts(self.services.db), last

        if not self.background.busy:
            self.background.run(check, self._polled, self.show_error)

    def _polled(self, result: tuple[PrinterStatus, tuple[str, str], LastResult | None]) -> None:
        """The key is followed by ``self.keys`` (its own worker); this keeps the rest fresh."""
        self.printer_status, self.sync_texts, last_result = result
        if not self.provisioned:
            self.screens["provisioning"].show_result(last_result)
        if self.counter.session.state is not SessionState.LOGGED_IN:
            self.go("login")
        self.update_status()

    def update_status(self) -> None:
        operator = self.counter.session.operator
        network, backlog = self.sync_texts
        self.status_bar.show(
            operator=(
                words("status.operator", name=operator.name)
                if operator
                else words("status.no_operator")
            ),
            key=key_status_text(self.key_state),
            camera=words("status.camera", state=CAMERA_TEXT[self.services.camera.status()]),
            printer=words("status.printer", state=PRINTER_TEXT[self.printer_status]),
            id_reader=status_line(self.reader_report.state) if self.reader_report else "",
            network=network,
            backlog=backlog,
        )
        if not self.provisioned:
            bar = self.status_bar.fields
            self.screens["provisioning"].show_devices(
                [bar[name].text for name in ("camera", "key", "printer")]
            )
        self._publish_health()

    def _publish_health(self) -> None:
        """Let the sync process's heartbeat report what only this process can see."""
        health = health_of(self.printer_status, self.services.camera.status(), self.key_state)
        if self.health.due(health):
            self.background.run(
                lambda: publish_health(self.services.db, health, hall_now()),
                None,
                lambda error: log.event(
                    "ui.unexpected_error",
                    outcome="failure",
                    error=type(error).__name__,
                    detail=str(error)[:200],
                ),
            )

    def login(self, pin: bytearray) -> None:
        """The PIN goes to the key worker; ``self.keys`` shows the answer."""
        self.keys.login(pin)

    def choose_key(self, index: int) -> None:
        """The clerk picked the ``index``-th of several valid keys on the login screen."""
        self.keys.choose(index)

    def lock(self) -> None:
        """Lock the session; the acceptance in progress is kept for the next login."""
        self.keys.lock()

    def start_preview(self) -> None:
        self.services.camera.start()
        self.update_status()

    def stop_preview(self) -> None:
        self.services.camera.stop()
        self.update_status()

    def arm_scan(self) -> None:
        self.start_preview()
        self.screens["scan"].result.text = words("scan.reading")
        self.scan_worker.arm()

    def _show_frame(self) -> None:
        if self.manager.current != "scan":
            return
        frame = self.services.camera.latest_frame()
        if frame is not None:
            self.screens["scan"].show_frame(frame.gray)

    def _ticket_read(self, text: str) -> None:
        scan = self.screens["scan"]
        scan.result.text = words("scan.read_text", text=text[:60])
        self.update_status()

        def failed(error: BaseException) -> None:
            self.show_error(error)
            scan.result.text = words("scan.retry", button=words("scan.start_preview"))

        self._looked_up(lambda: self.counter.scan(text), failed)

    def _looked_up(
        self, lookup: Callable[[], Any], failed: Callable[[BaseException], None]
    ) -> None:
        """After a look-up: a booked applicant goes straight to 确认提交 (one tap from the
        receipt); otherwise the item is shown. A booked identity that fails validation
        opens the applicant screen with the reason."""

        def work() -> tuple[str, BaseException | None]:
            self.counter.refresh_catalogue()
            lookup()
            try:
                state = self.counter.prefill_booked()
            except UserFacingError as error:
                return "applicant", error
            return FLOW_SCREENS[state], None

        def done(result: tuple[str, BaseException | None]) -> None:
            screen, problem = result
            self.go(screen)
            if problem is not None:
                self.show_error(problem)

        self.background.run(self._kept(work), done, failed)

    def _kept(self, work: Callable[[], Any]) -> Callable[[], Any]:
        """``work`` followed by keeping the draft on disk, both in the background."""

        def run() -> Any:
            result = work()
            self.counter.save_draft()
            return result

        return run

    def _step(self, work: Callable[[], Any], screen: str) -> None:
        self.background.run(self._kept(work), lambda _r: self.go(screen), self.show_error)

    def find_appointment(self, number: str) -> None:
        self._looked_up(lambda: self.counter.find_by_appointment(number), self.show_error)

    def refresh_catalogue(self) -> None:
        self.background.run(self.counter.refresh_catalogue, None, self.show_error)

    def search_catalogue(self, query: str, limit: int) -> list[ServiceItem]:
        return self.counter.catalogue.search(query, limit=limit)

    def draft(self) -> Draft:
        return self.counter.flow.draft

    def flow_state(self) -> FlowState:
        return self.counter.flow.state

    def choose_item(self, item: ServiceItem) -> None:
        self._step(lambda: self.counter.choose_item(item), "item")

    def choose_type(self, item_type: ItemType) -> None:
        self._step(lambda: self.counter.choose_type(item_type), "applicant")

    def arm_reader(self) -> None:
        """Only sets the worker's flag: nothing blocks the main thread."""
        if self.services.id_reader is not None:
            self.services.id_reader.arm()

    def disarm_reader(self) -> None:
        if self.services.id_reader is not None:
            self.services.id_reader.disarm()

    def _reader_event(self, event: ReaderEvent) -> None:
        """On the main thread: the reader's state for the status bar, or a card read on
        办事人信息录入. A read that lands after the screen was left is dropped unseen."""
        if isinstance(event, ReaderChanged):
            self.reader_report = event.report
            self.update_status()
            return
        screen = self.screens["applicant"]
        if (
            self.manager.current != "applicant"
            or self.counter.flow.state is not FlowState.TYPE_CHOSEN
        ):
            log.event("idcard.dropped", event=type(event).__name__, screen=self.manager.current)
            return
        if isinstance(event, CardReadFailed):
            screen.say(failure_sentence(event.failure))
            return
        assert isinstance(event, CardRead)
        self._card_read(event)

    def _card_read(self, event: CardRead) -> None:
        """Fill the fields, keep the read in the draft, and for a card that passes (number
        valid, card valid today) go on to 确认提交 as a booked applicant does: the
        clerk confirms there, and 返回修改 brings the filled fields back to edit."""
        check = event.check
        card = CardReading.of(event.record, check)
        screen = self.screens["applicant"]
        screen.show_card(event.record.name, card, check.problem.message if check.problem else None)

        def kept(_result: None) -> None:
            if check.acceptable and self.manager.current == "applicant":
                screen.next()

        self.background.run(self._kept(lambda: self.counter.card_read(card)), kept, self.show_error)

    def keep_form(self, form: dict[str, str]) -> None:
        def keep() -> None:
            self.counter.keep_form(form)
            self.counter.save_draft()

        self.background.run(keep, None, self.show_error)

    def enter_applicant(
        self,
        name: str,
        doc_type: DocumentType,
        number: str,
        phone: str,
        accept_invalid_card: bool = False,
    ) -> None:
        self.keep_form({"name": name, "doc_type": doc_type.label, "number": number, "phone": phone})
        self._step(
            lambda: self.counter.enter_applicant(
                name, doc_type, number, phone, accept_invalid_card=accept_invalid_card
            ),
            "confirm",
        )

    def back(self) -> None:
        def back() -> str:
            self.counter.flow.back()
            return FLOW_SCREENS[self.counter.flow.state]

        def done(screen: str) -> None:
            if screen == "home":  # the acceptance is abandoned: nothing of it stays on screen
                self.screens["applicant"].clear()
            self.go(screen)

        self.background.run(self._kept(back), done, self.show_error)

    def change_type(self, item_type: ItemType) -> None:
        self.background.run(
            self._kept(lambda: self.counter.choose_type(item_type)),
            lambda _r: self.screens["confirm"].refresh(),
            self.show_error,
        )

    def submit(self) -> None:
        """提交并打印回执: the submission is stored first, then the receipt prints."""

        def done(_submission) -> None:
            self.screens["applicant"].clear()  # the submission holds what it needs
            self.go("success")
            self.print_receipt()

        self.background.run(self._kept(self.counter.submit), done, self.show_error)

    def print_receipt(self) -> None:
        def done(_copies: int) -> None:
            self.screens["success"].refresh()
            self.screens["success"].say(words("success.printed"), error=False)

        def failed(error: BaseException) -> None:
            self.screens["success"].refresh()
            self.show_error(error)

        self.background.run(self._kept(self.counter.print_receipt), done, failed)

    def next_applicant(self) -> None:
        self.screens["applicant"].clear()
        self._step(self.counter.new_acceptance, "home")

    def load_receipt(self, submission_id: str, show: Callable[[bool, io.BytesIO], None]) -> None:
        """Whether the submission reached the branch server, and the slip drawn exactly as
        the printer would from the same ESC/POS bytes; both read the database, so both are
        made on the counter's worker."""

        def work() -> tuple[bool, io.BytesIO]:
            receipts = self.counter.receipts
            preview = preview_receipt(self.counter.receipt_lines(), receipts.profile, receipts.mode)
            buffer = io.BytesIO()
            preview.image.save(buffer, format="png")
            buffer.seek(0)
            return is_synced(self.services.db, submission_id), buffer

        self.background.run(work, lambda result: show(*result), self.show_error)

    def load_stats(self, show: Callable[[DayStats], None]) -> None:
        self.background.run(
            lambda: day_stats(self.services.db, hall_now().date().isoformat()),
            show,
            self.show_error,
        )

    def open_diagnostics(self, pin: bytearray, show: Callable[[list[str]], None]) -> None:
        """系统诊断 opens only for the logged-in operator's own key and PIN."""

        def check() -> list[str]:
            try:
                self.counter.confirm_operator(pin)
            except Exception as error:
                log.event("diagnostics.opened", outcome="failure", error=type(error).__name__)
                raise
            log.event("diagnostics.opened", outcome="success")
            operator = self.counter.session.operator
            if self.counter.audit is not None and operator is not None:
                self.counter.audit.record("diagnostics.opened", operator=operator.serial)
            return diagnostics_lines(self.services)

        self.background.run(check, show, self.show_error)

    def run_selftest(
        self, done: Callable[[list[CheckResult]], None], failed: Callable[[BaseException], None]
    ) -> None:
        services = self.services
        self.background.run(
            lambda: selftest_results(services.config, services, offline=False), done, failed
        )

    def print_selftest_slip(
        self,
        results: list[CheckResult],
        done: Callable[[PrinterStatus], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        self.background.run(lambda: print_selftest_slip(self.services, results), done, failed)

    def count_owed(self, show: Callable[[int], None]) -> None:
        db = self.services.db
        self.background.run(lambda: owed_count(db), show, self.show_error)

    def load_owed(self, show: Callable[[list[OwedReceipt]], None]) -> None:
        db = self.services.db
        self.background.run(lambda: owed_receipts(db), show, self.show_error)

    def reprint_owed(
        self,
        receipt: OwedReceipt,
        done: Callable[[int], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Reprint the journaled slip, audited for the operator logged in now."""
        counter = self.counter
        operator = counter.session.operator
        trail = counter.audit
        self.background.run(
            lambda: print_owed(
                counter.receipts, receipt, trail, operator.serial if operator else None
            ),
            done,
            failed,
        )
