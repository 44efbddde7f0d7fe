"""The sync worker against a real dev server on loopback: delivery, faults, pulls."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import random
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from appliance_dev.devserver.faults import Faults
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appliance.store import outbox
from appliance.store.appointments import find_appointment
from appliance.store.db import connect
from appliance.store.sync_state import read_state
from appliance.sync.backoff import full_jitter, next_delay
from appliance.sync.client import SyncProblem, retry_after_seconds
from appliance.sync.process import build_worker
from tests.sync_helpers import add_submissions, make_config, start_server


def test_a_backlog_is_delivered_once_in_batches(sync_box) -> None:
    server, worker, db = sync_box
    ids = add_submissions(db, 250)
    assert worker.drain() == 250
    assert sorted(server.app.store.submission_ids()) == sorted(ids)
    assert outbox.counts(db).delivered == 250
    add_submissions(db, 1)
    assert worker.drain() == 1
    assert len(server.app.store.submission_ids()) == 251


def test_a_resend_after_a_lost_answer_is_recognised_not_stored_twice(sync_box) -> None:
    server, worker, db = sync_box
    add_submissions(db, 3)
    items = outbox.claim(db, 10, 60, dt.datetime.now(dt.UTC))
    worker.client.submit(
        [{"idempotency_key": i.idempotency_key, "submission": json.loads(i.payload)} for i in items]
    )
    outbox.release(db, [i.idempotency_key for i in items], "answer lost")
    assert worker.drain() == 3  # answered "duplicate": delivered
    assert len(server.app.store.submission_ids()) == 3


def test_same_key_different_body_is_a_conflict_and_rejected_alone(sync_box) -> None:
    server, worker, db = sync_box
    add_submissions(db, 3)
    second = db.execute("SELECT idempotency_key, payload FROM outbox WHERE seq = 2").fetchone()
    body = json.loads(second[1])
    worker.client.submit(
        [{"idempotency_key": second[0], "submission": {**body, "item_name": "另一个事项"}}]
    )
    assert worker.drain() == 2
    counts = outbox.counts(db)
    assert (counts.delivered, counts.rejected, counts.backlog) == (2, 1, 0)
    assert outbox.rejected_items(db)[0].reason.startswith("conflict")


def test_an_invalid_item_is_rejected_and_does_not_block_the_batch(sync_box) -> None:
    _server, worker, db = sync_box
    add_submissions(db, 3)
    db.execute(
        "UPDATE outbox SET payload = json_set(payload, '$.item_type', 'nonsense') WHERE seq = 1"
    )
    assert worker.drain() == 2
    assert "item_type" in outbox.rejected_items(db)[0].reason


def test_a_refused_batch_is_split_to_find_the_bad_item(sync_box) -> None:
    _server, worker, db = sync_box
    add_submissions(db, 4)
    db.execute("UPDATE outbox SET idempotency_key = ? WHERE seq = 3", ["k" * 101])
    assert worker.drain() == 3
    assert outbox.counts(db).rejected == 1


def test_a_new_submission_leaves_within_a_second(sync_box) -> None:
    server, worker, db = sync_box
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while read_state(db).get("catalogue_cursor") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        path = Path(db.execute("PRAGMA database_list").fetchone()[2])
        kiosk = connect(path)  # the UI process has its own connection, never the worker's
        uid = add_submissions(kiosk, 1)[0]
        stored = time.monotonic()
        while uid not in server.app.store.submission_ids():
            assert time.monotonic() - stored < 1.0, "not delivered within a second"
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join(5)
    assert read_state(db)["online"] == "1"


def test_server_down_means_backoff_and_nothing_lost(tmp_path: Path) -> None:
    config = make_config(tmp_path / "box", url="http://127.0.0.1:9")
    db = connect(config.data_dir / "appliance.db")
    (config.data_dir / "branch-client-secret").write_text("x")
    worker = build_worker(config, db)
    add_submissions(db, 2)
    with pytest.raises(SyncProblem) as caught:
        worker.drain()
    assert caught.value.kind == "network"
    assert worker.failed(caught.value) <= 1.0
    assert outbox.counts(db).pending == 2
    assert read_state(db)["online"] == "0" and "network" in read_state(db)["last_error"]


def test_429_retry_after_is_honoured(tmp_path: Path) -> None:
    config = make_config(tmp_path / "box")
    server, config = start_server(
        config, tmp_path / "server", Faults(throttle_rate=1.0, retry_after_s=7)
    )
    db = connect(config.data_dir / "appliance.db")
    worker = build_worker(config, db)
    add_submissions(db, 1)
    try:
        with pytest.raises(SyncProblem) as caught:
            worker.drain()
        assert caught.value.kind == "throttled" and worker.failed(caught.value) == 7.0
        assert outbox.counts(db).pending == 1
    finally:
        worker.client.close()
        server.stop()


def test_dropped_connection_after_store_is_resent_and_not_duplicated(tmp_path: Path) -> None:
    config = make_config(tmp_path / "box")
    faults = Faults(drop_rate=1.0)
    server, config = start_server(config, tmp_path / "server", faults)
    db = connect(config.data_dir / "appliance.db")
    worker = build_worker(config, db)
    ids = add_submissions(db, 5)
    try:
        with pytest.raises(SyncProblem):
            worker.drain()
        faults.drop_rate = 0.0
        assert worker.drain() == 5
        assert sorted(server.app.store.submission_ids()) == sorted(ids)
    finally:
        worker.client.close()
        server.stop()


def test_a_forgotten_token_is_fetched_again(tmp_path: Path) -> None:
    config = make_config(tmp_path / "box")
    server, config = start_server(config, tmp_path / "server", token_ttl_s=3600)
    db = connect(config.data_dir / "appliance.db")
    worker = build_worker(config, db)
    try:
        add_submissions(db, 1)
        assert worker.drain() == 1
        server.app.tokens._tokens.clear()  # a restarted server forgets its tokens
        add_submissions(db, 1)
        assert worker.drain() == 1
    finally:
        worker.client.close()
        server.stop()


def test_a_wrong_client_secret_is_an_auth_problem(tmp_path: Path) -> None:
    config = make_config(tmp_path / "box")
    server, config = start_server(config, tmp_path / "server")
    (config.data_dir / "branch-client-secret").write_text("not-the-secret")
    db = connect(config.data_dir / "appliance.db")
    worker = build_worker(config, db)
    add_submissions(db, 1)
    try:
        with pytest.raises(SyncProblem) as caught:
            worker.drain()
        assert caught.value.kind == "auth" and outbox.counts(db).pending == 1
    finally:
        worker.client.close()
        server.stop()


class _Garbage(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (
            b'{"access_token": "t", "token_type": "Bearer", "expires_in": 600}'
            if self.path == "/oauth/token"
            else b"<html>proxy error</html>"
        )
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_garbage_answers_are_a_protocol_problem_and_nothing_is_lost(tmp_path: Path) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    config = make_config(tmp_path / "box", url=f"http://127.0.0.1:{httpd.server_address[1]}")
    db = connect(config.data_dir / "appliance.db")
    (config.data_dir / "branch-client-secret").write_text("s")
    worker = build_worker(config, db)
    add_submissions(db, 2)
    try:
        with pytest.raises(SyncProblem) as caught:
            worker.drain()
        assert caught.value.kind == "protocol" and outbox.counts(db).pending == 2
    finally:
        worker.client.close()
        httpd.shutdown()


def _issue_ca_and_server_cert(folder: Path, name: str) -> tuple[Path, Path, Path]:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=9))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=9))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / f"{name}-ca.pem", folder / f"{name}-cert.pem", folder / f"{name}-key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.mark.parametrize("trusted", [True, False])
def test_tls_is_verified_against_the_configured_ca_bundle(tmp_path: Path, trusted: bool) -> None:
    ca, cert, key = _issue_ca_and_server_cert(tmp_path, "branch")
    other_ca, _, _ = _issue_ca_and_server_cert(tmp_path, "stranger")
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    config = make_config(tmp_path / "box", ca_bundle=ca if trusted else other_ca)
    server, config = start_server(config, tmp_path / "server", tls=tls)
    db = connect(config.data_dir / "appliance.db")
    worker = build_worker(config, db)
    add_submissions(db, 2)
    try:
        if trusted:
            assert server.url.startswith("https://") and worker.drain() == 2
        else:
            with pytest.raises(SyncProblem) as caught:
                worker.drain()
            assert caught.value.kind == "tls" and outbox.counts(db).pending == 2
    finally:
        worker.client.close()
        server.stop()


def test_catalogue_is_pulled_incrementally_and_appointments_keep_local_use(sync_box) -> None:
    server, worker, db = sync_box
    worker.pull()
    cursor = read_state(db)["catalogue_cursor"]
    assert db.execute("SELECT COUNT(*) FROM catalogue_items").fetchone()[0] == 8
    server.app.store.put_catalogue_item(
        {
            "code": "442000-ZZ-0001",
            "name": "住房公积金提取",
            "department": "中山市公积金中心",
            "promised_days": 3,
            "default_type": "department",
        }
    )
    server.app.store.put_catalogue_item(
        {
            "code": "442000-GA-0101",
            "name": "居民身份证换领",
            "department": "中山市公安局",
            "promised_days": 20,
            "default_type": "branch",
            "deleted": True,
        }
    )
    db.execute(
        "UPDATE appointments SET used = 1 WHERE appointment_number = ?", ["YY20261129000123"]
    )
    worker.pull()
    assert int(read_state(db)["catalogue_cursor"]) == int(cursor) + 2
    codes = {r[0] for r in db.execute("SELECT code FROM catalogue_items")}
    assert "442000-ZZ-0001" in codes and "442000-GA-0101" not in codes
    found = find_appointment(db, "YY20261129000123")
    assert found is not None and found.used


def test_full_jitter_is_capped_and_retry_after_wins() -> None:
    rng = random.Random(3)
    draws = [full_jitter(n, 0.5, 30, rng) for n in range(1, 40) for _ in range(20)]
    assert min(draws) >= 0 and max(draws) <= 30 and max(draws) > 15
    assert next_delay(5, 12.0, 0.5, 30, rng) == 12.0
    assert retry_after_seconds("120") == 120.0
    when = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("Fri, 27 Nov 2026 01:00:30 GMT", when) == 30.0
    assert retry_after_seconds("soon") is None
