"""The branch server answers malformed input with a 4xx JSON error (issue 18).

Each case here once closed the connection without an answer and logged a traceback, held
a thread for ever, or stored what it should have refused. The requests are sent as raw
bytes to a real server on loopback; tests/test_branch_server_fuzz.py keeps the class closed.
"""

from __future__ import annotations

import base64
import json
import socket
import sqlite3
import ssl
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from appliance.sync.credentials import read_client_secret, secret_path
from tests.raw_http import exchange, json_post, request_bytes
from tests.sync_helpers import make_config, start_server

READ_TIMEOUT_S = 0.5


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory):
    """A dev server with a short read timeout, its client id, secret and a bearer token."""
    folder = tmp_path_factory.mktemp("branch-input")
    server, config = start_server(make_config(folder / "box"), folder / "server")
    server.httpd.RequestHandlerClass.timeout = READ_TIMEOUT_S  # type: ignore[attr-defined]
    client_id = config.branch_server.client_id
    secret = read_client_secret(secret_path(config))
    token = httpx.post(
        f"{server.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    ).json()["access_token"]
    yield server, client_id, token, folder / "server" / "branch.db"
    server.stop()


def assert_refused(answer, status: int = 400) -> None:
    assert answer.status == status, answer
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["error"]


def test_a_non_ascii_client_secret_is_an_invalid_client_in_a_form(branch) -> None:
    server, client_id, _, _ = branch
    form = f"grant_type=client_credentials&client_id={client_id}&client_secret=%E5%AF%86%E7%A0%81"
    answer = exchange(
        server.url,
        request_bytes(
            "POST",
            "/oauth/token",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
    )
    assert_refused(answer, 401)
    assert answer.json()["error"] == "invalid_client"


def test_a_non_ascii_client_secret_is_an_invalid_client_in_basic_auth(branch) -> None:
    server, client_id, _, _ = branch
    credentials = base64.b64encode(f"{client_id}:密码".encode()).decode()
    answer = exchange(
        server.url,
        request_bytes(
            "POST",
            "/oauth/token",
            b"grant_type=client_credentials",
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": f"Basic {credentials}",
            },
        ),
    )
    assert_refused(answer, 401)


def test_a_lone_surrogate_in_an_idempotency_key_is_a_bad_request(branch) -> None:
    server, _, token, _ = branch
    body = b'{"items": [{"idempotency_key": "k\\ud800", "submission": {}}]}'
    assert_refused(exchange(server.url, json_post("/v1/submissions/batch", body, token)))


def test_a_lone_surrogate_in_a_heartbeat_is_a_bad_request_and_not_stored(branch) -> None:
    server, _, token, database = branch
    for body in (b'{"version": "\\udc00"}', b'{"health": {"\\ud800": "ok"}}'):
        assert_refused(exchange(server.url, json_post("/v1/devices/heartbeat", body, token)))
    assert not _heartbeats(database)


@pytest.mark.parametrize(
    "path", ["/v1/submissions/batch", "/v1/audit/batch", "/v1/devices/heartbeat"]
)
@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"a":' * 3_000 + b"1" + b"}" * 3_000],
    ids=["100000-arrays", "3000-objects"],
)
def test_deep_nesting_is_a_bad_request(branch, path: str, body: bytes) -> None:
    server, _, token, _ = branch
    assert_refused(exchange(server.url, json_post(path, body, token)))


def test_an_audit_seq_beyond_64_bits_is_a_bad_request(branch) -> None:
    server, _, token, _ = branch
    entry = {"at": "t", "action": "a", "entry": "{}", "previous_hash": "0" * 64, "hash": "h"}
    for seq in (2**63, 2**64 + 5, 10**30):
        body = json.dumps({"entries": [{"seq": seq, **entry}]}).encode()
        assert_refused(exchange(server.url, json_post("/v1/audit/batch", body, token)))


def test_infinity_and_nan_in_a_heartbeat_are_refused_not_stored(branch) -> None:
    server, _, token, database = branch
    for body in (
        b'{"backlog": Infinity}',
        b'{"health": {}, "update": {"x": NaN}}',
        b'{"update": {"x": -Infinity}}',
        b'{"update": {"x": 1e999}}',
    ):
        assert_refused(exchange(server.url, json_post("/v1/devices/heartbeat", body, token)))
    assert not _heartbeats(database)


