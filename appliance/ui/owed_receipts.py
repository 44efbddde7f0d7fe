"""待打印回执: every receipt journaled but not printed, oldest first, each with its own
重新打印 that prints the journaled slip (the same lines as the first attempt)."""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView

from appliance.ui.screen_actions import OwedActions
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import TOUCH_HEIGHT, BigButton, Text
from appliance.wording import text as words
from appliance.workflow.owed_receipts import OwedReceipt


class OwedReceiptsScreen(KioskScreen[OwedActions]):
    title = words("owed.title")

    def build(self) -> None:
        self.body.add_widget(
            Text(words("owed.instruction"), font_size=24, size_hint_y=None, height=48)
        )
        self.rows = BoxLayout(orientation="vertical", spacing=8, size_hint_y=None)
        self.rows.bind(minimum_height=self.rows.setter("height"))
        scroll = ScrollView(do_scroll_x=False)
        scroll.add_widget(self.rows)
        self.body.add_widget(scroll)
        self.body.add_widget(
            BigButton(words("common.back"), lambda: self.actions.go("home"), color=GREY)
        )

    def refresh(self) -> None:
        self.actions.load_owed(self.show)

    def show(self, owed: list[OwedReceipt]) -> None:
        self.rows.clear_widgets()
        if not owed:
            self.rows.add_widget(Text(words("owed.none"), size_hint_y=None, height=TOUCH_HEIGHT))
        for receipt in owed:
            row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
            row.add_widget(Text(receipt.text, font_size=24))
            row.add_widget(
                BigButton(
                    words("print.button_reprint"),
                    partial(self.reprint, receipt),
                    size_hint_x=None,
                    width=220,
                )
            )
            self.rows.add_widget(row)

    def reprint(self, receipt: OwedReceipt) -> None:
        self.say(words("owed.printing"), error=False)

        def printed(_copies: int) -> None:
            self.refresh()
            self.say(words("owed.reprinted", receipt=receipt.receipt_number), error=False)

        def failed(error: BaseException) -> None:
            self.refresh()
            self.actions.show_error(error)

        self.actions.reprint_owed(receipt, printed, failed)
