"""What every kiosk screen shares: a title, a body, a message line, and its actions."""

from __future__ import annotations

from typing import Generic, TypeVar

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from appliance.domain.submission import LookupMethod
from appliance.ui.widgets import ACCENT, DANGER, Text, screen_title
from appliance.wording import text as words

GREY = (0.35, 0.38, 0.42, 1)
RESULT_ROWS = 6
LOOKUP_LABELS = {
    LookupMethod.QR: words("lookup.qr"),
    LookupMethod.APPOINTMENT: words("lookup.appointment"),
    LookupMethod.SEARCH: words("lookup.search"),
}
Actions = TypeVar("Actions")


class KioskScreen(Screen, Generic[Actions]):
    """Title, body, and a message line for what went wrong (in Chinese); ``actions`` is
    all the screen may ask of the kiosk."""

    title = ""

    def __init__(self, actions: Actions, name: str) -> None:
        super().__init__(name=name)
        self.actions = actions
        frame = BoxLayout(orientation="vertical", padding=(32, 16), spacing=12)
        frame.add_widget(screen_title(self.title))
        self.body = BoxLayout(orientation="vertical", spacing=16)
        frame.add_widget(self.body)
        self.message = Text("", color=DANGER, size_hint_y=None, height=56)
        frame.add_widget(self.message)
        self.add_widget(frame)
        self.build()

    def build(self) -> None:
        """Add the screen's widgets to ``self.body``."""

    def refresh(self) -> None:
        """Update what the screen shows from the counter's state."""

    def on_pre_enter(self, *_args) -> None:
        self.message.text = ""
        self.refresh()

    def say(self, text: str, error: bool = True) -> None:
        self.message.color = DANGER if error else ACCENT
        self.message.text = text
