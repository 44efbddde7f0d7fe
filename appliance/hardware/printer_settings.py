"""Checks of the [printer] configuration that span several keys.

Kept beside the profiles so the configuration module only declares keys; a problem
raises ValueError, which the configuration loader reports with the section's name.
"""

from __future__ import annotations

from typing import Any

from appliance.hardware.printer_profiles import ProfileError, get_profile

REQUIRED_KEYS = {
    "usb": ("usb_vendor_id", "usb_product_id"),
    "serial": ("serial_port",),
    "network": ("host",),
    "device": ("device",),
}


def check_printer_section(section: Any) -> None:
    """The chosen backend has its connection keys; the profile exists and fits the paper."""
    missing = [key for key in REQUIRED_KEYS.get(section.backend, ())
               if getattr(section, key) is None]
    if missing:
        raise ValueError(f"backend {section.backend!r} needs {', '.join(missing)}")
    if section.profile is None:
        return
    try:
        profile = get_profile(section.profile)
    except ProfileError as error:
        raise ValueError(str(error)) from None
    if ("paper_width_mm" in section.model_fields_set
            and section.paper_width_mm != profile.paper_width_mm):
        raise ValueError(f"paper_width_mm {section.paper_width_mm} contradicts profile "
                         f"{profile.name} ({profile.paper_width_mm} mm)")
