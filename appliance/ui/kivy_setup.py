"""Kivy settings that must be in place before Kivy is imported: kiosk-safe and quiet.

Kivy reads its environment and config.ini at import time, so this module imports no
Kivy at the top and :func:`configure_kivy` is called before anything else from Kivy.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from appliance.config import UiSection
from appliance.ui.board_input import apply_board_input


def configure_kivy(ui: UiSection, kivy_home: Path, font: Path) -> None:
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ["KIVY_HOME"] = str(kivy_home)
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    logging.getLogger("kivy").setLevel(logging.WARNING)

    from kivy.config import Config

    Config.set("kivy", "log_level", "warning")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("graphics", "fullscreen", "auto" if ui.fullscreen else "0")
    Config.set("graphics", "show_cursor", "1" if ui.show_cursor else "0")
    Config.set("graphics", "width", str(ui.width))
    Config.set("graphics", "height", str(ui.height))
    Config.set("graphics", "resizable", "0")
    Config.set("input", "mouse", "mouse,multitouch_on_demand")
    apply_board_input(Config)
    for module in list(Config.options("modules")):
        Config.remove_option("modules", module)

    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, str(font))
