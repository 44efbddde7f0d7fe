"""The ``appliance`` command: the kiosk, the sync, the self-test, audit, provisioning,
updates, the ID card reader.

The development package adds its commands (demo, branch server, fake USB bus) when it is
installed (:mod:`appliance.development`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from appliance import __version__, log
from appliance.commands.audit import COMMANDS as AUDIT_COMMANDS
from appliance.commands.audit import add_audit_commands, run_audit_command
from appliance.commands.idcard import COMMANDS as IDCARD_COMMANDS
from appliance.commands.idcard import add_idcard_commands, run_idcard_command
from appliance.commands.provision import COMMANDS as PROVISION_COMMANDS
from appliance.commands.provision import add_provision_commands, run_provision_command
from appliance.commands.sync import COMMANDS as SYNC_COMMANDS
from appliance.commands.sync import add_sync_commands, run_sync_command
from appliance.commands.update import COMMANDS as UPDATE_COMMANDS
from appliance.commands.update import add_update_commands, run_update_command
from appliance.config import Config, default_config_path, load_config
from appliance.development import CommandGroup, command_groups
from appliance.errors import ApplianceError, StartupError
from appliance.wording import text

# The kiosk and the sync, run by hand as by their units (UMask=0007, issue 18): every file
# they make is the owner's and the shared group's, nothing for others.
SERVICE_COMMANDS = ("run", "sync")
SERVICE_UMASK = 0o007


def _parser(extra: list[CommandGroup]) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help="configuration file (default: $APPLIANCE_CONFIG, else "
        "/etc/appliance/appliance.toml when present, else the "
        "development default)",
    )
    parser = argparse.ArgumentParser(
        prog="appliance",
        parents=[common],
        description=f"Counter-acceptance appliance ({text('cli.product')})",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", parents=[common], help="start the kiosk")
    run.add_argument(
        "--demo-if-headless",
        action="store_true",
        help="with no display, start a virtual one and run the demo instead (development package)",
    )
    run.add_argument(
        "--exit-after-first-frame",
        action="store_true",
        help="stop once the first frame is drawn (start-up benchmark, smoke check)",
    )
    key = commands.add_parser("key", parents=[common], help="the operator's USB key")
    key.add_argument("action", choices=["status"])
    key.add_argument("--json", action="store_true", help="machine-readable output")
    selftest = commands.add_parser(
        "selftest", parents=[common], help="check every device and the store"
    )
    selftest.add_argument(
        "--offline",
        action="store_true",
        help="skip checks that need the network or the branch server (image build, chroot)",
    )
    selftest.add_argument(
        "--no-slip",
        action="store_true",
        help="do not print the readiness slip on the receipt printer",
    )
    scan = commands.add_parser(
        "scan", parents=[common], help="decode ticket photos (files or folders), one JSON line each"
    )
    scan.add_argument("images", nargs="+", type=Path, help="PNG/JPEG files or folders of them")
    add_sync_commands(commands, common)
    add_audit_commands(commands, common)
    add_provision_commands(commands, common)
    add_update_commands(commands, common)
    add_idcard_commands(commands, common)
    for group in extra:
        group.add(commands, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    log.configure()
    extra = command_groups()
    args = _parser(extra).parse_args(argv)
    umask = os.umask(SERVICE_UMASK) if args.command in SERVICE_COMMANDS else None
    try:
        return _run(args, extra)
    finally:
        if umask is not None:  # a caller in the same process keeps its own
            os.umask(umask)


def _run(args: argparse.Namespace, extra: list[CommandGroup]) -> int:
    try:
        if args.command in PROVISION_COMMANDS:  # reads the box file itself (no site file)
            return run_provision_command(args)
        if args.command in UPDATE_COMMANDS:  # root at boot, box file only (issue 16)
            return run_update_command(args)
        config = load_config(getattr(args, "config", None) or default_config_path())
        log.event("app.start", command=args.command, config=config.source, version=__version__)
        if args.command == "run":
            if args.demo_if_headless and not _has_display():
                return _headless_demo(config, extra)
            from appliance.commands.kiosk import run_kiosk

            return run_kiosk(config, args.exit_after_first_frame)
        if args.command in AUDIT_COMMANDS:
            return run_audit_command(config, args)
        if args.command in SYNC_COMMANDS:
            return run_sync_command(config, args)
        if args.command in IDCARD_COMMANDS:
            return run_idcard_command(config, args)
        if args.command == "key":
            from appliance.commands.key_status import run_key_status

            return run_key_status(config, args.json)
        if args.command == "selftest":
            from appliance.diagnostics.selftest import run_selftest

            return run_selftest(config, offline=args.offline, slip=not args.no_slip)
        if args.command == "scan":
            from appliance.commands.scan import run_scan

            return run_scan(args.images, config.scanner, sys.stdout)
        return next(g for g in extra if args.command in g.names).run(config, args)
    except ApplianceError as exc:
        log.event("app.startup_failed", outcome="failure", error=type(exc).__name__)
        print(f"appliance: error: {exc}", file=sys.stderr)
        return 2


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _headless_demo(config: Config, extra: list[CommandGroup]) -> int:
    demo = next((g for g in extra if "demo" in g.names), None)
    if demo is None:
        raise StartupError(
            "no display (DISPLAY is not set), and the demo for headless "
            "machines is in the development package, which is not installed"
        )
    return demo.run(config, argparse.Namespace(command="demo", output=None, script="acceptance"))
