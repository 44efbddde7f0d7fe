"""The kiosk as Kivy starts it on the box: no clipboard provider is loaded (no xclip or
xsel probe, no traceback), copy and paste still work inside the kiosk, and Kivy's lines
come out through the appliance's formatter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

CHILD = """
import sys
from pathlib import Path
from appliance import log
from appliance.config import load_config
from appliance.ui.fonts import prepare_cjk_font
from appliance.ui.kivy_setup import configure_kivy
from appliance_dev.virtual_display import has_display, start_virtual_display

log.configure()
tmp = Path(sys.argv[1])
ui = load_config(Path("appliance/data/appliance.dev.toml")).ui
display = None if has_display() else start_virtual_display(ui.width, ui.height)
try:
    font = prepare_cjk_font(ui.font_path, ui.font_index, tmp / "fonts")
    configure_kivy(ui, tmp / "kivy", font)
    from kivy.uix import textinput

    textinput.TextInput().copy("A023")  # every TextInput asks for the clipboard on Linux
    print("pasted=" + textinput.Clipboard.paste())
    print("clipboard_loaded=" + str("kivy.core.clipboard" in sys.modules))
finally:
    if display is not None:
        display.terminate()
"""


def test_no_clipboard_provider_is_loaded_and_copy_paste_stays_in_the_kiosk(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("APPLIANCE_KIVY_INPUT", "KIVY_CLIPBOARD")
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["pasted=A023", "clipboard_loaded=False"]
    for word in ("xclip", "xsel", "Traceback", "Cutbuffer"):
        assert word not in done.stderr
    assert all(line.startswith("ts=") for line in done.stderr.splitlines()), done.stderr
