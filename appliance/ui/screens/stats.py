"""今日统计: the counts that feed the hall's statistics, for this box today."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from appliance.domain.catalogue import ItemType
from appliance.domain.submission import LookupMethod
from appliance.store.stats import DayStats
from appliance.ui.bar_chart import BarChart, duration_text
from appliance.ui.screen_actions import (
    StatsActions,
)
from appliance.ui.screens.base import GREY, LOOKUP_LABELS, KioskScreen
from appliance.ui.widgets import (
    BigButton,
    Text,
)
from appliance.wording import text as words


class StatsScreen(KioskScreen[StatsActions]):
    """今日统计: the counts that feed the hall's statistics, for this box today."""

    title = words("stats.title")

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        self.table = Text("", font_size=32)
        self.detail = Text("", font_size=26)
        row.add_widget(self.table)
        row.add_widget(self.detail)
        self.chart = BarChart()  # issue 9: counts per item type and operator
        row.add_widget(self.chart)
        self.body.add_widget(row)
        self.body.add_widget(
            BigButton(words("common.back"), lambda: self.actions.go("home"), color=GREY)
        )

    def refresh(self) -> None:
        self.actions.load_stats(self.show)

    def show(self, stats: DayStats) -> None:
        self.table.text = "\n".join(
            [
                words("stats.total", count=stats.total),
                *(
                    words("stats.item_type", item_type=t.label, count=stats.by_type.get(t, 0))
                    for t in ItemType
                ),
                words("stats.unprinted", count=stats.unprinted),
            ]
        )
        self.detail.text = "\n".join(
            [
                words("stats.by_lookup"),
                *(
                    words("stats.lookup", lookup=LOOKUP_LABELS[m], count=stats.by_lookup.get(m, 0))
                    for m in LookupMethod
                ),
                words("stats.by_operator"),
                *(
                    words("stats.operator", operator=name, count=count)
                    for name, count in stats.by_operator.items()
                ),
                words("stats.handling"),
                *(
                    words("stats.operator_handling", operator=name, duration=duration_text(seconds))
                    for name, seconds in stats.handling_s.items()
                ),
            ]
        )
        self.chart.show(
            [(t.label, stats.by_type.get(t, 0)) for t in ItemType] + list(stats.by_operator.items())
        )
