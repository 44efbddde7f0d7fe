"""``appliance idcard read``: one read of the card on the reader, for branch IT checking a
reader on site, through the code the kiosk uses (:mod:`appliance.hardware.id_reader`).

The record is printed with name, number, address and birth date masked; ``--unmasked``
prints it in full. Either way the read is one entry of the audit trail (with
``unmasked`` saying which), as every read at the counter is. Exit 0 when the card was
read, 1 with the reason otherwise (no reader, no card, the SAM module's status, a read
that failed), 2 for a configuration error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from appliance import log
from appliance.config import Config
from appliance.domain.id_card import CardCheck, IdCardRecord, UnreadableCard, check_card
from appliance.domain.masking import mask_address, mask_birth_date, mask_id_number, mask_name
from appliance.hardware.id_reader.port import IdReader, ReaderError, ReaderReport
from appliance.hardware.id_reader.reads import (
    AUDIT_ACTION,
    audit_entry,
    classify,
    detail,
    read_card,
)
from appliance.hardware.id_reader.service import check_reader, report_for
from appliance.hardware.id_reader.setup import reader_setup
from appliance.store.audit_trail import audit_now
from appliance.store.db import connect

COMMANDS = frozenset({"idcard"})


def add_idcard_commands(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    idcard = commands.add_parser("idcard", parents=[common], help="the resident ID card reader")
    idcard.add_argument(
        "action", choices=["read"], help="read: read the card on the reader once and print it"
    )
    idcard.add_argument(
        "--device",
        type=Path,
        default=None,
        help="the reader's serial device (default: [id_reader] device, "
        "else the one USB-serial adapter of a common chip)",
    )
    idcard.add_argument("--json", action="store_true", help="one JSON object, Chinese unescaped")
    idcard.add_argument(
        "--unmasked",
        action="store_true",
        help="print name, number, address and birth date in full (audited)",
    )
    idcard.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for a card to be laid on the reader (default: "
        "the card must be on it already)",
    )


def run_idcard_command(config: Config, args: argparse.Namespace) -> int:
    setup = reader_setup(config, args.device)
    try:
        return _read(config, args, setup.open)
    finally:
        if setup.simulator is not None:
            setup.simulator.close()


def _read(config: Config, args: argparse.Namespace, open_reader: Any) -> int:
    try:
        reader: IdReader = open_reader()
    except ReaderError as error:
        failed = report_for(error, str(args.device) if args.device else None)
        return _fail(failed.english(), failed.state.value)
    try:
        try:
            report = check_reader(reader)
        except ReaderError as error:
            failed = report_for(error, reader.device)
            return _fail(failed.english(), failed.state.value)
        if not _wait_for_card(reader, args.wait, config):
            return _fail(f"no card on the ID card reader at {reader.device}", "no_card")
        try:
            record = read_card(reader)
        except (ReaderError, UnreadableCard) as error:
            failure = classify(error)
            _audit(config, audit_entry(report.sam_id, None, failure, unmasked=False))
            return _fail(
                f"the card could not be read: {failure.value}: {detail(error)}", failure.value
            )
    except ReaderError as error:  # the reader went away while waiting for a card
        return _fail(report_for(error, reader.device).english(), "reader_lost")
    finally:
        reader.close()
    _audit(config, audit_entry(report.sam_id, record, None, unmasked=args.unmasked))
    check = check_card(record, _today())
    fields = record_fields(record, masked=not args.unmasked)
    if args.json:
        print(json.dumps(fields, ensure_ascii=False, indent=1))
    else:
        _print(fields, record, check, report)
    log.event(
        "idcard.command",
        outcome="success",
        card_type=record.card_type.value,
        unmasked=args.unmasked,
    )
    return 0


def _wait_for_card(reader: IdReader, wait_s: float, config: Config) -> bool:
    deadline = time.monotonic() + wait_s
    interval = config.id_reader.poll_interval_s if config.id_reader else 0.5
    while not reader.find_card():
        if time.monotonic() + interval > deadline:
            return False
        time.sleep(interval)
    return True


def record_fields(record: IdCardRecord, masked: bool) -> dict[str, Any]:
    """The record as ``--json`` prints it; ``masked`` hides name, number, address and the
    birth date's month and day. ``valid_to`` is null for a card valid 长期."""
    birth = record.birth_date.isoformat()
    fields: dict[str, Any] = {
        "name": mask_name(record.name) if masked else record.name,
        "sex": record.sex.label if record.sex else None,
        "nation": record.nation,
        "birth_date": mask_birth_date(birth) if masked else birth,
        "address": (mask_address(record.address) if masked else record.address)
        if record.address
        else None,
        "number": mask_id_number(record.number) if masked else record.number,
        "issuer": record.issuer,
        "valid_from": record.valid_from.isoformat(),
        "valid_to": record.valid_to.isoformat() if record.valid_to else None,
        "card_type": record.card_type.value,
        "document_type": record.document_type.value,
    }
    return fields


def _print(
    fields: dict[str, Any], record: IdCardRecord, check: CardCheck, report: ReaderReport
) -> None:
    rows = [
        ("reader", f"{report.device}  SAM {report.sam_id}"),
        (
            "card type",
            f"{fields['card_type']} (document {fields['document_type']}: "
            f"{record.document_type.label})",
        ),
        ("name", fields["name"]),
        ("sex", fields["sex"]),
        ("nation", fields["nation"]),
        ("birth date", fields["birth_date"]),
        ("address", fields["address"]),
        ("number", fields["number"]),
        ("issuer", fields["issuer"]),
        (
            "valid",
            f"{fields['valid_from']} to {fields['valid_to'] or 'long-term'} "
            f"({check.validity.value} today)",
        ),
        ("number check", "passes" if check.problem is None else f"FAILS ({check.problem.part})"),
    ]
    for label, value in rows:
        if value is not None:
            print(f"{label:13} {value}")


def _fail(reason: str, code: str) -> int:
    log.event("idcard.command", outcome="failure", reason=code)
    print(f"appliance idcard: {reason}", file=sys.stderr)
    return 1


def _audit(config: Config, entry: dict[str, Any]) -> None:
    from appliance.wiring import hall_now

    db = connect(config.data_dir / "appliance.db")
    try:
        audit_now(db, hall_now(), AUDIT_ACTION, {**entry, "operator": None, "via": "cli"})
    finally:
        db.conn.close()


def _today() -> date:
    from appliance.wiring import hall_now

    return hall_now().date()
