"""按服务事项查询: the catalogue searched as the clerk types."""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.textinput import TextInput

from appliance.ui.keyboard import (
    BACKSPACE,
    KEY_HEIGHT,
    LETTER_ROWS,
    key_row,
)
from appliance.ui.screen_actions import (
    SearchActions,
)
from appliance.ui.screens.base import GREY, RESULT_ROWS, KioskScreen
from appliance.ui.widgets import (
    BODY_FONT,
    CLEAR,
    BigButton,
    Text,
)
from appliance.wording import text as words


class SearchScreen(KioskScreen[SearchActions]):
    """Results follow every keystroke: Chinese, full pinyin, initials ("gjj") or code."""

    title = words("lookup.search")

    def build(self) -> None:
        self.body.spacing = 8
        row = BoxLayout(spacing=16)
        left = BoxLayout(orientation="vertical", spacing=6, size_hint_x=None, width=800)
        self.query = TextInput(
            hint_text=words("search.hint"),
            font_size=BODY_FONT,
            multiline=False,
            write_tab=False,
            unfocus_on_touch=False,
            size_hint_y=None,
            height=KEY_HEIGHT,
        )
        self.query.bind(text=lambda _w, _t: self.refresh())
        left.add_widget(self.query)
        left.add_widget(key_row("1234567890", self.on_key))
        left.add_widget(key_row(LETTER_ROWS[0], self.on_key))
        left.add_widget(key_row([*LETTER_ROWS[1], "-"], self.on_key))
        left.add_widget(key_row([*LETTER_ROWS[2], BACKSPACE, CLEAR], self.on_key))
        left.add_widget(BoxLayout())
        left.add_widget(
            BigButton(
                words("common.back"), lambda: self.actions.go("home"), color=GREY, height=KEY_HEIGHT
            )
        )
        row.add_widget(left)
        self.results = BoxLayout(orientation="vertical", spacing=8)
        row.add_widget(self.results)
        self.body.add_widget(row)

    def on_enter(self, *_args) -> None:
        self.actions.refresh_catalogue()
        self.query.focus = True

    def on_key(self, key: str) -> None:
        if key == BACKSPACE:
            self.query.do_backspace()
        elif key == CLEAR:
            self.query.text = ""
        else:
            self.query.insert_text(key.lower())

    def refresh(self) -> None:
        self.results.clear_widgets()
        if not self.query.text.strip():
            self.results.add_widget(Text(words("search.type_to_find"), color=GREY))
            self.results.add_widget(BoxLayout())
            return
        items = self.actions.search_catalogue(self.query.text, RESULT_ROWS)
        for item in items:
            self.results.add_widget(
                BigButton(
                    f"{item.name}\n[size=18]{item.department}  {item.code}[/size]",
                    partial(self.actions.choose_item, item),
                    color=(0.2, 0.25, 0.32, 1),
                    font_size=24,
                    height=KEY_HEIGHT,
                    markup=True,
                    halign="center",
                )
            )
        if not items:
            self.results.add_widget(Text(words("search.nothing_found")))
        self.results.add_widget(BoxLayout())
