"""``appliance update status`` and ``appliance update install``.

``status`` reads the ESP (root) and prints both slots and the last outcome; without
root it prints the status.json that appliance-update-status.service wrote at boot.
``status --write`` (that unit, root) also records a bless or a rollback once and writes
status.json. ``install`` is ``appliance-update`` (:mod:`appliance.updates.install`).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from appliance.config import default_config_path, load_config
from appliance.updates.status import CMDLINE, ESP, UpdatePaths, current_status, read_status_file
from appliance.updates.status import refresh as refresh_status
from appliance.updates.words import english_lines

COMMANDS = ("update",)


def add_update_commands(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    update = commands.add_parser(
        "update", parents=[common], help="the A/B root slots and field updates"
    )
    actions = update.add_subparsers(dest="action", required=True)
    status = actions.add_parser(
        "status", parents=[common], help="both root slots, which boots next, the last update"
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument(
        "--write",
        action="store_true",
        help="record a bless or rollback and write status.json (root, "
        "appliance-update-status.service)",
    )
    status.add_argument("--esp", type=Path, default=ESP, help=argparse.SUPPRESS)
    status.add_argument("--cmdline", type=Path, default=CMDLINE, help=argparse.SUPPRESS)
    install = actions.add_parser(
        "install", parents=[common], help="install a signed bundle into the spare slot (root)"
    )
    install.add_argument("bundle", type=Path)
    install.add_argument("--tries", type=int, default=None)
    install.add_argument("--reboot", action="store_true")


def run_update_command(args: argparse.Namespace) -> int:
    if args.action == "install":
        from appliance.updates.install import main as apply_main

        return apply_main(
            [
                str(args.bundle),
                *(["--tries", str(args.tries)] if args.tries else []),
                *(["--reboot"] if args.reboot else []),
            ]
        )
    config = load_config(getattr(args, "config", None) or default_config_path(), site=False)
    base = UpdatePaths.for_data_dir(config.data_dir)
    paths = UpdatePaths(base.updates_dir, base.database, args.esp, args.cmdline)
    now = datetime.now(UTC)
    source = "the ESP"
    try:
        status = refresh_status(paths, now) if args.write else current_status(paths, now)
    except OSError as error:
        if args.write:
            print(
                f"appliance update: cannot read the loader entries in {paths.entries}: "
                f"{error.strerror} (run as root)",
                file=sys.stderr,
            )
            return 1
        stored = read_status_file(paths.updates_dir)
        if stored is None:
            print(
                f"appliance update: cannot read {paths.entries} ({error.strerror}) and no "
                f"status.json in {paths.updates_dir}; run as root",
                file=sys.stderr,
            )
            return 1
        status = stored
        source = f"status.json of {status.get('checked_at', '?')}"
    if args.json:
        json.dump(status, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(
        f"booted: slot {status['booted'] or '-'}  next boot: slot "
        f"{status['next_boot'] or '-'}  (from {source})"
    )
    for line in english_lines(status):
        print(line)
    return 0
