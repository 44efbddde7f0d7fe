"""Checks of the [printer] configuration that span several keys.

Kept beside the profiles so the configuration module only declares keys; a problem
raises ValueError, which the configuration loader reports with the section's name.
"""

from __future__ import annotations

from typing import Any

from appliance.hardware.printer.profiles import ProfileError, get_profile

REQUIRED_KEYS = {
    "serial": ("serial_port",),
    "network": ("host",),
    "device": ("device",),
}


def check_printer_section(section: Any) -> None:
    """The chosen backend has its connection keys; the profile exists and fits the paper.

    The USB backend takes both ids or neither: without them it finds the printer by the
    USB ids the profiles list (``printer_discovery``).
    """
    missing = [
        key for key in REQUIRED_KEYS.get(section.backend, ()) if getattr(section, key) is None
    ]
    if missing:
        raise ValueError(f"backend {section.backend!r} needs {', '.join(missing)}")
    if section.backend == "usb" and (section.usb_vendor_id is None) != (
        section.usb_product_id is None
    ):
        raise ValueError(
            "backend 'usb' needs both usb_vendor_id and usb_product_id, or "
            "neither (then the printer is found by the profiles' USB ids)"
        )
    if section.profile is None:
        return
    try:
        profile = get_profile(section.profile)
    except ProfileError as error:
        raise ValueError(str(error)) from None
    if (
        "paper_width_mm" in section.model_fields_set
        and section.paper_width_mm != profile.paper_width_mm
    ):
        raise ValueError(
            f"paper_width_mm {section.paper_width_mm} contradicts profile "
            f"{profile.name} ({profile.paper_width_mm} mm)"
        )
