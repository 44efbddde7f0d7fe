"""``appliance key status``: what is on the USB bus, which drivers loaded, which keys, and why.

For branch IT (网建办) at the counter: the same scan and diagnosis the login screen shows,
in English, or as JSON with ``--json``.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from appliance.config import Config
from appliance.development import simulators
from appliance.hardware.key.detection import DetectionPolicy, KeyDetector, KeyScan
from appliance.hardware.key.setup import load_trusted_cas, usb_bus, vendors_from


def scan_once(config: Config) -> KeyScan:
    extra = []
    if config.key.demo_token:
        assert config.key.module is not None  # KeySection requires it with demo_token
        token = simulators("key.demo_token").demo_token(config.data_dir, config.key.module)
        extra.append(token.ca_cert_path)
    policy = DetectionPolicy(
        load_trusted_cas([*config.key.trusted_ca, *extra]), config.key.expiry_warning_days
    )
    detector = KeyDetector(
        vendors_from(config), usb_bus(config), policy, lambda: datetime.now(UTC), time.monotonic
    )
    return detector.scan()


def report(scan: KeyScan) -> dict:
    diagnosis = scan.diagnosis
    operator = diagnosis.operator
    return {
        "usb": [
            {"id": device.ids, "vendor": vendor.name if vendor else None}
            for device, vendor in scan.devices
        ],
        "modules": [
            {
                "vendor": load.vendor.name,
                "path": str(load.path) if load.path else None,
                "expected": str(load.vendor.expected_module),
                "loaded": load.loaded,
                "error": load.error,
            }
            for load in scan.modules
        ],
        "tokens": [
            {
                "vendor": token.vendor.name,
                "module": str(token.module),
                "slot": token.slot_id,
                "label": token.label,
                "certificate": token.found is not None,
            }
            for token in scan.tokens
        ],
        "diagnosis": {
            "state": diagnosis.state.value,
            "vendor": diagnosis.vendor.name if diagnosis.vendor else None,
            "module": str(diagnosis.module) if diagnosis.module else None,
            "detail": diagnosis.detail,
            "certificate_serial": operator.serial if operator else None,
            "issuer": operator.issuer if operator else None,
            "not_after": operator.not_after.isoformat() if operator else None,
            "days_left": diagnosis.days_left,
            "pin_warning": diagnosis.pin_warning,
        },
    }


def run_key_status(config: Config, as_json: bool) -> int:
    """Exit 0 when a key can log in, 1 otherwise (so scripts can check the counter)."""
    scan = scan_once(config)
    facts = report(scan)
    if as_json:
        print(json.dumps(facts, indent=1))
    else:
        for device in facts["usb"]:
            print(f"usb     {device['id']}  {device['vendor'] or '(not a key, ignored)'}")
        for module in facts["modules"]:
            state = "loaded" if module["loaded"] else f"NOT LOADED ({module['error']})"
            print(f"module  {module['vendor']:10} {module['path'] or module['expected']}  {state}")
        for token in facts["tokens"]:
            print(
                f"token   {token['vendor']:10} slot {token['slot']} {token['label']!r} "
                f"certificate={'yes' if token['certificate'] else 'no'}"
            )
        d = facts["diagnosis"]
        extra = {k: v for k, v in d.items() if v not in (None, "") and k != "state"}
        print(f"diagnosis {d['state']}  " + " ".join(f"{k}={v}" for k, v in extra.items()))
    return 0 if scan.diagnosis.state.can_log_in else 1
