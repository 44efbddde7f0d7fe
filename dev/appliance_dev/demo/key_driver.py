"""A scripted walk through every key the login screen must tell apart, with screenshots.

``KIVY_NO_ARGS=1 python -m appliance_dev.demo.key_driver --work DIR`` makes a drawer of test
keys (see ``appliance_dev.sim.key_lab``), starts the real kiosk on a fake USB bus, plugs each key in
turn and saves ``DIR/out/kNN-<case>.png`` with its labels; a wrong PIN is walked down to
locked, and the counter is left alone until it locks itself (the idle timeout is
``WALK_IDLE_MINUTES`` there). With ``--bench N`` it instead times N logins and N key
removals (default idle timeout) and prints JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

from appliance import log
from appliance.config import dev_config_text, load_config
from appliance_dev.sim.fake_usb import FakeUsbBus
from appliance_dev.sim.key_lab import Lab, make_lab

WALK_IDLE_MINUTES = 0.05


def write_config(work: Path, lab: Lab, idle_lock_minutes: float | None) -> Path:
    """The development config with the lab's keys as vendors and the lab CA trusted."""
    text = dev_config_text(work / "data")
    if idle_lock_minutes is not None:
        text = re.sub(
            r"(?m)^idle_lock_minutes = .*$", f"idle_lock_minutes = {idle_lock_minutes}", text
        )
    text = re.sub(r"demo_token = true.*", "demo_token = false", text)
    trusted = f'trusted_ca = ["{lab.ca_path}"]'
    text = re.sub(r"(?m)^trusted_ca = .*$", trusted, text)
    if trusted not in text:
        text = text.replace("demo_token = false", f"demo_token = false\n{trusted}")
    text = re.sub(
        r'\[usb\]\nbackend = "fake"',
        f'[usb]\nbackend = "fake"\nstate_file = "{work / "usb-bus.json"}"',
        text,
    )
    for key in lab.keys.values():
        vendor_id, product_id = key.usb_id
        text += (
            f'\n[[key.vendors]]\nname = "lab-{key.name}"\nlabel = "测试"\n'
            f'usb_ids = ["{vendor_id:04x}:{product_id:04x}"]\nmodules = ["{key.module}"]\n'
            f'rsa_scheme = "{key.rsa_scheme}"\n'
        )
    path = work / "appliance.toml"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--bench", type=int, default=0, help="time N logins and removals")
    args = parser.parse_args(argv)
    log.configure()
    lab = make_lab(args.work / "lab")
    config = load_config(write_config(args.work, lab, None if args.bench else WALK_IDLE_MINUTES))
    assert config.usb.state_file is not None  # write_config sets it
    bus = FakeUsbBus(config.usb.state_file)
    for device in bus.devices():
        bus.unplug(device)
    from appliance_dev.virtual_display import has_display, start_virtual_display

    display = None if has_display() else start_virtual_display(config.ui.width, config.ui.height)
    try:
        from appliance.commands.kiosk import STARTED_AT, prepare_kiosk

        app_class, services = prepare_kiosk(config)
        from appliance_dev.demo.key_script import KeyDriver

        app = app_class(services, STARTED_AT)
        driver = KeyDriver(app, args.work / "out", lab, bus, args.bench)
        app.on_started = driver.start
        app.run()
    finally:
        if display is not None:
            display.terminate()
    if args.bench and driver.succeeded:
        print(
            json.dumps(
                {
                    k: {"median": statistics.median(v), "max": max(v), "samples": v}
                    for k, v in driver.results.items()
                }
            )
        )
    return 0 if driver.succeeded else 1


if __name__ == "__main__":
    sys.exit(main())
