"""Device rules: a group and 0660 for every node we open, never 0666; keys from the registry."""

from __future__ import annotations

import re
from pathlib import Path

from appliance.hardware.key.vendors import DEFAULT_VENDORS

UDEV = Path(__file__).parent.parent / "firmware-config" / "udev"
RULES = sorted(UDEV.glob("*.rules"))


def logical_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_every_rule_that_sets_a_mode_sets_0660_and_a_group() -> None:
    assert RULES
    for path in RULES:
        for line in logical_lines(path):
            modes = re.findall(r'MODE="(\d+)"', line)
            assert modes in ([], ["0660"]), f"{path.name}: {line}"
            if modes:
                assert 'GROUP="' in line, f"{path.name}: {line}"


def test_nothing_is_world_accessible() -> None:
    for path in RULES:
        assert "0666" not in path.read_text(encoding="utf-8"), path.name


def test_key_rules_are_generated_from_the_vendor_registry() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_key_rules", UDEV / "make_key_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generated = module.key_rules(DEFAULT_VENDORS)
    assert (UDEV / "70-appliance-ukey.rules").read_text(encoding="utf-8") == generated, (
        "regenerate: .venv/bin/python firmware-config/udev/make_key_rules.py > "
        "firmware-config/udev/70-appliance-ukey.rules"
    )


def test_both_real_vendors_keys_get_group_ukey_and_the_demo_id_does_not() -> None:
    rules = (UDEV / "70-appliance-ukey.rules").read_text(encoding="utf-8")
    for vendor in DEFAULT_VENDORS:
        for vendor_id, product_id in vendor.usb_ids:
            ids = f'ATTR{{idVendor}}=="{vendor_id:04x}", ATTR{{idProduct}}=="{product_id:04x}"'
            assert (ids in rules) == (vendor.name != "softhsm"), vendor.name
    assert rules.count('GROUP="ukey"') >= 4
