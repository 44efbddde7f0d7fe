"""The development branch server: stdlib ``ThreadingHTTPServer`` on loopback.

The standard library is enough for a handful of JSON endpoints, adds no dependency to
the box's image, and lets a fault switch do what frameworks hide: store a batch and then
drop the connection without answering. HTTP/1.1 keep-alive keeps a drain fast.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from appliance import log
from appliance_dev.devserver.audit import AuditRefused, entries_problem, verify_key_problem
from appliance_dev.devserver.auth import TokenError, TokenIssuer
from appliance_dev.devserver.faults import Faults
from appliance_dev.devserver.store import BranchStore
from appliance_dev.devserver.validate import heartbeat_problem, item_problem, key_of

MAX_BODY = 8 * 1024 * 1024
MAX_BATCH = 500
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
    server_version = "appliance-devserver"
    app: BranchApp  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Access lines stay off stderr; batches are logged as events instead."""

    def __getattr__(self, name: str):
        """Every method reaches the router, so an unlisted one gets 405, not 501."""
        if name.startswith("do_"):
            return lambda: self._dispatch(name[3:])
        raise AttributeError(name)

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
            payload = {"error": problem.error, "message": problem.message}
        self._answer(status, payload, headers)

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise HttpProblem(400, "bad_request", "Content-Length is not a number") from None
        if size < 0 or size > MAX_BODY:
            self.close_connection = True
            raise HttpProblem(413, "too_large", f"body larger than {MAX_BODY} bytes")
        return self.rfile.read(size)

    def _answer(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        if isinstance(payload, str):
            data, kind = payload.encode("utf-8"), "application/yaml"
        elif payload is None:
            data, kind = b"", None
        else:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            kind = "application/json"
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
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
            return self._token(body)
        device = self.app.tokens.device_for(self.headers.get("Authorization"))
        if device is None:
            raise HttpProblem(
                401,
                "invalid_token",
                "a valid bearer token is required",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
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
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HttpProblem(400, "bad_request", "the body is not JSON") from None
    if not isinstance(value, dict):
        raise HttpProblem(400, "bad_request", "the body must be a JSON object")
    return value


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


class BranchServer:
    """The HTTP server bound to ``host:port`` (port 0 picks a free one)."""

    def __init__(
        self, app: BranchApp, host: str, port: int, tls: ssl.SSLContext | None = None
    ) -> None:
        handler = type("BoundHandler", (Handler,), {"app": app})
        self.app = app
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
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
