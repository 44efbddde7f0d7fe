"""Every endpoint of the branch server fuzzed: each request gets an HTTP answer, never a
5xx or a dropped connection, and the server stays up (issue 18).

Two halves: schemathesis generates requests that break the OpenAPI document (negative
data, a bounded number of examples, derandomized), and raw bytes over a socket send what
no client library would (truncated headers and bodies, bad lengths, deep nesting, lone
surrogates, huge numbers). tests/test_branch_server_input.py has one test per defect.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from appliance.sync.credentials import read_client_secret, secret_path
from tests.raw_http import Answer, NoAnswer, exchange, request_bytes
from tests.sync_helpers import make_config, start_server

SPEC = Path(str(resources.files("appliance.sync").joinpath("openapi.yaml")))
schema = schemathesis.openapi.from_path(SPEC)
schema.config.generation.update(modes=[GenerationMode.NEGATIVE])
READ_TIMEOUT_S = 0.5
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Every operation: method, path, the media type of its body (None: no body).
OPERATIONS = [
    ("GET", "/openapi.yaml", None),
    ("POST", "/oauth/token", FORM),
    ("POST", "/v1/submissions/batch", JSON),
    ("GET", "/v1/catalogue/changes?since=0", None),
    ("GET", "/v1/appointments?from=2026-01-01&to=2026-01-31", None),
    ("GET", "/v1/appointments/YY20261129000123", None),
    ("POST", "/v1/appointments/YY20261129000123/used", None),
    ("POST", "/v1/devices/heartbeat", JSON),
    ("POST", "/v1/audit/batch", JSON),
]
ENTRY = b'"at": "t", "action": "a", "entry": "{}", "previous_hash": "p", "hash": "h"'
BODIES = {
    "empty": b"",
    "not-json": b"\x00\x01 not json",
    "bad-utf8": b'{"version": "\xff\xfe"}',
    "truncated-json": b'{"items": [{"idempotency_key": "k',
    "top-level-array": b"[1, 2, 3]",
    "null": b"null",
    "arrays-100000-deep": b"[" * 100_000,
    "objects-3000-deep": b'{"a":' * 3_000 + b"1" + b"}" * 3_000,
    "deep-then-closed": b"[" * 40 + b"]" * 40,
    "surrogate-key": b'{"items": [{"idempotency_key": "\\ud800", "submission": {}}]}',
    "surrogate-name": b'{"health": {"\\udfff": "ok"}, "entries": [{"\\ud800": 1}]}',
    "surrogate-everywhere": b'{"version": "\\ud800", "entries": [{"seq": 1, "at": "\\ud800"}]}',
    "huge-int": b'{"backlog": ' + b"9" * 5_000 + b', "entries": [{"seq": 1' + b"0" * 5_000 + b"}]}",
    "seq-2**63": b'{"entries": [{"seq": 9223372036854775808, ' + ENTRY + b"}]}",
    "seq-negative": b'{"entries": [{"seq": -9223372036854775809, ' + ENTRY + b"}]}",
    "backlog-2**64": b'{"backlog": 18446744073709551616, "rejected": 1e300}',
    "infinity": b'{"backlog": Infinity, "update": {"x": NaN}}',
    "overflowing-float": b'{"update": {"x": 1e999}, "entries": [{"seq": 1e999}]}',
    "duplicate-names": b'{"backlog": 1, "backlog": 2}',
    "wrong-types": b'{"items": {"a": 1}, "entries": "x", "health": [1], "update": 5}',
    "items-not-objects": b'{"items": [1, "x", null, [], {}], "entries": [1, null, []]}',
    "form-junk": b"grant_type=client_credentials&client_id=%ff%fe&client_secret=%ed%a0%80",
}


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("branch-fuzz")
    server, config = start_server(make_config(folder / "box"), folder / "server")
    server.httpd.RequestHandlerClass.timeout = READ_TIMEOUT_S  # type: ignore[attr-defined]
    token = httpx.post(
        f"{server.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(config.branch_server.client_id, read_client_secret(secret_path(config))),
    ).json()["access_token"]
    yield server.url, token
    assert httpx.get(f"{server.url}/openapi.yaml").status_code == 200, "the server went down"
    server.stop()


def assert_answered(answer: Answer) -> None:
    assert 400 <= answer.status < 500 or answer.status in (200, 204), answer


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_requests_outside_the_document_are_refused_with_a_4xx(case, branch) -> None:
    url, token = branch
    # A batch answers a malformed item per item ("invalid") so it never blocks the others:
    # by design that is a 200, which the negative-data check would call a failure.
    excluded = [negative_data_rejection] if case.operation.path.endswith("/batch") else []
    case.call_and_validate(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded
    )


@pytest.mark.parametrize("name", sorted(BODIES))
def test_malformed_bodies_get_an_answer_on_every_endpoint(branch, name: str) -> None:
    url, token = branch
    for method, path, kind in OPERATIONS:
        for content_type in {kind or JSON, "text/plain"}:
            raw = request_bytes(
                method,
                path,
                BODIES[name],
                {"Authorization": f"Bearer {token}", "Content-Type": content_type},
            )
            assert_answered(exchange(url, raw))


BAD_FRAMING = {
    "length-negative": {"Content-Length": "-1"},
    "length-not-a-number": {"Content-Length": "abc"},
    "length-hex": {"Content-Length": "0x10"},
    "length-huge": {"Content-Length": "9999999999999999"},
    "length-too-many-digits": {"Content-Length": "1" * 40},
    "lengths-disagree": {"Content-Length": "2\r\nContent-Length: 3"},
    "chunked": {"Transfer-Encoding": "chunked"},
    "chunked-and-length": {"Transfer-Encoding": "chunked\r\nContent-Length: 2"},
    "non-ascii-header": {"Content-Type": "application/json; charset=\xe4\xb8\xad"},
    "non-ascii-bearer": {"Authorization": "Bearer \xe4\xb8\xad\xe6\x96\x87"},
    "basic-not-base64": {"Authorization": "Basic %%%"},
    "basic-bad-utf8": {"Authorization": "Basic //79"},
}


@pytest.mark.parametrize("name", sorted(BAD_FRAMING))
def test_bad_framing_gets_an_answer_on_every_endpoint(branch, name: str) -> None:
    url, token = branch
    for method, path, kind in OPERATIONS:
        lines = [f"{method} {path} HTTP/1.1", "Host: x", f"Content-Type: {kind or JSON}"]
        if "Authorization" not in BAD_FRAMING[name]:
            lines.append(f"Authorization: Bearer {token}")
        lines += [f"{header}: {value}" for header, value in BAD_FRAMING[name].items()]
        if "Content-Length" not in BAD_FRAMING[name]:
            lines.append("Content-Length: 2")
        raw = ("\r\n".join(lines) + "\r\n\r\n{}").encode("latin-1")
        assert_answered(exchange(url, raw))


@pytest.mark.parametrize(
    "raw",
    [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40 + b"\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"BREW /v1/devices/heartbeat HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
        b"GET /openapi.yaml HTTP/1.1\r\n" + b"X-A: b\r\n" * 200 + b"\r\n",
        b"GET /openapi.yaml HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
        b"GET /openapi.yaml HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET /v1/catalogue/changes?since=" + b"9" * 5_000 + b" HTTP/1.1\r\n\r\n",
        b"GET /v1/appointments?from=%ff&to=\xe4\xb8\xad HTTP/1.1\r\n\r\n",
        b"GET /v1/appointments/%ED%A0%80 HTTP/1.1\r\n\r\n",
        b"POST /v1/appointments/x/used?\xff HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
    ],
    ids=[
        "tls-hello",
        "no-path",
        "http-9.9",
        "unknown-method",
        "uri-70k",
        "200-headers",
        "header-70k",
        "header-without-colon",
        "since-5000-digits",
        "dates-not-utf8",
        "number-surrogate",
        "http-1.0",
    ],
)
def test_broken_request_lines_and_headers_get_an_answer(branch, raw: bytes) -> None:
    url, _ = branch
    answer = exchange(url, raw)
    assert answer.status < 500 or answer.status == 505, answer  # 505: HTTP/9.9


def test_stalled_clients_each_get_408_and_do_not_block_the_others(branch) -> None:
    """A truncated request on every endpoint at once, mid-headers and mid-body: each is
    answered 408 after the read timeout, and a good request is answered meanwhile."""
    url, token = branch
    address = urlsplit(url)
    stalled = []
    for method, path, kind in OPERATIONS:
        whole = request_bytes(
            method,
            path,
            b'{"items": []}',
            {"Authorization": f"Bearer {token}", "Content-Type": kind or JSON},
            content_length="100",
        )
        cut = whole.index(b"\r\n\r\n")
        for part in (whole[: cut - 5], whole):  # mid-headers, mid-body
            sock = socket.create_connection((address.hostname, address.port), timeout=10)
            sock.sendall(part)
            stalled.append(sock)
    try:
        assert httpx.get(f"{url}/openapi.yaml", timeout=READ_TIMEOUT_S * 0.8).status_code == 200
        for sock in stalled:
            answer = sock.recv(65536)
            if not answer.startswith(b"HTTP/1.1 408 "):
                raise NoAnswer(f"a stalled client got {answer[:40]!r}")
    finally:
        for sock in stalled:
            sock.close()
