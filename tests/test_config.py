"""Configuration: validated at start, every problem named by its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config import DEV_CONFIG, load_config, parse_config
from appliance.errors import ConfigError

DEV = DEV_CONFIG.read_text(encoding="utf-8")


def test_development_default_loads() -> None:
    config = load_config(DEV_CONFIG)
    assert config.camera.backend == "replay"
    assert config.appliance.window == "08"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("frame_rate = 10.0", "frame_rate = 10.0\nspeed = 2", "camera.speed: unknown key"),
        ('backend = "replay"', 'backend = "webcam"', "camera.backend: Input should be 'replay'"),
        ("fullscreen = false", 'fullscreen = "no"', "ui.fullscreen: Input should be a valid bool"),
        ('window = "08"', "window = 8", "appliance.window"),
        ('window = "08"\n', "", "appliance.window: required key is missing"),
        (
            "libsofthsm2.so",
            "libmissing.so",
            "key.module: path /usr/lib/softhsm/libmissing.so does not exist",
        ),
        ('url = "http://127.0.0.1:8750"', 'url = "ftp:/x"', "branch_server.url"),
    ],
)
def test_bad_config_names_the_key(old: str, new: str, message: str) -> None:
    assert old in DEV
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        parse_config(DEV.replace(old, new, 1), Path("test.toml"))


def test_broken_toml_is_one_clear_line() -> None:
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        parse_config("[camera\n", Path("broken.toml"))
    assert "\n" not in str(info.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(tmp_path / "nope.toml")
