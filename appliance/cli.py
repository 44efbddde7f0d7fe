"""The ``appliance`` command: run the kiosk, the demo, the self-test, the fake USB bus."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

from appliance import __version__, log
from appliance.audit_cli import COMMANDS as AUDIT_COMMANDS
from appliance.audit_cli import add_audit_commands, run_audit_command
from appliance.config import Config, default_config_path, load_config
from appliance.errors import ApplianceError
from appliance.provisioning.commands import COMMANDS as PROVISION_COMMANDS
from appliance.provisioning.commands import add_provision_commands, run_provision_command
from appliance.sync.commands import COMMANDS as SYNC_COMMANDS
from appliance.sync.commands import add_sync_commands, run_sync_command
from appliance.update_cli import COMMANDS as UPDATE_COMMANDS
from appliance.update_cli import add_update_commands, run_update_command

STARTED_AT = time.monotonic()


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS,
                        help="configuration file (default: /etc/appliance/appliance.toml "
                             "when present, else the development default)")
    parser = argparse.ArgumentParser(prog="appliance", parents=[common],
                                     description="Counter-acceptance appliance (窗口受理一体机)")
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", parents=[common], help="start the kiosk")
    run.add_argument("--demo-if-headless", action="store_true",
                     help="with no display, start a virtual one and run the demo instead")
    run.add_argument("--exit-after-first-frame", action="store_true",
                     help="stop once the first frame is drawn (start-up benchmark, smoke check)")
    demo = commands.add_parser("demo", parents=[common],
                               help="drive one complete acceptance and save screenshots")
    demo.add_argument("--output", type=Path, default=None, help="folder for the screenshots")
    demo.add_argument("--script", choices=["acceptance", "faults", "resume"],
                      default="acceptance", help="acceptance: the three look-ups to receipts; "
                      "faults: wrong input, pulled key, no paper; resume: after a restart")
    key = commands.add_parser("key", parents=[common], help="the operator's USB key")
    key.add_argument("action", choices=["status"])
    key.add_argument("--json", action="store_true", help="machine-readable output")
    selftest = commands.add_parser("selftest", parents=[common],
                                   help="check every device and the store")
    selftest.add_argument("--offline", action="store_true",
                          help="skip checks that need the network or the branch server "
                               "(image build, chroot)")
    selftest.add_argument("--no-slip", action="store_true",
                          help="do not print the readiness slip on the receipt printer")
    usb = commands.add_parser("usb", parents=[common], help="the simulated USB bus")
    usb.add_argument("action", choices=["list", "plug", "unplug"])
    usb.add_argument("device", nargs="?", choices=["key", "printer"])
    scan = commands.add_parser("scan", parents=[common],
                               help="decode ticket photos (files or folders), one JSON line each")
    scan.add_argument("images", nargs="+", type=Path, help="PNG/JPEG files or folders of them")
    add_sync_commands(commands, common)
    add_audit_commands(commands, common)
    add_provision_commands(commands, common)
    add_update_commands(commands, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    log.configure()
    args = _parser().parse_args(argv)
    try:
        if args.command in PROVISION_COMMANDS:  # reads the box file itself (no site file)
            return run_provision_command(args)
        if args.command in UPDATE_COMMANDS:  # root at boot, box file only (issue 16)
            return run_update_command(args)
        config = load_config(getattr(args, "config", None) or default_config_path())
        log.event("app.start", command=args.command, config=config.source, version=__version__)
        if args.command == "run":
            return _run(config, args.demo_if_headless, args.exit_after_first_frame)
        if args.command == "demo":
            return _demo(config, args.output, args.script)
        if args.command in AUDIT_COMMANDS:
            return run_audit_command(config, args)
        if args.command in SYNC_COMMANDS:
            return run_sync_command(config, args)
        if args.command == "key":
            from appliance.key_status import run_key_status

            return run_key_status(config, args.json)
        if args.command == "selftest":
            from appliance.selftest import run_selftest

            return run_selftest(config, offline=args.offline, slip=not args.no_slip)
        if args.command == "scan":
            from appliance.scan_cli import run_scan

            return run_scan(args.images, config.scanner.formats, sys.stdout)
        return _usb(config, args.action, args.device)
    except ApplianceError as exc:
        log.event("app.startup_failed", outcome="failure", error=type(exc).__name__)
        print(f"appliance: error: {exc}", file=sys.stderr)
        return 2


def _start_ui(config: Config):
    """Everything the kiosk needs before its first frame; returns the KioskApp class."""
    from appliance.ui.fonts import prepare_cjk_font
    from appliance.ui.kivy_setup import configure_kivy

    font = prepare_cjk_font(config.ui.font_path, config.ui.font_index,
                            config.data_dir / "fonts")
    configure_kivy(config.ui, config.data_dir / "kivy", font)
    from appliance.ui.app import KioskApp
    from appliance.wiring import build_services

    return KioskApp, build_services(config)


def _run(config: Config, demo_if_headless: bool, exit_after_first_frame: bool) -> int:
    from appliance.ui.virtual_display import has_display

    if demo_if_headless and not has_display():
        return _demo(config, None)
    app_class, services = _start_ui(config)
    app = app_class(services, STARTED_AT)
    if exit_after_first_frame:
        app.after_first_frame = app.stop
    app.run()
    return 0


def _demo(config: Config, output: Path | None, script: str = "acceptance") -> int:
    from appliance.ui.virtual_display import has_display, start_virtual_display

    display = None if has_display() else start_virtual_display(config.ui.width, config.ui.height)
    try:
        app_class, services = _start_ui(config)
        from appliance.ui.demo import DemoDriver
        from appliance.ui.demo_scripts import SCRIPTS

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        output = (output or config.data_dir / "demo" / stamp).resolve()
        app = app_class(services, STARTED_AT)
        driver = DemoDriver(app, output)
        app.on_started = lambda _app: driver.start(script, SCRIPTS[script])
        app.run()
        if app.first_frame_ms is not None:
            (output / "timing.txt").write_text(
                f"first_frame_ms={app.first_frame_ms:.0f}\n", encoding="utf-8")
    finally:
        if display is not None:
            display.terminate()
    if not driver.succeeded:
        print(f"demo failed; partial output: {output}", file=sys.stderr)
        return 1
    print(f"demo output: {output}")
    return 0


def _usb(config: Config, action: str, device: str | None) -> int:
    from appliance.sim.fake_usb import NAMED_DEVICES, FakeUsbBus

    bus = FakeUsbBus(config.usb.state_file or config.data_dir / "usb-bus.json")
    if action != "list":
        if device is None:
            print("appliance: error: say which device: key or printer", file=sys.stderr)
            return 2
        (bus.plug if action == "plug" else bus.unplug)(NAMED_DEVICES[device])
    for found in bus.devices():
        print(f"{found.ids}  {found.description}")
    return 0
