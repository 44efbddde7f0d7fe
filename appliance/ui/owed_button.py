"""待打印回执 N 件 on the 窗口受理 home screen: the clerk passes it between every applicant,
so a receipt owed after a printer fault or a restart is not forgotten. Hidden at zero."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.store.owed_receipts import owed_count
from appliance.ui.widgets import BigButton

if TYPE_CHECKING:
    from appliance.ui.app import KioskApp

AMBER = (0.80, 0.45, 0.05, 1)


class OwedReceiptsButton(BigButton):
    def __init__(self, app: KioskApp) -> None:
        super().__init__("", lambda: app.go("owed"), color=AMBER)
        self.app = app
        self.show(0)

    def refresh(self) -> None:
        db = self.app.services.db
        self.app.background.run(lambda: owed_count(db), self.show, self.app.show_error)

    def show(self, count: int) -> None:
        self.text = f"待打印回执 {count} 件" if count else ""
        self.disabled = not count
        self.opacity = 1 if count else 0
        self.size_hint_x = 1 if count else None
        if not count:
            self.width = 0
