"""Printer profiles: what one printer model needs to print a Chinese receipt correctly.

The shipped profiles live in ``appliance/data/printer_profiles.toml``; the configuration
names one. A profile is plain data read once, so the encoder, the raster renderer, the
preview and the bench all agree on the same facts about the paper and the printer.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources

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
    return {name: _profile(name, raw) for name, raw in tomllib.loads(text).items()}


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
        profile = PrinterProfile(name=name, **{**raw, "mode": RenderMode(raw["mode"])})
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
