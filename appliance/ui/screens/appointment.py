"""按预约编号: an appointment found by its number, on the box or asked online."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from appliance.ui.screen_actions import (
    AppointmentActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    CLEAR,
    BigButton,
    Keypad,
    Text,
)
from appliance.wording import text as words


class AppointmentScreen(KioskScreen[AppointmentActions]):
    title = words("lookup.appointment")

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        info = BoxLayout(orientation="vertical", spacing=12)
        info.add_widget(Text(words("appointment.prompt"), color=GREY))
        self.number = Text("YY", font_size=44)
        info.add_widget(self.number)
        info.add_widget(BoxLayout())
        info.add_widget(
            BigButton(words("common.back"), lambda: self.actions.go("home"), color=GREY)
        )
        row.add_widget(info)
        search = (
            words("appointment.find"),
            lambda: self.actions.find_appointment(self.number.text),
        )
        row.add_widget(Keypad(self.on_key, extra=("YY", "YY"), confirm=search))
        self.body.add_widget(row)

    def on_key(self, key: str) -> None:
        if key == CLEAR:
            self.number.text = "YY"
        elif key == "YY":
            self.number.text = "YY" + self.number.text.removeprefix("YY")
        elif len(self.number.text) < 16:
            self.number.text += key
