"""The development branch server: stdlib ``ThreadingHTTPServer`` on loopback.

The standard library is enough for a handful of JSON endpoints, adds no dependency to
the box's image, and lets a fault switch do what frameworks hide: store a batch and then
drop the connection without answering. HTTP/1.1 keep-alive keeps a drain fast.

Whatever a client sends gets an HTTP answer (issue 18): a malformed body a 4xx with a
JSON error, a client that stalls mid-request a 408 after the read timeout (its thread is
freed), and a bug a 500 logged as an event, never a silently dropped connection.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import ssl
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from appliance import log
from appliance_dev.devserver.audit import AuditRefused, entries_problem, verify_key_problem
from appliance_dev.devserver.auth import TokenError, TokenIssuer
from appliance_dev.devserver.faults import Faults
from appliance_dev.devserver.request_json import JsonProblem, parse_json_object
from appliance_dev.devserver.store import BranchStore
from appliance_dev.devserver.validate import heartbeat_problem, item_problem, key_of

MAX_BODY = 8 * 1024 * 1024
MAX_BATCH = 500
# Seconds one read from a client may take (request line, headers, body): a client that
# stops sending frees its thread after this.
READ_TIMEOUT_S = 30.0
CONTENT_LENGTH = re.compile(r"[0-9]{1,16}")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
JSON_BODY_PATHS = frozenset({"/v1/submissions/batch", "/v1/audit/batch", "/v1/devices/heartbeat"})
USED_PATH = re.compile(r"^/v1/appointments/([A-Za-z0-9-]{1,40})/used$")
ONE_PATH = re.compile(r"^/v1/appointments/([A-Za-z0-9-]{1,40})$")
ALLOWED = {
    "/openapi.yaml": "GET",
    "/oauth/token": "POST",
    "/v1/submissions/batch": "POST",
    "/v1/catalogue/changes": "GET",
    "/v1/appointments": "GET",
    "/v1/devices/heartbeat": "POST",
    "/v1/audit/batch": "POST",
    "/v1/audit/verify-key": "POST",
}


class HttpProblem(Exception):
    def __init__(
        self, status: int, error: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message
        self.headers = headers or {}


class DropConnection(Exception):
    """Raised after a batch is stored when the drop switch fires: answer nothing."""


@dataclass
class BranchApp:
    store: BranchStore
    tokens: TokenIssuer
    faults: Faults
    require_signature: bool = False


def openapi_text() -> str:
    return resources.files("appliance.sync").joinpath("openapi.yaml").read_text("utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # A request line too broken to name its version is still answered with a status line
    # (the stdlib assumes HTTP/0.9 and sends a bare body).
    default_request_version = "HTTP/1.1"
    server_version = "appliance-devserver"
    app: BranchApp  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Access lines stay off stderr; batches are logged as events instead."""

    def __getattr__(self, name: str):
        """Every method reaches the router, so an unlisted one gets 405, not 501."""
        if name.startswith("do_"):
            return lambda: self._dispatch(name[3:])
        raise AttributeError(name)

    def parse_request(self) -> bool:
        """The stdlib's, with a 408 for a client that stalls in its headers (the stdlib
        would close the connection without a word)."""
        try:
            return super().parse_request()
        except TimeoutError:
            log.event("devserver.request_timeout", outcome="failure", part="headers")
            self.close_connection = True
            self._answer(408, _problem("timeout", "the request headers did not arrive"), {})
            return False

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (request line, headers) as JSON like every other."""
        self.close_connection = True
        status = HTTPStatus(code)
        error = status.phrase.lower().replace(" ", "_").replace("-", "_")
        self._answer(code, _problem(error, message or status.description), {})

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        try:
            body = self._read_body()
            status, payload, headers = self._route(method, url.path, parse_qs(url.query), body)
        except DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        except HttpProblem as problem:
            status, headers = problem.status, problem.headers
            payload = _problem(problem.error, problem.message)
        except Exception as exc:  # a bug: still an answer, and an event instead of a traceback
            log.event("devserver.error", outcome="failure", method=method, error=type(exc).__name__)
            self.close_connection = True
            status, headers = 500, {}
            payload = _problem("internal", "the server failed on this request")
        self._answer(status, payload, headers)

    def _read_body(self) -> bytes:
        """Exactly Content-Length bytes; anything else about the length is a 4xx."""
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True  # the body that follows cannot be skipped
            raise HttpProblem(400, "bad_request", "Transfer-Encoding is not supported")
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if not lengths:
            return b""
        length = lengths.pop()
        if lengths or not CONTENT_LENGTH.fullmatch(length):
            self.close_connection = True
            raise HttpProblem(400, "bad_request", "Content-Length: one non-negative integer")
        size = int(length)
        if size > MAX_BODY:
            self.close_connection = True
            raise HttpProblem(413, "too_large", f"body larger than {MAX_BODY} bytes")
        try:
            body = self.rfile.read(size)
        except TimeoutError:
            log.event("devserver.request_timeout", outcome="failure", part="body")
            self.close_connection = True
            raise HttpProblem(408, "timeout", "the request body did not arrive") from None
        if len(body) < size:
            self.close_connection = True
            raise HttpProblem(400, "bad_request", "the body is shorter than its Content-Length")
        return body

    def _require_type(self, expected: str) -> None:
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != expected:
            raise HttpProblem(415, "unsupported_media_type", f"Content-Type must be {expected}")

    def _answer(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        if isinstance(payload, str):
            data, kind = payload.encode("utf-8"), "application/yaml"
        elif payload is None:
            data, kind = b"", None
        else:
            try:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate the checks missed: escaped, still JSON
                data = json.dumps(payload).encode("ascii")
            kind = "application/json"
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        allowed = (
            ALLOWED.get(path)
            or ("POST" if USED_PATH.match(path) else None)
            or ("GET" if ONE_PATH.match(path) else None)
        )
        if allowed is None:
            raise HttpProblem(404, "not_found", f"no such path {path}")
        if method != allowed:
            raise HttpProblem(
                405, "method_not_allowed", f"{method} not allowed on {path}", {"Allow": allowed}
            )
        if path == "/openapi.yaml":
            return 200, openapi_text(), {}
        if path == "/oauth/token":
            self._require_type(FORM)
            return self._token(body)
        device = self.app.tokens.device_for(self.headers.get("Authorization"))
        if device is None:
            raise HttpProblem(
                401,
                "invalid_token",
                "a valid bearer token is required",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        if path in JSON_BODY_PATHS:
            self._require_type(JSON)
        self._inject_faults()
        if path == "/v1/submissions/batch":
            return self._batch(device, body)
        if path == "/v1/audit/batch":
            return self._audit(device, body)
        if path == "/v1/audit/verify-key":
            return self._verify_key(device, body)
        if path == "/v1/catalogue/changes":
            return self._catalogue(query)
        if path == "/v1/appointments":
            return self._appointments(query)
        if one := ONE_PATH.match(path):
            return self._one_appointment(one.group(1))
        if path == "/v1/devices/heartbeat":
            beat = _json_object(body)
            if problem := heartbeat_problem(beat):
                raise HttpProblem(400, "bad_request", problem)
            self.app.store.record_heartbeat(device, beat)
            return 204, None, {}
        match = USED_PATH.match(path)
        assert match is not None
        if not self.app.store.mark_appointment_used(match.group(1)):
            raise HttpProblem(404, "not_found", "no such appointment")
        return 204, None, {}

    def _inject_faults(self) -> None:
        faults = self.app.faults
        if faults.slow_ms:
            time.sleep(faults.slow_ms / 1000)
        if faults.roll(faults.throttle_rate):
            log.event("devserver.fault", kind="throttle")
            raise HttpProblem(
                429, "too_many_requests", "slow down", {"Retry-After": str(faults.retry_after_s)}
            )
        if faults.roll(faults.error_rate):
            log.event("devserver.fault", kind="error")
            raise HttpProblem(503, "unavailable", "injected server error")

    def _token(self, body: bytes) -> tuple[int, Any, dict[str, str]]:
        try:
            token = self.app.tokens.issue(body, self.headers.get("Authorization"))
        except TokenError as exc:
            return exc.status, {"error": exc.error}, {"Cache-Control": "no-store"}
        return 200, token, {"Cache-Control": "no-store"}

    def _batch(self, device: str, body: bytes) -> tuple[int, Any, dict[str, str]]:
        request = _json_object(body)
        items = request.get("items")
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
            raise HttpProblem(400, "bad_request", f"items: a list of 1 to {MAX_BATCH} items")
        keys = [key_of(item) for item in items]
        if None in keys:
            raise HttpProblem(400, "bad_request", "every item needs an idempotency_key string")
        checked = [(item, item_problem(item, self.app.require_signature)) for item in items]
        results = self.app.store.store_batch(device, checked)
        tally = {
            s: sum(r.status == s for r in results)
            for s in ("accepted", "duplicate", "conflict", "invalid")
        }
        log.event("devserver.batch", device=device, items=len(items), **tally)
        if self.app.faults.roll(self.app.faults.drop_rate):
            log.event("devserver.fault", kind="drop_after_store")
            raise DropConnection()
        return 200, {"results": [r.as_json() for r in results]}, {}

    def _audit(self, device: str, body: bytes) -> tuple[int, Any, dict[str, str]]:
        request = _json_object(body)
        if problem := entries_problem(request):
            raise HttpProblem(400, "bad_request", problem)
        try:
            through = self.app.store.store_audit(device, request["entries"])
        except AuditRefused as refused:
            raise HttpProblem(refused.status, "conflict", str(refused)) from None
        return 200, {"accepted_through": through}, {}

    def _verify_key(self, device: str, body: bytes) -> tuple[int, Any, dict[str, str]]:
        request = _json_object(body)
        if problem := verify_key_problem(request):
            raise HttpProblem(400, "bad_request", problem)
        try:
            new = self.app.store.register_audit_key(
                device, request["verify_key"], request["first_seq"]
            )
        except AuditRefused as refused:
            raise HttpProblem(refused.status, "conflict", str(refused)) from None
        log.event("devserver.audit_key", device=device, new=new, first_seq=request["first_seq"])
        return (201 if new else 200), {"registered": True}, {}

    def _catalogue(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        since = _int_param(query, "since", 0, 0, 2**62)
        limit = _int_param(query, "limit", 500, 1, 1000)
        items, cursor, more = self.app.store.catalogue_since(since, limit)
        return 200, {"items": items, "cursor": str(cursor), "more": more}, {}

    def _appointments(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        try:
            first = date.fromisoformat(query["from"][0])
            last = date.fromisoformat(query["to"][0])
        except (KeyError, ValueError):
            raise HttpProblem(400, "bad_request", "from and to: dates YYYY-MM-DD") from None
        return 200, {"appointments": self.app.store.appointments_between(first, last)}, {}

    def _one_appointment(self, number: str) -> tuple[int, Any, dict[str, str]]:
        appointment = self.app.store.appointment(number)
        if appointment is None:
            raise HttpProblem(404, "unknown_appointment", "no appointment with this number")
        return 200, appointment, {}


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        return parse_json_object(body)
    except JsonProblem as problem:
        raise HttpProblem(400, "bad_request", str(problem)) from None


def _problem(error: str, message: str) -> dict[str, str]:
    return {"error": error, "message": message}


def _int_param(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    if name not in query:
        return default
    try:
        value = int(query[name][0])
    except ValueError:
        raise HttpProblem(400, "bad_request", f"{name}: an integer is required") from None
    if not low <= value <= high:
        raise HttpProblem(400, "bad_request", f"{name}: between {low} and {high}")
    return value


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside a request (reset, TLS handshake): an event,
        not the stdlib's traceback on stderr."""
        error = sys.exc_info()[1]
        log.event("devserver.connection_error", outcome="failure", error=type(error).__name__)


class BranchServer:
    """The HTTP server bound to ``host:port`` (port 0 picks a free one)."""

    def __init__(
        self,
        app: BranchApp,
        host: str,
        port: int,
        tls: ssl.SSLContext | None = None,
        read_timeout_s: float = READ_TIMEOUT_S,
    ) -> None:
        handler = type("BoundHandler", (Handler,), {"app": app, "timeout": read_timeout_s})
        self.app = app
        self.httpd = _HttpServer((host, port), handler)
        if tls is not None:
            # The handshake happens on the connection's own thread, under the read
            # timeout: a client that connects and says nothing cannot stall accept().
            self.httpd.socket = tls.wrap_socket(
                self.httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self.scheme = "https" if tls else "http"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def start(self) -> BranchServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="devserver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.app.store.close()
