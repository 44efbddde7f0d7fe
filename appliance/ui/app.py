"""The kiosk application: one status bar, one screen manager, the counter behind it."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.screenmanager import NoTransition, ScreenManager

from appliance import log
from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.identity import DocumentType
from appliance.hardware.camera import CameraStatus
from appliance.hardware.escpos_encode import encode_receipt
from appliance.hardware.key import KeyProblem, KeyStatus
from appliance.hardware.printer import PrinterStatus
from appliance.hardware.scanner import ScanWorker
from appliance.sim.escpos_preview import render_preview
from appliance.store.submissions import count_by_item_type, is_synced, pending_count
from appliance.ui.background import Background
from appliance.ui.screens import SCREEN_NAMES, KioskScreen
from appliance.ui.widgets import BACKGROUND, StatusBar, paint
from appliance.wiring import Services, hall_now
from appliance.workflow.acceptance import FlowState
from appliance.workflow.messages import UserFacingError, key_message
from appliance.workflow.session import SessionState

KEYCODE_ESCAPE = 27
KEYCODE_F1 = 282
CAMERA_TEXT = {CameraStatus.RUNNING: "预览中", CameraStatus.STOPPED: "已停止",
               CameraStatus.DISCONNECTED: "未连接"}
PRINTER_TEXT = {PrinterStatus.READY: "就绪", PrinterStatus.PAPER_OUT: "缺纸",
                PrinterStatus.COVER_OPEN: "开盖", PrinterStatus.OFFLINE: "未连接",
                PrinterStatus.UNKNOWN: "状态未知"}
FLOW_SCREENS = {FlowState.LOOKUP: "home", FlowState.ITEM_SHOWN: "item",
                FlowState.TYPE_CHOSEN: "applicant", FlowState.APPLICANT_ENTERED: "confirm",
                FlowState.SUBMITTED: "success", FlowState.RECEIPT_PRINTED: "success"}


class KioskApp(App):
    title = "窗口受理一体机"
    use_kivy_settings = False

    def __init__(self, services: Services, started_at: float,
                 on_started: Callable[[KioskApp], None] | None = None) -> None:
        super().__init__()
        self.services = services
        self.counter = services.counter
        self.started_at = started_at
        self.on_started = on_started
        self.key_holder = ""
        self.printer_status = PrinterStatus.UNKNOWN
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
        for name, screen_class in SCREEN_NAMES.items():
            self.screens[name] = screen_class(self, name)
            self.manager.add_widget(self.screens[name])
        root.add_widget(self.manager)
        self.scan_worker = ScanWorker(
            self.services.camera, self.services.scanner,
            on_ticket=lambda text: Clock.schedule_once(lambda _dt: self._ticket_read(text)))
        Window.bind(on_keyboard=self._swallow_kiosk_keys)
        Window.bind(on_flip=self._first_frame)
        Clock.schedule_interval(lambda _dt: self.poll(), 1.0)
        Clock.schedule_interval(lambda _dt: self._show_frame(),
                                1 / self.services.config.camera.frame_rate)
        return root

    def on_start(self) -> None:
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
        if self.after_first_frame:
            Clock.schedule_once(lambda _dt: self.after_first_frame())

    def go(self, name: str) -> None:
        if self.manager.current != name:
            self.manager.current = name
            log.event("ui.screen", screen=name)
        self.update_status()

    def show_error(self, error: BaseException) -> None:
        screen = self.screens[self.manager.current]
        if isinstance(error, UserFacingError):
            screen.say(error.chinese)
        elif isinstance(error, KeyProblem):
            screen.say(key_message(error))
        else:
            screen.say("操作失败，请重试；如多次失败请联系网建办")
            log.event("ui.unexpected_error", outcome="failure", error=type(error).__name__,
                      detail=str(error)[:200])

    def poll(self) -> None:
        """Once a second: follow the key, the printer and the backlog."""
        def check() -> tuple[KeyStatus, str, PrinterStatus]:
            status = self.counter.poll_key()
            holder = self.key_holder
            if status is KeyStatus.PRESENT and not holder:
                certificate = self.counter.key.certificate()
                holder = f"持有人：{certificate.name}　证书序列号：{certificate.serial}"
            elif status is KeyStatus.ABSENT:
                holder = ""
            return status, holder, self.services.printer.status()

        if not self.background.busy:
            self.background.run(check, self._polled, self.show_error)

    def _polled(self, result: tuple[KeyStatus, str, PrinterStatus]) -> None:
        status, self.key_holder, self.printer_status = result
        login = self.screens["login"]
        login.show_key(status is KeyStatus.PRESENT, self.key_holder)
        if self.counter.session.state is not SessionState.LOGGED_IN:
            self.go("login")
        self.update_status()

    def update_status(self) -> None:
        operator = self.counter.session.operator
        key_present = self.counter.session.state is not SessionState.LOCKED
        self.status_bar.show(
            operator=f"操作员：{operator.name}" if operator else "操作员：未登录",
            key="电子钥匙：已插入" if key_present else "电子钥匙：未插入",
            camera=f"摄像头：{CAMERA_TEXT[self.services.camera.status()]}",
            printer=f"打印机：{PRINTER_TEXT[self.printer_status]}",
            network="网络：未连接",
            backlog=f"待同步 {pending_count(self.services.db)} 件",
        )

    def login(self, pin: bytearray) -> None:
        def done(_operator) -> None:
            self.counter.flow.reset()
            self.go("home")

        self.background.run(lambda: self.counter.login(pin), done, self.show_error)

    def lock(self) -> None:
        self.counter.lock()
        self.go("login")

    def start_preview(self) -> None:
        self.services.camera.start()
        self.update_status()

    def stop_preview(self) -> None:
        self.services.camera.stop()
        self.update_status()

    def arm_scan(self) -> None:
        self.start_preview()
        self.screens["scan"].result.text = "正在识别条码…"
        self.scan_worker.arm()

    def _show_frame(self) -> None:
        if self.manager.current != "scan":
            return
        frame = self.services.camera.latest_frame()
        if frame is not None:
            self.screens["scan"].show_frame(frame.gray)

    def _ticket_read(self, text: str) -> None:
        scan = self.screens["scan"]
        scan.result.text = f"已读取：{text[:60]}"
        self.update_status()

        def failed(error: BaseException) -> None:
            self.show_error(error)
            scan.result.text = "请点击“开始预览”后重新获取条码"

        self.background.run(lambda: self.counter.scan(text), lambda _i: self.go("item"), failed)

    def find_appointment(self, number: str) -> None:
        self.background.run(lambda: self.counter.find_by_appointment(number),
                            lambda _i: self.go("item"), self.show_error)

    def choose_item(self, item: ServiceItem) -> None:
        self.counter.choose_item(item)
        self.go("item")

    def choose_type(self, item_type: ItemType) -> None:
        self.counter.choose_type(item_type)
        self.go("applicant")

    def enter_applicant(self, name: str, doc_type: DocumentType, number: str, phone: str) -> None:
        try:
            self.counter.enter_applicant(name, doc_type, number, phone)
        except UserFacingError as error:
            self.show_error(error)
            return
        self.go("confirm")

    def back(self) -> None:
        self.counter.flow.back()
        self.go(FLOW_SCREENS[self.counter.flow.state])

    def submit(self) -> None:
        self.background.run(self.counter.submit, lambda _s: self.go("success"), self.show_error)

    def print_receipt(self) -> None:
        def done(_copies: int) -> None:
            self.screens["success"].refresh()
            self.screens["success"].say("回执已打印，请交给办事人", error=False)

        def failed(error: BaseException) -> None:
            self.screens["success"].refresh()
            self.show_error(error)

        self.background.run(self.counter.print_receipt, done, failed)

    def next_applicant(self) -> None:
        self.counter.new_acceptance()
        self.screens["applicant"].clear()
        self.go("home")

    def is_synced(self, submission_id: str) -> bool:
        return is_synced(self.services.db, submission_id)

    def load_receipt_preview(self, target: Image) -> None:
        """Draw the slip exactly as the printer would, from the same ESC/POS bytes."""
        config = self.services.config.printer
        preview = render_preview(encode_receipt(self.counter.receipt_lines()),
                                 paper_width_mm=config.paper_width_mm)
        buffer = io.BytesIO()
        preview.image.save(buffer, format="png")
        buffer.seek(0)
        target.texture = CoreImage(buffer, ext="png").texture

    def today_counts(self) -> dict[ItemType, int]:
        return count_by_item_type(self.services.db, hall_now().date().isoformat())
