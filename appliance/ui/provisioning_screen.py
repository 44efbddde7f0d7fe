"""设备初始化: what a box shows until branch IT's provisioning bundle is applied.

The screen is told what to show — each device's state (the status bar's words) and how
the last bundle went (``last-result.json``, read off the main thread by the app) — and
has no actions: the bundle is applied by the root provisioning unit, which restarts the
kiosk once the box is set up.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from appliance.provisioning.result import LastResult
from appliance.provisioning.words import (
    DEVICES_HEADING,
    INSTRUCTION,
    NOT_SET_UP,
    TITLE,
    result_line,
)
from appliance.ui.screens.base import GREY
from appliance.ui.widgets import ACCENT, DANGER, Text, screen_title

DEVICE_ROWS = 3  # 摄像头, 电子钥匙, 打印机


def _line(text: str = "", **kwargs) -> Text:
    """A wrapping line as tall as its text, so a long sentence never overlaps the next."""
    line = Text(text, size_hint_y=None, **kwargs)
    line.bind(texture_size=lambda widget, size: setattr(widget, "height", max(size[1], 40)))
    return line


class ProvisioningScreen(Screen):
    """Title, the devices one per line, the instruction, the last result; ``message``
    and :meth:`say` as every kiosk screen has, for the app's error line."""

    title = TITLE

    def __init__(self, name: str = "provisioning") -> None:
        super().__init__(name=name)
        frame = BoxLayout(orientation="vertical", padding=(32, 16), spacing=12)
        frame.add_widget(screen_title(self.title))
        body = BoxLayout(orientation="vertical", spacing=12)
        self.devices = [_line(font_size=28) for _ in range(DEVICE_ROWS)]
        self.result = _line()
        for line in (
            _line(NOT_SET_UP),
            _line(DEVICES_HEADING, color=GREY),
            *self.devices,
            _line(INSTRUCTION, font_size=34, color=ACCENT),
            self.result,
        ):
            body.add_widget(line)
        body.add_widget(BoxLayout())  # the rest of the panel stays empty
        frame.add_widget(body)
        self.message = Text("", color=DANGER, size_hint_y=None, height=56)
        frame.add_widget(self.message)
        self.add_widget(frame)

    def show_devices(self, lines: list[str]) -> None:
        for label, text in zip(self.devices, lines, strict=False):
            label.text = text

    def show_result(self, last: LastResult | None) -> None:
        """The last bundle: refused (red, with the reason in Chinese) or applied."""
        if last is None:
            self.result.text = ""
            return
        self.result.color = ACCENT if last.ok else DANGER
        self.result.text = result_line(last.ok, last.reason, last.hall_name, last.window)

    def say(self, text: str, error: bool = True) -> None:
        self.message.color = DANGER if error else ACCENT
        self.message.text = text
