"""Printer profiles: what one printer model needs to print a Chinese receipt correctly.

The shipped profiles live in ``appliance/data/printer_profiles.toml``; the configuration
names one. A profile is plain data read once, so the encoder, the raster renderer, the
preview and the bench all agree on the same facts about the paper and the printer.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources

from appliance.hardware.key.vendors import parse_usb_id

CELL_DOTS = 12  # font A: 12×24 dots per half-width character on every ESC/POS printer


class RenderMode(Enum):
    TEXT = "text"
    RASTER = "raster"


ENCODINGS = ("gb18030", "gbk", "utf-8")
RASTER_COMMANDS = ("gs_v_0", "gs_l")
CUTTERS = ("partial", "full", "none")
PAPER_WIDTHS = (58, 80)


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    description: str
    paper_width_mm: int
    dots_per_line: int
    encoding: str
    chinese_mode_commands: bool
    mode: RenderMode
    raster_command: str
    raster_fragment_rows: int
    cutter: str
    native_qr: bool
    # (vendor_id, product_id) of the models this profile is for: a USB printer with one of
    # these ids is found on the bus when the configuration names none (printer_discovery)
    usb_ids: tuple[tuple[int, int], ...] = ()

    @property
    def columns(self) -> int:
        """Half-width characters per printed row."""
        return self.dots_per_line // CELL_DOTS

    @property
    def starts_in_chinese_mode(self) -> bool:
        """A printer sent no FS & must already be in Chinese mode after ESC @."""
        return not self.chinese_mode_commands


class ProfileError(ValueError):
    """A profile entry is malformed or names something unknown."""


@cache
def shipped_profiles() -> dict[str, PrinterProfile]:
    text = resources.files("appliance").joinpath("data/printer_profiles.toml").read_text("utf-8")
    profiles = {name: _profile(name, raw) for name, raw in tomllib.loads(text).items()}
    _check_unique_usb_ids(profiles.values())
    return profiles


def _check_unique_usb_ids(profiles: Iterable[PrinterProfile]) -> None:
    """A USB id names one profile, so a printer found on the bus has one layout."""
    owner: dict[tuple[int, int], str] = {}
    for profile in profiles:
        for usb_id in profile.usb_ids:
            if usb_id in owner:
                raise ProfileError(
                    f"USB id {usb_id[0]:04x}:{usb_id[1]:04x} is listed by both "
                    f"printer profiles {owner[usb_id]} and {profile.name}"
                )
            owner[usb_id] = profile.name


def get_profile(name: str) -> PrinterProfile:
    profiles = shipped_profiles()
    if name not in profiles:
        raise ProfileError(f"unknown printer profile {name!r}: expected one of {sorted(profiles)}")
    return profiles[name]


def default_profile(paper_width_mm: int) -> PrinterProfile:
    """The generic Chinese profile for a paper width, for configurations naming none."""
    return get_profile(f"generic-{paper_width_mm}")


def _profile(name: str, raw: dict) -> PrinterProfile:
    try:
        usb_ids = tuple(parse_usb_id(text) for text in raw.get("usb_ids", ()))
        profile = PrinterProfile(
            name=name, **{**raw, "mode": RenderMode(raw["mode"]), "usb_ids": usb_ids}
        )
    except (TypeError, KeyError, ValueError) as error:
        raise ProfileError(f"printer profile {name}: {error}") from None
    checks = {
        "paper_width_mm": profile.paper_width_mm in PAPER_WIDTHS,
        "encoding": profile.encoding in ENCODINGS,
        "raster_command": profile.raster_command in RASTER_COMMANDS,
        "cutter": profile.cutter in CUTTERS,
        "dots_per_line": 288 <= profile.dots_per_line <= 640 and profile.dots_per_line % 8 == 0,
        "raster_fragment_rows": 1 <= profile.raster_fragment_rows <= 1024,
    }
    bad = [key for key, ok in checks.items() if not ok]
    if bad:
        raise ProfileError(f"printer profile {name}: invalid {', '.join(bad)}")
    return profile
