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
from appliance.store.audit_seal import BadVerifyKey, decode_verify_key, handover_key
from appliance.store.db import connect
from appliance.store.statistics import acceptances, write_csv
from appliance.wording import text

COMMANDS = frozenset({"audit", "stats"})


def add_audit_commands(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    audit = commands.add_parser("audit", parents=[common], help="the audit trail")
    audit.add_argument(
        "action",
        choices=["verify", "verify-key"],
        help="verify: check the hash chain, and the seals with --verify-key (exit 1 when "
        "broken); verify-key: print the verification key for branch IT while the box still "
        "holds it (until the branch server has it)",
    )
    audit.add_argument(
        "--verify-key",
        dest="verify_key",
        default=None,
        help="the box's verification key (XXXX-XXXX-…, from branch IT or the branch server)",
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
        if args.action == "verify-key":
            return _print_verify_key(db)
        return _verify(db, args.verify_key)
    rows = acceptances(db, args.first, args.last)
    if args.output is None:
        count = write_csv(rows, sys.stdout)
    else:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            count = write_csv(rows, out)
    log.event("stats.export", rows=count, acceptances=len(rows), path=args.output or "stdout")
    return 0


def _verify(db, typed_key: str | None) -> int:
    try:
        seed = None if typed_key is None else decode_verify_key(typed_key)
    except BadVerifyKey as bad:
        print(f"appliance: error: --verify-key: {bad}", file=sys.stderr)
        return 2
    report = verify_chain(db, seed)
    if report.intact:
        log.event(
            "audit.verify",
            outcome="success",
            entries=report.entries,
            sealed=report.sealed,
            seals_checked=report.seals_checked,
        )
        seals = (
            f"{report.sealed} seals checked with the verification key"
            if report.seals_checked
            else f"{report.sealed} sealed (give --verify-key to check the seals)"
        )
        print(f"audit chain intact: {report.entries} entries, head {report.head[:16]}; {seals}")
        return 0
    log.event("audit.verify", outcome="failure", problem=report.problem, seq=report.seq)
    print(f"audit chain BROKEN: {report.problem} at entry {report.seq}: {report.detail}")
    return 1


def _print_verify_key(db) -> int:
    pending = handover_key(db)
    if pending is None:
        log.event("audit.verify_key", outcome="failure", reason="not_held")
        print(text("audit.verify_key_gone"))
        return 1
    key, first_seq = pending
    log.event("audit.verify_key", outcome="success", first_seq=first_seq)
    print(text("audit.verify_key_slip", verify_key=key, first_seq=first_seq))
    return 0
