"""电子钥匙登录: what the key is, and the PIN pad."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from appliance.ui.pin_pad import PinPad
from appliance.ui.screen_actions import (
    LoginActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    DANGER,
    INK,
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
        info.add_widget(self.key_state)
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
