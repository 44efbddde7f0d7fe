"""窗口受理, the home screen: the three look-ups, owed receipts, statistics, lock."""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout

from appliance.ui.owed_button import OwedReceiptsButton
from appliance.ui.screen_actions import (
    HomeActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    TOUCH_HEIGHT,
    BigButton,
)
from appliance.wording import text as words


class HomeScreen(KioskScreen[HomeActions]):
    title = words("home.title")

    def build(self) -> None:
        for label, target in (
            (words("lookup.qr"), "scan"),
            (words("lookup.appointment"), "appointment"),
            (words("lookup.search"), "search"),
        ):
            self.body.add_widget(
                BigButton(label, partial(self.actions.go, target), font_size=40, height=130)
            )
        self.body.add_widget(BoxLayout())
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        # issue 6: receipts owed after a fault
        self.owed = OwedReceiptsButton(lambda: self.actions.go("owed"), self.actions.count_owed)
        row.add_widget(self.owed)
        row.add_widget(
            BigButton(words("stats.title"), lambda: self.actions.go("stats"), color=GREY)
        )
        row.add_widget(
            BigButton(
                words("diagnostics.title"), lambda: self.actions.go("diagnostics"), color=GREY
            )
        )
        row.add_widget(BigButton(words("home.lock"), self.actions.lock, color=GREY))
        self.body.add_widget(row)

    def refresh(self) -> None:
        self.owed.refresh()
