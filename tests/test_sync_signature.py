"""Operator signatures end to end: the real SoftHSM2 demo key signs each submission at
submit time, and the dev server in --require-signature mode verifies who accepted it."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from appliance_dev.devserver.server import BranchServer
from appliance_dev.sim.fake_usb import DEMO_KEY, FakeUsbBus
from appliance_dev.sim.file_printer import FilePrinter
from appliance_dev.sim.softhsm import DEMO_PIN, ensure_demo_token
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from appliance.domain.identity import DocumentType
from appliance.domain.submission import Operator
from appliance.hardware.key.service import KeyService
from appliance.hardware.key.setup import build_key_service, usb_bus
from appliance.store import outbox
from appliance.store.catalogue import load_catalogue_index, upsert_catalogue_items
from appliance.store.db import connect
from appliance.sync.canonical import canonical, verify_signature
from appliance.sync.process import build_worker
from appliance.sync.worker import SyncWorker
from appliance.wiring import bundled_catalogue
from appliance.workflow.counter import Counter, CounterSettings
from appliance.workflow.messages import UserFacingError
from appliance.workflow.submit_refusals import KEY_GONE
from tests.sync_helpers import TZ, add_submissions, make_config, start_server

HALL = "广东省网上办事大厅中山分厅"
ITEM_CODE = "442000-SB-0310"


@dataclass
class Box:
    counter: Counter
    key: KeyService
    db: sqlite_utils.Database
    server: BranchServer
    worker: SyncWorker
    usb: FakeUsbBus
    server_db: Path


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Box]:
    saved = os.environ.get("SOFTHSM2_CONF")
    config = make_config(tmp_path / "box")
    demo = ensure_demo_token(config.data_dir, config.key.module)
    usb = usb_bus(config)
    key = build_key_service(config, usb, [demo.ca_cert_path])
    server, config = start_server(config, tmp_path / "server", require_signature=True)
    db = connect(config.data_dir / "appliance.db")
    upsert_catalogue_items(
        db,
        [
            {
                "code": i.code,
                "name": i.name,
                "department": i.department,
                "promised_days": i.promised_days,
                "default_type": i.default_type.value,
            }
            for i in bundled_catalogue()._items
        ],
    )
    counter = Counter(
        CounterSettings(HALL, "08", 48),
        load_catalogue_index(db),
        db,
        key,
        FilePrinter(tmp_path / "printer"),
        lambda: datetime.now(TZ),
        signer=key,
    )
    certificate = key.login(bytearray(DEMO_PIN.encode()))
    counter.session.key_present()
    counter.session.pin_accepted(Operator(certificate.name, certificate.serial))
    worker = build_worker(config, db)
    yield Box(counter, key, db, server, worker, usb, tmp_path / "server" / "branch.db")
    worker.client.close()
    server.stop()
    key.close()
    if saved is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = saved


def accept(counter: Counter, name: str = "张晓三") -> str:
    counter.new_acceptance()
    item = counter.catalogue.by_code(ITEM_CODE)
    assert item is not None
    counter.choose_item(item)
    counter.choose_type(item.default_type)
    counter.enter_applicant(name, DocumentType.RESIDENT_ID, "11010519491231002X")
    return counter.submit().id


def stored_bodies(path: Path) -> dict[str, dict]:
    with sqlite3.connect(path) as conn:
        return {
            sid: json.loads(body)
            for sid, body in conn.execute("SELECT submission_id, body FROM submissions")
        }


def test_each_submission_is_signed_at_submit_and_the_server_verifies_the_operator(box: Box) -> None:
    ids = [accept(box.counter), accept(box.counter, "李华")]
    payload = json.loads(
        box.db.execute("SELECT payload FROM outbox WHERE submission_id = ?", [ids[0]]).fetchone()[0]
    )
    assert set(payload) == {"submission", "operator_certificate", "signature"}
    assert box.worker.drain() == 2
    assert outbox.counts(box.db).delivered == 2
    bodies = stored_bodies(box.server_db)
    assert sorted(bodies) == sorted(ids)
    for body in bodies.values():
        signer = verify_signature(
            body["submission"], body["operator_certificate"], body["signature"]
        )
        assert signer == body["submission"]["operator_serial"]
        certificate = x509.load_pem_x509_certificate(body["operator_certificate"].encode())
        assert "陈晓明" in certificate.subject.rfc4514_string()


def test_a_submission_changed_after_signing_is_rejected_alone(box: Box) -> None:
    tampered, honest = accept(box.counter), accept(box.counter)
    payload = json.loads(
        box.db.execute("SELECT payload FROM outbox WHERE submission_id = ?", [tampered]).fetchone()[
            0
        ]
    )
    payload["submission"]["applicant_name"] = "王五"
    box.db.execute(
        "UPDATE outbox SET payload = ? WHERE submission_id = ?",
        [json.dumps(payload, ensure_ascii=False), tampered],
    )
    assert box.worker.drain() == 1
    [rejected] = outbox.rejected_items(box.db)
    assert "signature does not match" in rejected.reason
    assert list(stored_bodies(box.server_db)) == [honest]


def test_an_unsigned_submission_is_refused_by_a_server_that_requires_signatures(box: Box) -> None:
    add_submissions(box.db, 1)  # stored without a key, as before signatures existed
    assert box.worker.drain() == 0
    [rejected] = outbox.rejected_items(box.db)
    assert "signature is required" in rejected.reason


def test_a_signature_by_another_certificate_than_the_operator_named_is_refused(box: Box) -> None:
    sid = accept(box.counter)
    payload = json.loads(
        box.db.execute("SELECT payload FROM outbox WHERE submission_id = ?", [sid]).fetchone()[0]
    )
    payload["submission"]["operator_serial"] = "1A2B"
    signature, _certificate = box.key.operator_signature(canonical(payload["submission"]))
    payload["signature"] = base64.b64encode(signature).decode()
    box.db.execute(
        "UPDATE outbox SET payload = ? WHERE submission_id = ?",
        [json.dumps(payload, ensure_ascii=False), sid],
    )
    assert box.worker.drain() == 0
    assert "another certificate" in outbox.rejected_items(box.db)[0].reason


def test_a_pulled_key_refuses_the_submission_and_stores_nothing(box: Box) -> None:
    box.usb.unplug(DEMO_KEY)
    deadline = time.monotonic() + 5
    while box.key.logged_in and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(UserFacingError) as refused:
        accept(box.counter)
    assert refused.value.chinese == KEY_GONE
    assert box.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0
    assert box.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    assert list(box.counter.printer.output_dir.glob("*")) == []


@pytest.mark.parametrize("scheme", ["pkcs1v15", "pss"])
def test_server_verifies_both_rsa_schemes_the_key_vendors_use(scheme: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "陈晓明")])
    moment = datetime.now(TZ)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1A2B)
        .not_valid_before(moment)
        .not_valid_after(moment + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    submission = {"id": "x", "operator_serial": "1A2B", "applicant_name": "张晓三"}
    pad = (
        padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH)
        if scheme == "pss"
        else padding.PKCS1v15()
    )
    signature = base64.b64encode(key.sign(canonical(submission), pad, hashes.SHA256()))
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    assert verify_signature(submission, pem, signature.decode()) == "1A2B"
    with pytest.raises(ValueError):
        verify_signature({**submission, "applicant_name": "王五"}, pem, signature.decode())
