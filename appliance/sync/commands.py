"""The sync commands of the ``appliance`` CLI: ``sync``, ``queue status``, ``branch-server``.

Kept here so ``appliance/cli.py`` only hands over; heavy imports happen per command.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appliance.config import Config

COMMANDS = ("sync", "queue", "branch-server", "devserver")


def add_sync_commands(commands: argparse._SubParsersAction,
                      common: argparse.ArgumentParser) -> None:
    sync = commands.add_parser("sync", parents=[common],
                               help="deliver queued submissions and pull look-up data")
    sync.add_argument("--once", action="store_true",
                      help="drain and pull once, then exit (1 when the server failed)")
    queue = commands.add_parser("queue", parents=[common], help="the offline queue")
    queue.add_argument("action", choices=["status"])
    queue.add_argument("--json", action="store_true", help="machine-readable output")
    server = commands.add_parser("branch-server", aliases=["devserver"], parents=[common],
                                 help="the development branch server (loopback)")
    server.add_argument("--port", type=int, default=None,
                        help="port (default: the one in branch_server.url)")
    server.add_argument("--data", type=Path, default=None,
                        help="its own data folder (default: <data_dir>/branch-server)")
    server.add_argument("--error-rate", type=float, default=0.0, help="share of 503 answers")
    server.add_argument("--slow-ms", type=int, default=0, help="delay before every answer")
    server.add_argument("--throttle-rate", type=float, default=0.0,
                        help="share of 429 answers with Retry-After")
    server.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds")
    server.add_argument("--drop-rate", type=float, default=0.0,
                        help="share of batches stored and then left unanswered")
    server.add_argument("--seed", type=int, default=None, help="seed of the fault draws")
    server.add_argument("--token-ttl", type=int, default=3600, help="access token lifetime")
    server.add_argument("--require-signature", action="store_true",
                        help="refuse submissions without an operator signature")


def run_sync_command(config: Config, args: argparse.Namespace) -> int:
    if args.command == "sync":
        from appliance.sync.process import run_sync

        return run_sync(config, once=args.once)
    if args.command == "queue":
        return _queue_status(config, args.json)
    return _branch_server(config, args)


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


def _branch_server(config: Config, args: argparse.Namespace) -> int:
    from appliance.devserver.faults import Faults
    from appliance.devserver.run import build_server, serve

    faults = Faults(error_rate=args.error_rate, slow_ms=args.slow_ms,
                    throttle_rate=args.throttle_rate, retry_after_s=args.retry_after,
                    drop_rate=args.drop_rate, seed=args.seed)
    server = build_server(config, args.data or config.data_dir / "branch-server", faults,
                          port=args.port, token_ttl_s=args.token_ttl,
                          require_signature=args.require_signature)
    return serve(server)
