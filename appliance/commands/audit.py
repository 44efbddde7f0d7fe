"""``appliance audit verify`` and ``appliance stats export``: the audit chain and the
counter statistics for branch IT, without the kiosk."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from appliance import log
from appliance.config import Config
from appliance.store.audit_check import verify_chain
from appliance.store.db import connect
from appliance.store.statistics import acceptances, write_csv

COMMANDS = frozenset({"audit", "stats"})


def add_audit_commands(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    audit = commands.add_parser("audit", parents=[common], help="the audit trail")
    audit.add_argument(
        "action", choices=["verify"], help="verify: check the hash chain (exit 1 when broken)"
    )
    stats = commands.add_parser("stats", parents=[common], help="acceptance statistics")
    stats.add_argument("action", choices=["export"], help="export: CSV per day, operator, item")
    stats.add_argument(
        "--from",
        dest="first",
        type=date.fromisoformat,
        default=None,
        help="first day YYYY-MM-DD (default: the first acceptance)",
    )
    stats.add_argument(
        "--to",
        dest="last",
        type=date.fromisoformat,
        default=None,
        help="last day YYYY-MM-DD (default: the last acceptance)",
    )
    stats.add_argument("--output", type=Path, default=None, help="CSV file (default: stdout)")


def run_audit_command(config: Config, args: argparse.Namespace) -> int:
    db = connect(config.data_dir / "appliance.db")
    if args.command == "audit":
        return _verify(db)
    rows = acceptances(db, args.first, args.last)
    if args.output is None:
        count = write_csv(rows, sys.stdout)
    else:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            count = write_csv(rows, out)
    log.event("stats.export", rows=count, acceptances=len(rows), path=args.output or "stdout")
    return 0


def _verify(db) -> int:
    report = verify_chain(db)
    if report.intact:
        log.event("audit.verify", outcome="success", entries=report.entries)
        print(f"audit chain intact: {report.entries} entries, head {report.head[:16]}")
        return 0
    log.event("audit.verify", outcome="failure", problem=report.problem, seq=report.seq)
    print(f"audit chain BROKEN: {report.problem} at entry {report.seq}: {report.detail}")
    return 1