def test_a_batch_sent_as_text_plain_is_unsupported_media_type(branch) -> None:
    server, _, token, _ = branch
    body = b'{"items": [{"idempotency_key": "k1", "submission": {}}]}'
    for kind in ("text/plain", "application/x-www-form-urlencoded", ""):
        answer = exchange(server.url, json_post("/v1/submissions/batch", body, token, kind))
        assert_refused(answer, 415)
    assert "k1" not in server.app.store.submission_ids()


def test_a_token_request_that_is_not_a_form_is_unsupported_media_type(branch) -> None:
    server, _, _, _ = branch
    body = b'{"grant_type": "client_credentials"}'
    answer = exchange(
        server.url,
        request_bytes("POST", "/oauth/token", body, {"Content-Type": "application/json"}),
    )
    assert_refused(answer, 415)


@pytest.mark.parametrize("length", ["-1", "+5", "1_0", "0x10", "5, 6", ""])
def test_a_content_length_that_is_not_a_length_is_a_bad_request(branch, length: str) -> None:
    server, _, token, _ = branch
    raw = request_bytes(
        "POST",
        "/v1/devices/heartbeat",
        b"{}",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        content_length=length,
    )
    assert_refused(exchange(server.url, raw))


@pytest.mark.parametrize(
    "raw",
    [
        b"POST /v1/devices/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: appl",
        request_bytes(
            "POST", "/v1/devices/heartbeat", b"{}", {"Content-Type": "application/json"}, "100"
        ),
    ],
    ids=["mid-headers", "mid-body"],
)
def test_a_client_that_stops_sending_gets_408_and_frees_its_thread(branch, raw: bytes) -> None:
    server, _, _, _ = branch
    started = time.monotonic()
    before = threading.active_count()
    answer = exchange(server.url, raw)
    assert answer.status == 408 and answer.json()["error"] == "timeout"
    assert time.monotonic() - started < READ_TIMEOUT_S + 5
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() <= before, "the connection's thread is still held"


def test_a_silent_client_does_not_keep_its_connection(branch) -> None:
    server, _, _, _ = branch
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(b"GET /openapi")  # a request line that never ends
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server after its read timeout
        assert time.monotonic() - started < READ_TIMEOUT_S + 5


def _heartbeats(database: Path) -> list[str]:
    with sqlite3.connect(database) as conn:
        return [row[0] for row in conn.execute("SELECT body FROM heartbeats")]


def test_the_server_still_answers_after_all_this(branch) -> None:
    server, _, _, _ = branch
    assert httpx.get(f"{server.url}/openapi.yaml").status_code == 200


def test_the_server_reads_under_a_timeout_by_default(tmp_path: Path) -> None:
    server, _ = start_server(make_config(tmp_path / "box"), tmp_path / "server")
    try:
        timeout = server.httpd.RequestHandlerClass.timeout  # type: ignore[attr-defined]
        assert timeout is not None and 0 < timeout <= 60
    finally:
        server.stop()


def test_a_silent_tls_client_does_not_stall_the_others(tmp_path: Path) -> None:
    """The TLS handshake runs on the connection's thread under the read timeout; done in
    accept(), a client that connects and says nothing stalled the whole server."""
    from tests.test_sync_worker import _issue_ca_and_server_cert

    ca, cert, key = _issue_ca_and_server_cert(tmp_path, "branch")
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server, _ = start_server(make_config(tmp_path / "box"), tmp_path / "server", tls=tls)
    server.httpd.RequestHandlerClass.timeout = READ_TIMEOUT_S  # type: ignore[attr-defined]
    address = urlsplit(server.url)
    silent = socket.create_connection((address.hostname, address.port), timeout=10)
    try:
        trusting = ssl.create_default_context(cafile=str(ca))
        answer = httpx.get(f"{server.url}/openapi.yaml", verify=trusting, timeout=5)
        assert answer.status_code == 200
        silent.settimeout(READ_TIMEOUT_S + 5)
        assert silent.recv(1024) == b""  # and the silent one is let go
    finally:
        silent.close()
        server.stop()


def test_a_bug_in_the_server_is_a_500_answer_not_a_dropped_connection(
    branch, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _, token, _ = branch

    def broken(number: str) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(server.app.store, "appointment", broken)
    raw = request_bytes("GET", "/v1/appointments/YY1", b"", {"Authorization": f"Bearer {token}"})
    answer = exchange(server.url, raw)
    assert answer.status == 500 and answer.json()["error"] == "internal"
    assert answer.headers["Connection"] == "close"
