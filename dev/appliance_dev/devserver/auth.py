"""OAuth2 client-credentials token endpoint and bearer checks (RFC 6749 section 4.4).

Tokens are random and held in memory with their expiry: a restarted server forgets
them, which is exactly the "token no longer valid" case a box must survive.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
import time
from urllib.parse import parse_qs, unquote


class TokenError(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


class TokenIssuer:
    def __init__(self, clients: dict[str, str], ttl_s: int) -> None:
        self._clients = dict(clients)
        self._ttl_s = ttl_s
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def issue(self, form_body: bytes, authorization: str | None) -> dict[str, object]:
        form = {k: v[0] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            raise TokenError(400, "unsupported_grant_type")
        client_id, secret = _client_credentials(form, authorization)
        expected = self._clients.get(client_id or "")
        if expected is None or not _same_secret(expected, secret or ""):
            raise TokenError(401, "invalid_client")
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}
            self._tokens[token] = (client_id or "", now + self._ttl_s)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self._ttl_s}

    def device_for(self, authorization: str | None) -> str | None:
        """The client id a valid bearer token was issued to, else None."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        with self._lock:
            found = self._tokens.get(authorization[len("Bearer ") :].strip())
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]


def _same_secret(expected: str, given: str) -> bool:
    """In constant time, as bytes: ``compare_digest`` refuses non-ASCII ``str``."""
    return hmac.compare_digest(
        expected.encode("utf-8"), given.encode("utf-8", errors="surrogatepass")
    )


def _client_credentials(
    form: dict[str, str], authorization: str | None
) -> tuple[str | None, str | None]:
    if authorization and authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization[6:], validate=True).decode("utf-8")
        except ValueError:
            return None, None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id"), form.get("client_secret")
