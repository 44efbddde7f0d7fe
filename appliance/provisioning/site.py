"""The site file: the part of the configuration that provisioning may set.

The box file (read-only root) holds what every box shares; the site file (data
partition, written by ``appliance provision apply``) holds what makes it this counter.
It is merged table by table over the box file before validation, so one schema checks
both. Only the keys in :data:`SITE_KEYS` may come from a site file.
"""

from __future__ import annotations

import json
from typing import Any

SITE_KEYS: dict[str, frozenset[str]] = {
    "appliance": frozenset({"hall_name", "window"}),
    "branch_server": frozenset(
        {"url", "token_url", "client_id", "client_secret_file", "ca_bundle"}
    ),
    "key": frozenset({"trusted_ca"}),
    "printer": frozenset(
        {
            "profile",
            "backend",
            "serial_port",
            "baudrate",
            "usb_vendor_id",
            "usb_product_id",
            "host",
            "port",
            "paper_width_mm",
            "mode",
        }
    ),
}


def foreign_keys(site: dict[str, Any]) -> list[str]:
    """Dotted names of the keys a site file may not set, in file order."""
    found = []
    for section, value in site.items():
        allowed = SITE_KEYS.get(section)
        if allowed is None or not isinstance(value, dict):
            found.append(section)
            continue
        found += [f"{section}.{key}" for key in value if key not in allowed]
    return found


def allowed_text() -> str:
    return ", ".join(
        f"{section}.{key}" for section, keys in SITE_KEYS.items() for key in sorted(keys)
    )


def merge(box: dict[str, Any], site: dict[str, Any]) -> dict[str, Any]:
    """``box`` with ``site`` laid over it: tables merge key by key, values are replaced."""
    merged = dict(box)
    for key, value in site.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def to_toml(site: dict[str, dict[str, Any]]) -> str:
    """A site table as TOML: sections of strings, integers, booleans and string lists
    (the only values a site file holds). Strings are written as JSON strings, which TOML
    reads as basic strings."""
    lines: list[str | None] = []
    for section, values in site.items():
        lines += ["" if lines else None, f"[{section}]"]
        lines += [f"{key} = {_value(value)}" for key, value in values.items()]
    return "\n".join(line for line in lines if line is not None) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"a site file holds no {type(value).__name__} values")
