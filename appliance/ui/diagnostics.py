"""系统诊断, for branch IT (网建办): opened only after the logged-in operator confirms
with the key's PIN, because it shows the box's identity and queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout

from appliance import __version__
from appliance.store.audit import first_broken_link
from appliance.store.catalogue import catalogue_size
from appliance.store.migrations import schema_version
from appliance.store.submissions import pending_count
from appliance.sync.audit_delivery import audit_delivery_line
from appliance.ui.pin_pad import PinPad
from appliance.ui.screens import GREY, KioskScreen
from appliance.ui.widgets import BigButton, Text

if TYPE_CHECKING:
    from appliance.wiring import Services


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
    ]


class DiagnosticsScreen(KioskScreen):
    title = "系统诊断"

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        self.info = Text("")
        row.add_widget(self.info)
        self.keypad = PinPad(lambda masked: self.say(masked, error=False), self.say,
                             self.app.open_diagnostics)
        row.add_widget(self.keypad)
        self.body.add_widget(row)
        self.body.add_widget(BigButton("返回", self.leave, color=GREY))

    def on_pre_enter(self, *args) -> None:
        super().on_pre_enter(*args)
        self.locked()

    def locked(self) -> None:
        self.keypad.clear()
        self.keypad.opacity, self.keypad.disabled = 1, False
        self.info.text = "系统诊断仅供网建办人员使用。\n请当前登录的操作员输入电子钥匙PIN码确认："

    def show(self, lines: list[str]) -> None:
        self.keypad.opacity, self.keypad.disabled = 0, True
        self.message.text = ""
        self.info.text = "\n".join(lines)

    def leave(self) -> None:
        self.keypad.clear()
        self.info.text = ""
        self.app.go("home")
