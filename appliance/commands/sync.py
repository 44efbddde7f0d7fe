"""The sync commands of the ``appliance`` CLI: ``sync`` and ``queue status``.

Kept here so ``appliance/commands/cli.py`` only hands over; heavy imports happen per command.
"""

from __future__ import annotations

import argparse
import json
import sys

from appliance.config import Config

COMMANDS = ("sync", "queue")


def add_sync_commands(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    sync = commands.add_parser(
        "sync", parents=[common], help="deliver queued submissions and pull look-up data"
    )
    sync.add_argument(
        "--once",
        action="store_true",
        help="drain and pull once, then exit (1 when the server failed)",
    )
    queue = commands.add_parser("queue", parents=[common], help="the offline queue")
    queue.add_argument("action", choices=["status"])
    queue.add_argument("--json", action="store_true", help="machine-readable output")


def run_sync_command(config: Config, args: argparse.Namespace) -> int:
    if args.command == "sync":
        from appliance.sync.process import run_sync

        return run_sync(config, once=args.once)
    return _queue_status(config, args.json)


def _queue_status(config: Config, as_json: bool) -> int:
    from appliance.store.db import connect
    from appliance.sync.status import format_status, queue_status

    status = queue_status(connect(config.data_dir / "appliance.db"))
    if as_json:
        json.dump(status, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(format_status(status))
    return 0
