"""``appliance run``: the kiosk, and what it needs before its first frame."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from appliance.config import Config

if TYPE_CHECKING:
    from appliance.ui.app import KioskApp
    from appliance.wiring import Services

STARTED_AT = time.monotonic()


def prepare_kiosk(config: Config) -> tuple[type[KioskApp], Services]:
    """The font and Kivy set up, then the app class and its services (in that order: Kivy
    reads its settings when first imported)."""
    from appliance.ui.fonts import prepare_cjk_font
    from appliance.ui.kivy_setup import configure_kivy

    font = prepare_cjk_font(config.ui.font_path, config.ui.font_index, config.data_dir / "fonts")
    configure_kivy(config.ui, config.data_dir / "kivy", font)
    from appliance.ui.app import KioskApp
    from appliance.wiring import build_services

    return KioskApp, build_services(config)


def run_kiosk(config: Config, exit_after_first_frame: bool) -> int:
    app_class, services = prepare_kiosk(config)
    app = app_class(services, STARTED_AT)
    if exit_after_first_frame:
        app.after_first_frame = app.stop
    app.run()
    return 0
