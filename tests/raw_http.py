"""Raw HTTP/1.1 over a socket, for requests no client library would send: a test of the
branch server's input handling needs to send exactly the bytes it means."""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class NoAnswer(AssertionError):
    """The server closed the connection (or said nothing) instead of answering."""


def request_bytes(
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    content_length: str | None = None,
) -> bytes:
    """A request's bytes; ``content_length`` overrides the true length (None: the true one)."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines.append(f"Content-Length: {len(body) if content_length is None else content_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def exchange(url: str, raw: bytes, timeout_s: float = 10.0) -> Answer:
    """Send ``raw`` on a fresh connection and read one answer (the socket stays open for
    writing, so a truncated request is left hanging as a stalled client would)."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout_s) as sock:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
            body = response.read()
        except (http.client.HTTPException, OSError) as exc:
            raise NoAnswer(f"no HTTP answer: {type(exc).__name__}: {exc}") from None
        return Answer(response.status, dict(response.getheaders()), body)


def json_post(path: str, body: bytes, token: str, kind: str = "application/json") -> bytes:
    return request_bytes(
        "POST", path, body, {"Authorization": f"Bearer {token}", "Content-Type": kind}
    )
