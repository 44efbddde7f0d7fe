"""电子钥匙登录: what the key is, the PIN pad, and a chooser when several keys can log in."""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout

from appliance.ui.pin_pad import PinPad
from appliance.ui.screen_actions import (
    LoginActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    ACCENT,
    DANGER,
    INK,
    TOUCH_HEIGHT,
    BigButton,
    Text,
)
from appliance.wording import text as words


class LoginScreen(KioskScreen[LoginActions]):
    title = words("login.title")

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        info = BoxLayout(orientation="vertical", spacing=12)
        self.key_state = Text(words("login.detecting"))
        self.holder = Text("")
        self.pin_display = Text("", font_size=48, halign="center")
        self.chooser = BoxLayout(orientation="vertical", spacing=8, size_hint_y=None, height=0)
        info.add_widget(self.key_state)
        info.add_widget(self.chooser)
        info.add_widget(self.holder)
        info.add_widget(Text(words("login.pin_prompt"), color=GREY))
        info.add_widget(self.pin_display)
        row.add_widget(info)
        self.keypad = PinPad(
            lambda masked: setattr(self.pin_display, "text", masked), self.say, self.actions.login
        )
        row.add_widget(self.keypad)
        self.body.add_widget(row)

    def show_key(self, text: str, holder: str, *, problem: bool, ready: bool) -> None:
        """The key's diagnosis (red when it is a problem); the PIN pad works only when ready."""
        self.key_state.text = text
        self.key_state.color = DANGER if problem else INK
        self.holder.text = holder
        self.keypad.disabled = not ready
        if not ready:
            self.keypad.clear()

    def show_choices(self, labels: list[str], chosen: int | None) -> None:
        """One button per key that can log in (none when there are fewer than two); the
        chosen one is highlighted. A tap asks the kiosk to log in with that key."""
        self.chooser.clear_widgets()
        shown = labels if len(labels) > 1 else []
        for index, label in enumerate(shown):
            self.chooser.add_widget(
                BigButton(
                    ("● " if index == chosen else "○ ") + label,
                    partial(self.actions.choose_key, index),
                    color=ACCENT if index == chosen else GREY,
                    font_size=26,
                    halign="left",
                )
            )
        self.chooser.height = len(shown) * (TOUCH_HEIGHT + 8)
