"""事项类型: 分厅事项 or 部门事项, chosen before the applicant."""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout

from appliance.domain.catalogue import ItemType
from appliance.ui.screen_actions import (
    ItemTypeActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    BigButton,
    Text,
)
from appliance.wording import text as words


class ItemTypeScreen(KioskScreen[ItemTypeActions]):
    title = words("receipt.item_type")

    def build(self) -> None:
        self.body.add_widget(
            Text(words("item_type.prompt"), color=GREY, size_hint_y=None, height=60)
        )
        self.type_buttons = {}
        for item_type in ItemType:
            button = BigButton(
                item_type.label,
                partial(self.actions.choose_type, item_type),
                font_size=40,
                height=140,
            )
            self.type_buttons[item_type] = button
            self.body.add_widget(button)
        self.body.add_widget(BoxLayout())
        self.body.add_widget(
            BigButton(words("common.back"), lambda: self.actions.go("item"), color=GREY)
        )
