"""The board's Kivy input file: exactly one touch provider, and the screen rotation."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.errors import StartupError
from appliance.ui.board_input import apply_board_input, read_board_input

BOARD_FILE = Path(__file__).parent.parent / "firmware-config" / "kivy" / "kivy-input.ini"


class FakeKivyConfig:
    """Kivy's ConfigParser surface that apply_board_input touches."""

    def __init__(self) -> None:
        self.sections = {
            "input": {
                "mouse": "mouse,multitouch_on_demand",
                "%(name)s": "probesysfs,provider=hidinput",
            },
            "graphics": {},
        }

    def options(self, section: str) -> list[str]:
        return list(self.sections[section])

    def remove_option(self, section: str, option: str) -> bool:
        return self.sections[section].pop(option, None) is not None

    def set(self, section: str, option: str, value: str) -> None:
        self.sections[section][option] = value


def test_shipped_file_names_one_hidinput_provider_on_the_stable_link() -> None:
    providers, rotation = read_board_input(BOARD_FILE)
    assert list(providers.values()) == ["hidinput,/dev/input/touchscreen"]
    assert rotation == "0"


def test_board_file_replaces_every_other_provider_so_touches_arrive_once() -> None:
    config = FakeKivyConfig()
    assert apply_board_input(config, {"APPLIANCE_KIVY_INPUT": str(BOARD_FILE)})
    assert config.sections["input"] == {"touchscreen": "hidinput,/dev/input/touchscreen"}
    assert config.sections["graphics"]["rotation"] == "0"


def test_without_the_variable_the_development_input_stays() -> None:
    config = FakeKivyConfig()
    assert not apply_board_input(config, {})
    assert "mouse" in config.sections["input"]


@pytest.mark.parametrize(
    "text",
    [
        "[input]\nmtdev = mtdev,/dev/input/event0\nhid = hidinput,/dev/input/event0\n",
        "[graphics]\nrotation = 90\n",
        "[input]\nt = hidinput,/dev/input/touchscreen\n[graphics]\nrotation = 45\n",
    ],
)
def test_two_providers_or_a_bad_rotation_stop_start_up(tmp_path: Path, text: str) -> None:
    path = tmp_path / "kivy-input.ini"
    path.write_text(text)
    with pytest.raises(StartupError):
        read_board_input(path)
