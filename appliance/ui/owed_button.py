"""待打印回执 N 件 on the 窗口受理 home screen: the clerk passes it between every applicant,
so a receipt owed after a printer fault or a restart is not forgotten. Hidden at zero."""

from __future__ import annotations

from collections.abc import Callable

from appliance.ui.widgets import BigButton

AMBER = (0.80, 0.45, 0.05, 1)


class OwedReceiptsButton(BigButton):
    def __init__(
        self, open_list: Callable[[], None], count_owed: Callable[[Callable[[int], None]], None]
    ) -> None:
        """``count_owed`` reads the count in the background and hands it to its argument."""
        super().__init__("", open_list, color=AMBER)
        self.count_owed = count_owed
        self.show(0)

    def refresh(self) -> None:
        self.count_owed(self.show)

    def show(self, count: int) -> None:
        self.text = f"待打印回执 {count} 件" if count else ""
        self.disabled = not count
        self.opacity = 1 if count else 0
        self.size_hint_x = 1 if count else None
        if not count:
            self.width = 0
