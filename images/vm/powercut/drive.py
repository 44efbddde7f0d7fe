"""The power-cut test's driver, run inside the box from the APPLIANCE-TEST disk.

    APPLIANCE_CONFIG=… python drive.py        (POWERCUT_LIMIT=N: stop after N acceptances)

First it checks what the previous power cut left (one ``POWERCUT check`` line), then it
accepts submissions through the real counter workflow, signed by a SoftHSM2 demo token
made in /tmp and printed on a file printer, until the power goes. Nothing here is in the
image: the test disk brings it.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import datetime
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance_dev.sim.fake_usb import DEMO_KEY, FakeUsbBus
from appliance_dev.sim.file_printer import FilePrinter
from appliance_dev.sim.softhsm import DEMO_PIN, ensure_demo_token

from appliance.config import Config, load_config
from appliance.domain.identity import DocumentType
from appliance.domain.submission import Operator
from appliance.hardware.key.service import KeyService
from appliance.hardware.key.setup import build_key_service
from appliance.hardware.printer.profiles import default_profile
from appliance.store.audit import first_broken_link
from appliance.store.audit_trail import AuditTrail, database_path
from appliance.store.catalogue import load_catalogue_index, seed_demo_catalogue
from appliance.store.damage import kept_aside
from appliance.store.db import connect
from appliance.store.drafts import load_draft
from appliance.workflow.counter import Counter, CounterSettings
from appliance.workflow.owed_receipts import owed_receipts

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
ITEMS = ("442000-GA-0101", "442000-GA-0205")
NAMES = ("张晓三", "李华", "欧阳明", "王芳")
ID_NUMBER = "11010519491231002X"
AUDITED_SQL = (
    "SELECT json_extract(entry, '$.submission') FROM audit_log WHERE action = 'submission.created'"
)


def hall_now() -> datetime:
    """The kiosk's clock (appliance.wiring.hall_now, not imported: it pulls in the camera)."""
    return datetime.now(ZoneInfo("Asia/Shanghai"))


def say(text: str) -> None:
    print(f"POWERCUT {text}", flush=True)


def quick_check(path: Path) -> str:
    """``PRAGMA quick_check`` on the file as the cut left it, one word ("ok") if sound."""
    path.parent.mkdir(parents=True, exist_ok=True)  # a dev run starts from nothing
    conn = sqlite3.connect(path, timeout=30)
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    finally:
        conn.close()
    return "_".join("_".join(rows).split())[:200]


def check(db_path: Path) -> dict[str, object]:
    """What the last cut left: every submission whole or absent, and its receipt offered.

    A receipt is offered after a restart either as an owed receipt (the print journal's
    unprinted job, the kiosk's 待打印回执) or by the kept draft (the acceptance stored
    but not yet journaled, resumed on the success screen); ``unoffered`` is neither.
    """
    facts: dict[str, object] = {"quick_check": quick_check(db_path)}
    db = connect(db_path)
    printed = dict(db.execute("SELECT id, printed_count FROM submissions").fetchall())
    queued = {row[0] for row in db.execute("SELECT submission_id FROM outbox")}
    audited = {row[0] for row in db.execute(AUDITED_SQL)}
    whole = set(printed) & queued & audited
    owed = {receipt.submission_id for receipt in owed_receipts(db)}
    draft = load_draft(db) or {}
    kept = (draft.get("submission") or {}).get("id")
    facts |= {
        "submissions": len(printed),
        "whole": len(whole),
        "partial": len((set(printed) | queued | audited) - whole),
        "owed_receipts": len(owed),
        "receipts_printed": sum(1 for n in printed.values() if n),
        "unoffered": sum(1 for sid, n in printed.items() if not n and sid not in owed | {kept}),
        "audit_chain": "ok" if first_broken_link(db) is None else "broken",
        "aside": len(kept_aside(db_path)),
    }
    db.conn.close()
    return facts


def demo_key(home: Path, config: Config) -> KeyService:
    """The SoftHSM2 demo token under ``home`` (tmpfs), plugged into a simulated USB bus."""
    demo = ensure_demo_token(home, SOFTHSM)
    usb = FakeUsbBus(home / "usb-bus.json")
    usb.plug(DEMO_KEY)
    return build_key_service(config, usb, [demo.ca_cert_path])


def drive(limit: int) -> None:
    """Accept submissions as the kiosk does (store, keep the draft, print, keep the draft)."""
    config = load_config()
    db_path = config.data_dir / "appliance.db"
    say("check " + " ".join(f"{k}={v}" for k, v in check(db_path).items()))
    key = demo_key(Path(tempfile.mkdtemp(prefix="appliance-powercut-")), config)
    db = connect(db_path)
    seed_demo_catalogue(db)
    profile = default_profile(80)
    counter = Counter(
        CounterSettings(config.appliance.hall_name, config.appliance.window, profile.columns),
        load_catalogue_index(db),
        db,
        key,
        FilePrinter(config.data_dir / "test-receipts", profile=profile),
        hall_now,
        signer=key,
        audit=AuditTrail(database_path(db), hall_now),
    )
    certificate = key.login(bytearray(DEMO_PIN.encode()))
    counter.session.key_present()
    counter.session.pin_accepted(Operator(certificate.name, certificate.serial))
    say(f"ready operator={certificate.serial}")
    for n in count(1):
        if limit and n > limit:
            break
        counter.new_acceptance()
        item = counter.catalogue.by_code(ITEMS[n % len(ITEMS)])
        assert item is not None, "the demo catalogue lacks the test's items"
        counter.choose_item(item)
        counter.choose_type(item.default_type)
        counter.enter_applicant(NAMES[n % len(NAMES)], DocumentType.RESIDENT_ID, ID_NUMBER)
        say(f"submitting n={n}")
        submission = counter.submit()
        counter.save_draft()
        counter.print_receipt()
        counter.save_draft()
        say(f"printed n={n} receipt={submission.receipt_number}")
    assert counter.audit is not None
    counter.audit.flush()
    key.close()


if __name__ == "__main__":
    drive(int(os.environ.get("POWERCUT_LIMIT", "0")))
