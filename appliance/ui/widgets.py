"""Touch-first building blocks: big buttons, keypads, headings, the status bar."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from appliance.wording import text as words

TOUCH_HEIGHT = 88  # px: about 12 mm on the counter's 10-inch 1280x800 panel
BODY_FONT = 30
TITLE_FONT = 40
ACCENT = (0.09, 0.42, 0.75, 1)
DANGER = (0.75, 0.16, 0.12, 1)
BACKGROUND = (0.96, 0.97, 0.98, 1)
INK = (0.1, 0.12, 0.16, 1)
CLEAR = words("keys.clear")  # the key that empties a keypad's or the keyboard's field


def paint(widget, rgba: tuple[float, float, float, float]) -> None:
    """Give a layout a solid background that follows its size."""
    with widget.canvas.before:
        Color(*rgba)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(
        pos=lambda _w, v: setattr(rect, "pos", v), size=lambda _w, v: setattr(rect, "size", v)
    )


class BigButton(Button):
    def __init__(
        self,
        text: str,
        on_tap: Callable[[], None],
        *,
        color=ACCENT,
        font_size: int = BODY_FONT,
        **kwargs,
    ) -> None:
        super().__init__(
            text=text,
            font_size=font_size,
            background_normal="",
            background_disabled_normal="",
            background_color=color,
            color=(1, 1, 1, 1),
            disabled_color=(1, 1, 1, 0.55),
            size_hint_y=kwargs.pop("size_hint_y", None),
            height=kwargs.pop("height", TOUCH_HEIGHT),
            **kwargs,
        )
        self.bind(on_release=lambda _b: on_tap())


class Text(Label):
    """A wrapping label in the body font, dark ink on the light background."""

    def __init__(self, text: str = "", *, font_size: int = BODY_FONT, **kwargs) -> None:
        kwargs.setdefault("color", INK)
        kwargs.setdefault("halign", "left")
        kwargs.setdefault("valign", "middle")
        super().__init__(text=text, font_size=font_size, **kwargs)
        self.bind(size=lambda w, s: setattr(w, "text_size", (s[0], None)))


class Keypad(GridLayout):
    """Digits with a clear and an extra key; used for the PIN and appointment numbers."""

    def __init__(
        self,
        on_key: Callable[[str], None],
        extra: tuple[str, str],
        confirm: tuple[str, Callable[[], None]],
        **kwargs,
    ) -> None:
        super().__init__(cols=3, spacing=10, size_hint=(None, None), **kwargs)
        self.width = 3 * 150 + 20
        keys = [*"123456789", extra[0], "0", CLEAR]
        for key in keys:
            value = extra[1] if key == extra[0] else key
            button = BigButton(
                key,
                partial(on_key, value),
                color=(0.2, 0.25, 0.32, 1),
                font_size=36,
                size_hint_x=None,
                width=150,
            )
            self.add_widget(button)
        self.add_widget(Label(size_hint_y=None, height=TOUCH_HEIGHT))
        self.add_widget(BigButton(confirm[0], confirm[1], size_hint_x=None, width=150))
        self.height = 5 * TOUCH_HEIGHT + 40


STATUS_FIELD_GAP = 28


def screen_title(text: str) -> Label:
    """The bold heading at the top of every full screen."""
    return Label(text=text, font_size=TITLE_FONT, color=INK, size_hint_y=None, height=64, bold=True)


class StatusBar(BoxLayout):
    """操作员 · 电子钥匙 · 摄像头 · 打印机 · 身份证阅读器 · 网络 · 待同步 N 件, on every
    screen (the reader's field stays empty on a box without one)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(size_hint_y=None, height=52, padding=(16, 0), **kwargs)
        paint(self, (0.13, 0.17, 0.23, 1))
        self.fields: dict[str, Label] = {}
        for name in ("operator", "key", "camera", "printer", "id_reader", "network", "backlog"):
            # Each field is as wide as its text plus the gap after it, so a long network line
            # never overlaps; an empty field (no reader on this box) takes no room, gap included.
            label = Label(font_size=22, color=(1, 1, 1, 1), size_hint_x=None, width=0)
            label.bind(texture_size=self._fit)
            self.fields[name] = label
            self.add_widget(label)

    def show(self, **values: str) -> None:
        for name, text in values.items():
            self.fields[name].text = text

    @staticmethod
    def _fit(label: Label, size: tuple[float, float]) -> None:
        label.width = size[0] + STATUS_FIELD_GAP if size[0] else 0
