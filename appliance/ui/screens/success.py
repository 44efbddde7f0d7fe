"""受理成功: the receipt number, its preview, and printing it."""

from __future__ import annotations

from kivy.core.image import Image as CoreImage
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from appliance.domain.masking import mask_id_number
from appliance.ui.screen_actions import (
    SuccessActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    BigButton,
    Text,
)
from appliance.wording import text as words


class SuccessScreen(KioskScreen[SuccessActions]):
    title = words("success.title")

    def build(self) -> None:
        row = BoxLayout(spacing=24)
        side = BoxLayout(orientation="vertical", spacing=16)
        self.summary = Text("", font_size=30)
        side.add_widget(self.summary)
        self.print_button = BigButton(words("print.button_print"), self.actions.print_receipt)
        side.add_widget(self.print_button)
        self.reprint_button = BigButton(
            words("print.button_reprint"), self.actions.print_receipt, color=GREY
        )
        side.add_widget(self.reprint_button)
        side.add_widget(BigButton(words("success.next"), self.actions.next_applicant, color=GREY))
        row.add_widget(side)
        self.preview = Image(fit_mode="contain", size_hint_x=None, width=420)
        row.add_widget(self.preview)
        self.body.add_widget(row)

    def refresh(self) -> None:
        draft = self.actions.draft()
        submission = draft.submission
        if submission is None:
            return
        self.print_button.disabled = draft.copies_printed > 0
        self.reprint_button.disabled = draft.copies_printed == 0
        self.actions.load_receipt(submission.id, self.show_receipt)

    def show_receipt(self, synced: bool, png) -> None:
        draft = self.actions.draft()
        submission = draft.submission
        if submission is None:
            return
        applicant = submission.applicant
        self.summary.text = "\n".join(
            [
                words("success.receipt_number", number=submission.receipt_number),
                words(
                    "success.applicant",
                    name=applicant.name,
                    id_number=mask_id_number(applicant.id_number),
                ),
                words("success.item", name=submission.item.name),
                words("success.synced") if synced else words("receipt.offline"),
                (
                    words("success.copies", copies=draft.copies_printed)
                    if draft.copies_printed
                    else words("success.not_printed")
                ),
            ]
        )
        self.preview.texture = CoreImage(png, ext="png").texture
