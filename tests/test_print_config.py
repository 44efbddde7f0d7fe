"""The [printer] section: profile names, paper width and connection keys are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config import DEV_CONFIG, parse_config
from appliance.errors import ConfigError
from appliance.hardware.printer.profiles import RenderMode
from appliance.hardware.printer.setup import printer_profile, render_mode


def config_with(printer_keys: str):
    text = DEV_CONFIG.read_text(encoding="utf-8")
    text = text.replace("paper_width_mm = 80\n", printer_keys + "\n")
    return parse_config(text, Path("test.toml"))


def test_profile_and_mode_are_read_from_the_printer_section() -> None:
    section = config_with('profile = "epson-tm-t88"\nmode = "raster"').printer
    assert printer_profile(section).dots_per_line == 512
    assert render_mode(section) is RenderMode.RASTER


def test_without_a_profile_the_paper_width_picks_the_generic_one() -> None:
    section = config_with("paper_width_mm = 58").printer
    assert printer_profile(section).name == "generic-58"
    assert render_mode(section) is RenderMode.TEXT


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ('profile = "xp-9999"', "unknown printer profile"),
        ('profile = "generic-58"\npaper_width_mm = 80', "contradicts profile"),
        ("timeout_s = 0", "timeout_s"),
    ],
)
def test_bad_printer_settings_stop_start_up_naming_the_problem(keys: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_with(keys)


def test_network_backend_needs_a_host() -> None:
    text = DEV_CONFIG.read_text(encoding="utf-8").replace('backend = "file"', 'backend = "network"')
    with pytest.raises(ConfigError, match="needs host"):
        parse_config(text, Path("test.toml"))
