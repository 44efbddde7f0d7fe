"""``appliance key status``: what is on the USB bus, which drivers loaded, which keys, and why.

For branch IT (网建办) at the counter: the same scan and diagnosis the login screen shows,
in English with the holder's name and the login screen's own sentence, or as JSON with
``--json`` (Chinese written as it is, not escaped).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from appliance.config import Config
from appliance.development import simulators
from appliance.hardware.key.detection import DetectionPolicy, KeyDetector, KeyScan
from appliance.hardware.key.setup import load_trusted_cas, usb_bus, vendors_from
from appliance.workflow.key_messages import choice_label, diagnosis_message


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
    screen, problem = diagnosis_message(diagnosis)
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
                "failed_to_start": load.failed,
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
                "algorithm": token.found.algorithm if token.found else None,
                "public_key": token.found.public_key if token.found else None,
            }
            for token in scan.tokens
        ],
        "diagnosis": {
            "state": diagnosis.state.value,
            "holder": operator.name if operator else None,
            "screen": screen,
            "screen_problem": problem,
            "vendor": diagnosis.vendor.name if diagnosis.vendor else None,
            "module": str(diagnosis.module) if diagnosis.module else None,
            "detail": diagnosis.detail,
            "certificate_serial": operator.serial if operator else None,
            "issuer": operator.issuer if operator else None,
            "not_after": operator.not_after.isoformat() if operator else None,
            "days_left": diagnosis.days_left,
            "pin_warning": diagnosis.pin_warning,
            "choices": [
                {
                    "state": choice.state.value,
                    "holder": choice.operator.name if choice.operator else None,
                    "vendor": choice.vendor.name if choice.vendor else None,
                    "slot": choice.token.slot_id if choice.token else None,
                    "label": choice_label(choice),
                }
                for choice in diagnosis.choices
            ],
        },
    }


def run_key_status(config: Config, as_json: bool) -> int:
    """Exit 0 when a key can log in, 1 otherwise (so scripts can check the counter)."""
    return print_status(scan_once(config), as_json)


def print_status(scan: KeyScan, as_json: bool) -> int:
    """Print one scan for branch IT; exit 0 when a key (or one of several) can log in."""
    facts = report(scan)
    if as_json:
        print(json.dumps(facts, indent=1, ensure_ascii=False))
    else:
        for device in facts["usb"]:
            print(f"usb     {device['id']}  {device['vendor'] or '(not a key, ignored)'}")
        for module in facts["modules"]:
            state = "loaded"
            if module["failed_to_start"]:
                state = f"INSTALLED, FAILED TO START ({module['error']})"
            elif not module["loaded"]:
                state = f"NOT LOADED ({module['error']})"
            print(f"module  {module['vendor']:10} {module['path'] or module['expected']}  {state}")
        for token in facts["tokens"]:
            print(
                f"token   {token['vendor']:10} slot {token['slot']} {token['label']!r} "
                f"certificate={'yes' if token['certificate'] else 'no'}"
            )
        d = facts["diagnosis"]
        shown = ("state", "holder", "screen", "screen_problem", "choices")
        extra = {k: v for k, v in d.items() if v not in (None, "") and k not in shown}
        print(f"diagnosis {d['state']}  " + " ".join(f"{k}={v}" for k, v in extra.items()))
        for number, choice in enumerate(d["choices"], start=1):
            print(
                f"choice  {number}. {choice['label']}  ({choice['vendor']}, slot {choice['slot']})"
            )
        if d["holder"]:
            print(f"holder  {d['holder']}")
        print(f"screen  {d['screen']}")
    usable = scan.diagnosis.state.can_log_in or bool(scan.diagnosis.choices)
    return 0 if usable else 1
