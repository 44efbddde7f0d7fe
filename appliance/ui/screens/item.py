"""事项详情: the service item found, before its type is chosen."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from appliance.domain.catalogue import ServiceItem
from appliance.ui.screen_actions import (
    ItemActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    TOUCH_HEIGHT,
    BigButton,
    Text,
)
from appliance.wording import text as words


class ItemScreen(KioskScreen[ItemActions]):
    title = words("item.title")

    def build(self) -> None:
        self.details = Text("", font_size=32)
        self.body.add_widget(self.details)
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        row.add_widget(BigButton(words("common.back"), self.actions.back, color=GREY))
        self.handle_button = BigButton(words("item.handle"), lambda: self.actions.go("item_type"))
        row.add_widget(self.handle_button)
        self.body.add_widget(row)

    def refresh(self) -> None:
        draft = self.actions.draft()
        item: ServiceItem | None = draft.item
        if item is None:
            return
        promise = (
            words("item.promise_days", days=item.promised_days)
            if item.promised_days
            else words("item.promise_now")
        )
        lines = [
            words("item.name", name=item.name),
            words("item.code", code=item.code),
            words("item.department", department=item.department),
            words("item.promise", promise=promise),
        ]
        if draft.queue_number:
            lines.append(words("item.queue_number", number=draft.queue_number))
        if draft.appointment_number:
            lines.append(words("item.appointment", number=draft.appointment_number))
        if draft.known_applicant:
            lines.append(words("item.booked_by", name=draft.known_applicant.name))
        self.details.text = "\n".join(lines)
