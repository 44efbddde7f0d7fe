"""On-screen keyboard for the applicant screen, and the fields it types into.

The box has no system input method, so names are typed as pinyin (on screen or on a
physical keyboard) and chosen from the candidate bar; ID numbers take letters and
digits. Keys are at least 12 mm on the counter's 10.1-inch 1280×800 panel (150 dpi).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.textinput import TextInput

from appliance.ui.name_composer import SEPARATOR, NameComposer
from appliance.ui.widgets import BODY_FONT, BigButton, Text

KEY_HEIGHT = 76  # px: 12.9 mm at 150 dpi
KEY_COLOR = (0.2, 0.25, 0.32, 1)
CANDIDATE_COLOR = (0.09, 0.42, 0.75, 1)
LETTER_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
BACKSPACE, CLEAR = "退格", "清除"
PREVIOUS, NEXT = "上页", "下页"
SEPARATOR_KEYS = "·.`'"


class NameField(TextInput):
    """姓名: ASCII letters go to the pinyin composer, 1–8 or space choose a candidate."""

    def __init__(self, on_compose: Callable[[], None], **kwargs) -> None:
        super().__init__(
            font_size=BODY_FONT, multiline=False, write_tab=False, unfocus_on_touch=False, **kwargs
        )
        self.composer = NameComposer()
        self.on_compose = on_compose

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        for char in substring:
            self._one(char, from_undo)
        self.on_compose()

    def _one(self, char: str, from_undo: bool) -> None:
        composing = bool(self.composer.pinyin)
        if char.isascii() and char.isalpha():
            self.composer.type_letter(char)
        elif composing and char in "12345678 ":
            self.choose(0 if char == " " else int(char) - 1)
        elif char in SEPARATOR_KEYS or char == SEPARATOR:
            if not composing and self.text and not self.text.endswith(SEPARATOR):
                super().insert_text(SEPARATOR, from_undo)
        elif "\u4e00" <= char <= "\u9fff":
            super().insert_text(char, from_undo)

    def choose(self, index: int) -> None:
        chosen = self.composer.choose(index, self.text)
        if chosen:
            super().insert_text(chosen)
        self.on_compose()

    def do_backspace(self, from_undo: bool = False, mode: str = "bkspc") -> None:
        if not self.composer.backspace():
            super().do_backspace(from_undo, mode)
        self.on_compose()

    def keyboard_on_key_down(self, window, keycode, text, modifiers) -> bool:
        if keycode[1] in ("enter", "numpadenter") and self.composer.pinyin:
            self.choose(0)
            return True
        if keycode[1] in ("-", "=", "pageup", "pagedown") and self.composer.pinyin:
            self.composer.turn(1 if keycode[1] in ("=", "pagedown") else -1, self.text)
            self.on_compose()
            return True
        return super().keyboard_on_key_down(window, keycode, text, modifiers)

    def clear(self) -> None:
        self.composer.clear()
        self.text = ""
        self.on_compose()


class CodeField(TextInput):
    """证件号码 / 手机号码: upper-case letters and digits only, up to ``max_length``."""

    def __init__(self, max_length: int, digits_only: bool = False, **kwargs) -> None:
        super().__init__(
            font_size=BODY_FONT, multiline=False, write_tab=False, unfocus_on_touch=False, **kwargs
        )
        self.max_length = max_length
        self.digits_only = digits_only

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        allowed = "".join(
            c.upper()
            for c in substring
            if c.isascii() and c.isalnum() and (c.isdigit() or not self.digits_only)
        )
        room = self.max_length - len(self.text)
        if allowed and room > 0:
            super().insert_text(allowed[:room], from_undo)

    def clear(self) -> None:
        self.text = ""


def key_row(keys: str | list[str], on_key: Callable[[str], None]) -> BoxLayout:
    row = BoxLayout(spacing=6, size_hint_y=None, height=KEY_HEIGHT)
    for key in keys:
        wide = len(key) > 1
        row.add_widget(
            BigButton(
                key,
                partial(on_key, key),
                color=KEY_COLOR,
                font_size=30,
                height=KEY_HEIGHT,
                size_hint_x=1.6 if wide else 1,
            )
        )
    return row


class CandidateBar(BoxLayout):
    """The pinyin typed so far and one page of characters to choose from."""

    def __init__(self, field: NameField, **kwargs) -> None:
        super().__init__(spacing=6, size_hint_y=None, height=KEY_HEIGHT, **kwargs)
        self.field = field
        self.pinyin = Text("", font_size=30, size_hint_x=None, width=140)
        self.add_widget(self.pinyin)
        self.slots = BoxLayout(spacing=6)
        self.add_widget(self.slots)
        self.add_widget(
            BigButton(
                PREVIOUS,
                lambda: self._turn(-1),
                color=KEY_COLOR,
                font_size=26,
                height=KEY_HEIGHT,
                size_hint_x=None,
                width=100,
            )
        )
        self.add_widget(
            BigButton(
                NEXT,
                lambda: self._turn(1),
                color=KEY_COLOR,
                font_size=26,
                height=KEY_HEIGHT,
                size_hint_x=None,
                width=100,
            )
        )

    def _turn(self, step: int) -> None:
        self.field.composer.turn(step, self.field.text)
        self.show()

    def show(self) -> None:
        composer = self.field.composer
        self.pinyin.text = composer.pinyin or "拼音"
        self.pinyin.color = (0.1, 0.12, 0.16, 1) if composer.pinyin else (0.55, 0.58, 0.62, 1)
        self.slots.clear_widgets()
        for index, char in enumerate(composer.page_of(self.field.text)):
            self.slots.add_widget(
                BigButton(
                    char,
                    partial(self.field.choose, index),
                    color=CANDIDATE_COLOR,
                    font_size=38,
                    height=KEY_HEIGHT,
                )
            )
        if not composer.pinyin:
            self.slots.add_widget(
                Text(
                    "输入拼音后点选汉字；少数民族姓名中间的点请按“·”",
                    font_size=22,
                    color=(0.35, 0.38, 0.42, 1),
                )
            )
