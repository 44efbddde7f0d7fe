"""The board's touch input and rotation for Kivy, from the file the image installs.

On the box, ``$APPLIANCE_KIVY_INPUT`` names ``/etc/appliance/kivy-input.ini``
(firmware-config/kivy/kivy-input.ini). Its ``[input]`` section replaces every input
provider Kivy would otherwise start, because listing two providers for one touchscreen
(mtdev and hidinput, or the SDL mouse and hidinput) delivers every touch twice. Its
``[graphics]`` section may set ``rotation`` for a panel mounted portrait or upside down.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path
from typing import Protocol

from appliance import log
from appliance.errors import StartupError

ENV_VAR = "APPLIANCE_KIVY_INPUT"
ROTATIONS = frozenset({"0", "90", "180", "270"})


class KivyConfig(Protocol):
    def options(self, section: str) -> list[str]: ...
    def remove_option(self, section: str, option: str) -> bool: ...
    def set(self, section: str, option: str, value: str) -> None: ...


def read_board_input(path: Path) -> tuple[dict[str, str], str | None]:
    """The input providers and the rotation the file asks for; StartupError when invalid."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error) as exc:
        raise StartupError(f"board input file {path}: {exc}") from None
    providers = dict(parser["input"]) if parser.has_section("input") else {}
    if len(providers) != 1:
        raise StartupError(
            f"board input file {path}: [input] must name exactly one provider "
            f"(got {len(providers)}), or each touch is delivered twice"
        )
    rotation = parser.get("graphics", "rotation", fallback=None)
    if rotation is not None and rotation not in ROTATIONS:
        raise StartupError(
            f"board input file {path}: graphics.rotation must be one of "
            f"0, 90, 180, 270 (got {rotation!r})"
        )
    return providers, rotation


def apply_board_input(config: KivyConfig, environ: dict[str, str] | None = None) -> bool:
    """Apply the file named by $APPLIANCE_KIVY_INPUT to Kivy's config; False when unset."""
    name = (os.environ if environ is None else environ).get(ENV_VAR)
    if not name:
        return False
    path = Path(name)
    providers, rotation = read_board_input(path)
    for option in list(config.options("input")):
        config.remove_option("input", option)
    for option, value in providers.items():
        config.set("input", option, value)
    if rotation is not None:
        config.set("graphics", "rotation", rotation)
    log.event("ui.board_input", path=path, providers=",".join(providers), rotation=rotation or "0")
    return True
