"""确认提交: the whole acceptance in one place before it is submitted."""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout

from appliance.domain.catalogue import ItemType
from appliance.domain.identity import DocumentType
from appliance.domain.submission import IdSource
from appliance.ui.screen_actions import (
    ConfirmActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    ACCENT,
    TOUCH_HEIGHT,
    BigButton,
    Text,
)
from appliance.wording import text as words


class ConfirmScreen(KioskScreen[ConfirmActions]):
    """Everything in one place; the item type can still be switched here."""

    title = words("confirm.title")

    def build(self) -> None:
        self.summary = Text("", font_size=30)
        self.body.add_widget(self.summary)
        types = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        types.add_widget(Text(words("receipt.item_type"), size_hint_x=None, width=160))
        self.type_buttons: dict[ItemType, BigButton] = {}
        for item_type in ItemType:
            button = BigButton(item_type.label, partial(self.actions.change_type, item_type))
            self.type_buttons[item_type] = button
            types.add_widget(button)
        self.body.add_widget(types)
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        row.add_widget(BigButton(words("confirm.back"), self.actions.back, color=GREY))
        self.submit_button = BigButton(words("confirm.submit"), self.actions.submit)
        row.add_widget(self.submit_button)
        self.body.add_widget(row)

    def refresh(self) -> None:
        draft = self.actions.draft()
        if not (draft.item and draft.applicant and draft.item_type):
            return
        applicant = draft.applicant
        booked = (
            words("confirm.booked", number=draft.appointment_number)
            if draft.appointment_number
            else ""
        )
        self.summary.text = "\n".join(
            [
                words("confirm.item", name=draft.item.name, code=draft.item.code),
                words("confirm.department", department=draft.item.department, booked=booked),
                words("confirm.name", name=applicant.name),
                words(
                    "confirm.document",
                    document=DocumentType(applicant.id_type).label,
                    number=applicant.id_number,
                ),
                words("confirm.phone", phone=applicant.phone or words("confirm.no_phone")),
                *self._card_line(),
            ]
        )
        for item_type, button in self.type_buttons.items():
            button.background_color = ACCENT if item_type is draft.item_type else GREY

    def _card_line(self) -> list[str]:
        """How the number was checked, when it is a card's read on the reader."""
        draft = self.actions.draft()
        identity = draft.identity_check()
        if identity.source is not IdSource.CARD or draft.card is None:
            return []
        validity = draft.card.validity_sentence()
        if validity is None:
            return [words("confirm.card_valid")]
        return [words("confirm.card_accepted", validity=validity)]
