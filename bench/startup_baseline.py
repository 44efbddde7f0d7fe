"""Baseline for the start-up benchmark: a bare Kivy window with one Chinese label."""

from __future__ import annotations

import os
import sys

os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_NO_FILELOG"] = "1"
os.environ["KIVY_LOG_MODE"] = "PYTHON"
os.environ["KIVY_HOME"] = sys.argv[2]

from kivy.core.text import DEFAULT_FONT, LabelBase  # noqa: E402

LabelBase.register(DEFAULT_FONT, sys.argv[1])

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.uix.label import Label  # noqa: E402


class Baseline(App):
    def build(self) -> Label:
        Window.bind(on_flip=self.flipped)
        return Label(text="窗口受理", font_size=40)

    def flipped(self, *_args) -> None:
        Window.unbind(on_flip=self.flipped)
        print("event=ui.first_frame", file=sys.stderr, flush=True)
        Clock.schedule_once(lambda _dt: self.stop())


Baseline().run()
