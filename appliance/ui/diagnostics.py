"""系统诊断, for branch IT (网建办): opened only after the logged-in operator confirms
with the key's PIN, because it shows the box's identity and queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout

from appliance import __version__
from appliance.diagnostics.readiness import CheckResult
from appliance.diagnostics.readiness_words import PRINTER_FAULTS, check_line, verdict
from appliance.diagnostics.selftest import print_readiness_slip
from appliance.hardware.printer.port import PrinterError, PrinterStatus
from appliance.store.audit import first_broken_link
from appliance.store.catalogue import catalogue_size
from appliance.store.schema.migrations import schema_version
from appliance.store.submissions import pending_count
from appliance.sync.audit_delivery import audit_delivery_line
from appliance.ui.pin_pad import PinPad
from appliance.ui.screen_actions import DiagnosticsActions
from appliance.ui.screens import GREY, KioskScreen
from appliance.ui.widgets import TOUCH_HEIGHT, BigButton, Text
from appliance.updates.status import read_status_file
from appliance.updates.words import chinese_lines as update_lines
from appliance.workflow.messages import UserFacingError

if TYPE_CHECKING:
    from appliance.wiring import Services

RESULTS_WIDTH = 700  # px: a check's line with its reason, on the 1280-wide panel


def diagnostics_lines(services: Services) -> list[str]:
    """What 网建办 asks for on the phone (devices are on the status bar above); runs in
    the background, it reads the database."""
    config, db = services.config, services.db
    broken = first_broken_link(db)
    operator = services.counter.session.operator
    return [
        f"软件版本：{__version__}　配置文件：{config.source}",
        f"大厅：{config.appliance.hall_name}　窗口：{config.appliance.window}",
        f"操作员证书序列号：{operator.serial if operator else '未登录'}",
        f"数据库结构版本：{schema_version(db)}　事项目录：{catalogue_size(db)} 项",
        f"待同步：{pending_count(db)} 件　分厅服务器：{config.branch_server.url}",
        "审计日志：完整" if broken is None else f"审计日志：第 {broken} 条起校验失败，请联系网建办",
        audit_delivery_line(db),  # issue 9
        *update_lines(read_status_file(config.data_dir / "updates")),  # issue 16
    ]


def print_selftest_slip(services: Services, results: list[CheckResult]) -> PrinterStatus:
    """The readiness slip; a printer that stops half-way is told in the clerk's words."""
    try:
        return print_readiness_slip(services, results)
    except PrinterError as error:
        raise UserFacingError(
            str(error), "自检单未打印完整：" + PRINTER_FAULTS[error.status.value]
        ) from None


class DiagnosticsScreen(KioskScreen[DiagnosticsActions]):
    """Locked: the PIN pad. Open: the box's details, and the self-test of
    ``appliance selftest`` run in the background, one Chinese line per check."""

    title = "系统诊断"

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        self.info = Text("", font_size=24)
        row.add_widget(self.info)
        self.keypad = PinPad(
            lambda masked: self.say(masked, error=False),
            self.say,
            lambda pin: self.actions.open_diagnostics(pin, self.show),
        )
        self.side = BoxLayout(size_hint_x=None, width=self.keypad.width)
        self.results = Text("", font_size=22, valign="top")
        row.add_widget(self.side)
        self.body.add_widget(row)
        buttons = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        self.run_button = BigButton("运行自检", self.run_selftest)
        self.slip_button = BigButton("打印自检单", self.print_slip)
        for button in (self.run_button, self.slip_button):
            buttons.add_widget(button)
        buttons.add_widget(BigButton("返回", self.leave, color=GREY))
        self.body.add_widget(buttons)
        self.checks: list[CheckResult] = []

    def on_pre_enter(self, *args) -> None:
        super().on_pre_enter(*args)
        self.locked()

    def locked(self) -> None:
        self.keypad.clear()
        self._side(self.keypad, self.keypad.width)
        self.results.text = ""
        self.checks = []
        self._enable(run=False, slip=False)
        self.info.text = "系统诊断仅供网建办人员使用。\n请当前登录的操作员输入电子钥匙PIN码确认："

    def show(self, lines: list[str]) -> None:
        self._side(self.results, RESULTS_WIDTH)
        self.message.text = ""
        self.info.text = "\n".join(lines)
        self.results.text = (
            "点击“运行自检”检查字体、数据库、电子钥匙、高拍仪、打印机、"
            "存储空间、审计日志、分厅服务器和待同步办件"
        )
        self._enable(run=True, slip=False)

    def run_selftest(self) -> None:
        """The same checks as ``appliance selftest``, audited as selftest.run."""
        self._enable(run=False, slip=False)
        self.say("正在自检，请稍候…", error=False)
        self.actions.run_selftest(self.show_checks, self._failed)

    def show_checks(self, results: list[CheckResult]) -> None:
        self.checks = results
        self.results.text = "\n".join([*map(check_line, results), verdict(results)])
        self.say("自检完成，可打印自检单交网建办", error=False)
        self._enable(run=True, slip=True)

    def print_slip(self) -> None:
        self._enable(run=False, slip=False)

        def done(status: PrinterStatus) -> None:
            self._enable(run=True, slip=True)
            if status is PrinterStatus.READY:
                self.say("自检单已打印", error=False)
            else:
                self.say(f"自检单未打印：{PRINTER_FAULTS[status.value]}")

        self.actions.print_selftest_slip(self.checks, done, self._failed)

    def _failed(self, error: BaseException) -> None:
        self._enable(run=True, slip=bool(self.checks))
        self.actions.show_error(error)

    def _enable(self, *, run: bool, slip: bool) -> None:
        """Greyed until the PIN is confirmed and while a check or a slip is under way."""
        self.run_button.disabled = not run
        self.slip_button.disabled = not slip

    def _side(self, widget, width: int) -> None:
        self.side.clear_widgets()
        self.side.width = width
        self.side.add_widget(widget)

    def leave(self) -> None:
        self.keypad.clear()
        self.info.text = ""
        self.actions.go("home")
