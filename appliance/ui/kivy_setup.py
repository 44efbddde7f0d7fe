"""Kivy settings that must be in place before Kivy is imported: kiosk-safe and quiet.

Kivy reads its environment and config.ini at import time, so this module imports no
Kivy at the top and :func:`configure_kivy` is called before anything else from Kivy.

Kivy logs through Python logging (``KIVY_LOG_MODE=PYTHON``, no console or file handler
of its own), so its lines reach the journal through :mod:`appliance.log`'s formatter.
There is no clipboard provider on the box: ``KIVY_CLIPBOARD=dummy`` keeps Kivy from
probing xclip/xsel, and TextInput is given an in-process clipboard before any is built,
because on Linux every TextInput imports ``kivy.core.clipboard``, whose X cut-buffer
probe runs xclip and xsel whatever ``KIVY_CLIPBOARD`` says.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from appliance.config import UiSection
from appliance.ui.board_input import apply_board_input
from appliance.ui.touch_watch import watch_touchscreens


def configure_kivy(ui: UiSection, kivy_home: Path, font: Path) -> None:
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ["KIVY_HOME"] = str(kivy_home)
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    os.environ["KIVY_CLIPBOARD"] = "dummy"

    import kivy
    from kivy.config import Config

    kivy.kivy_options["clipboard"] = ("dummy",)  # in case Kivy was imported before
    # Importing Kivy set its logger's level from config.ini ("info" on a new KIVY_HOME).
    logging.getLogger("kivy").setLevel(logging.WARNING)
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
    watch_touchscreens(Config)
    for module in list(Config.options("modules")):
        Config.remove_option("modules", module)

    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, str(font))
    install_kiosk_clipboard()


class KioskClipboard:
    """Copy and paste inside the kiosk only: no system clipboard, no X cut buffer."""

    def __init__(self) -> None:
        self._text = ""

    def copy(self, data: str = "") -> None:
        if data:
            self._text = str(data)

    def paste(self) -> str:
        return self._text


def install_kiosk_clipboard() -> None:
    """Give TextInput its clipboard so it never imports ``kivy.core.clipboard``.

    TextInput looks the clipboard up in its module globals and imports Kivy's only while
    that is empty; its cut buffer stays None, which TextInput checks before using it.
    Importing TextInput opens the window, as the app's own import would a moment later.
    """
    from kivy.uix import textinput

    if not textinput.Clipboard:
        textinput.Clipboard = KioskClipboard()
