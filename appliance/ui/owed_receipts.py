"""待打印回执: every receipt journaled but not printed, oldest first, each with its own
重新打印 that prints the journaled slip (the same lines as the first attempt)."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView

from appliance.ui.screens import GREY, KioskScreen
from appliance.ui.widgets import TOUCH_HEIGHT, BigButton, Text
from appliance.workflow.owed_receipts import OwedReceipt, owed_receipts, print_owed


class OwedReceiptsScreen(KioskScreen):
    title = "待打印回执"

    def build(self) -> None:
        self.body.add_widget(Text("以下回执已受理但未打印，请装好打印纸后逐件重新打印，交给办事人：",
                                  font_size=24, size_hint_y=None, height=48))
        self.rows = BoxLayout(orientation="vertical", spacing=8, size_hint_y=None)
        self.rows.bind(minimum_height=self.rows.setter("height"))
        scroll = ScrollView(do_scroll_x=False)
        scroll.add_widget(self.rows)
        self.body.add_widget(scroll)
        self.body.add_widget(BigButton("返回", lambda: self.app.go("home"), color=GREY))

    def refresh(self) -> None:
        db = self.app.services.db
        self.app.background.run(lambda: owed_receipts(db), self.show, self.app.show_error)

    def show(self, owed: list[OwedReceipt]) -> None:
        self.rows.clear_widgets()
        if not owed:
            self.rows.add_widget(Text("没有待打印的回执", size_hint_y=None, height=TOUCH_HEIGHT))
        for receipt in owed:
            row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
            row.add_widget(Text(receipt.text, font_size=24))
            # mypy cannot type a lambda whose default binds the loop value (python/mypy#15459)
            row.add_widget(BigButton("重新打印", lambda r=receipt: self.reprint(r),  # type: ignore[misc]
                                     size_hint_x=None, width=220))
            self.rows.add_widget(row)

    def reprint(self, receipt: OwedReceipt) -> None:
        counter = self.app.counter
        operator = counter.session.operator
        trail = counter.audit
        self.say("正在打印…", error=False)

        def printed(_copies: int) -> None:
            self.refresh()
            self.say(f"回执 {receipt.receipt_number} 已打印，请交给办事人", error=False)

        def failed(error: BaseException) -> None:
            self.refresh()
            self.app.show_error(error)

        self.app.background.run(
            lambda: print_owed(counter.receipts, receipt, trail,
                               operator.serial if operator else None),
            printed, failed)
