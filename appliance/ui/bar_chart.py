"""A horizontal bar chart drawn on the Kivy canvas: one row per label, bar length by
count. Enough for 今日统计; no charting library on the box."""

from __future__ import annotations

from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from appliance.ui.widgets import ACCENT, Text
from appliance.wording import text as words

ROW_HEIGHT = 44


class Bar(Widget):
    def __init__(self, share: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.share = share
        with self.canvas:
            Color(*ACCENT)
            self.rect = Rectangle()
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_args) -> None:
        self.rect.pos = (self.x, self.y + 6)
        self.rect.size = (max(2.0, self.width * self.share), self.height - 12)


class BarChart(BoxLayout):
    """``show([(label, count), ...])`` redraws the rows; the longest bar fills the width."""

    def __init__(self, **kwargs) -> None:
        super().__init__(orientation="vertical", spacing=4, **kwargs)

    def show(self, rows: list[tuple[str, int]]) -> None:
        self.clear_widgets()
        top = max((count for _label, count in rows), default=0) or 1
        for label, count in rows:
            row = BoxLayout(size_hint_y=None, height=ROW_HEIGHT, spacing=12)
            row.add_widget(Text(label, font_size=24, size_hint_x=0.45))
            row.add_widget(Bar(count / top, size_hint_x=0.35))
            row.add_widget(Text(words("stats.bar", count=count), font_size=24, size_hint_x=0.2))
            self.add_widget(row)
        self.add_widget(Widget())  # keeps the rows at the top


def duration_text(seconds: float) -> str:
    """A handling time as the counter says it: seconds under a minute, else minutes."""
    if seconds < 60:
        return words("stats.seconds", seconds=seconds)
    return words("stats.minutes", minutes=seconds / 60)
