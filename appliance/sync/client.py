"""The branch-server client: OAuth2 client credentials over TLS, one method per endpoint.

httpx does the HTTP (keep-alive, timeouts, TLS with our own CA bundle) and Authlib the
OAuth2 token exchange and its refresh before expiry. Every failure comes out as one of
two exceptions: :class:`SyncProblem` (try again later, with its kind for the log) or
:class:`BatchRefused` (the server refuses the batch as a whole; send items singly).
"""

from __future__ import annotations

import ssl
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import authlib.deprecate  # noqa: E402,F401 - installs Authlib's own warning filter first
import httpx

from appliance.sync.credentials import read_client_secret

with warnings.catch_warnings():
    # Authlib prefers the httpx2 fork and warns when it finds httpx; httpx is what we use.
    warnings.simplefilter("ignore")
    from authlib.integrations.base_client.errors import OAuthError
    from authlib.integrations.httpx_client import OAuth2Client

TOKEN_LEEWAY_S = 30
BATCH_PATH = "/v1/submissions/batch"
ITEM_STATUSES = frozenset({"accepted", "duplicate", "conflict", "invalid"})


class SyncProblem(Exception):
    """A failure worth retrying later; ``kind`` names it for the log and the backoff."""

    def __init__(self, kind: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after


class BatchRefused(Exception):
    """The server refused the whole batch (400/413/422): one item in it may be bad."""


@dataclass(frozen=True)
class ItemOutcome:
    idempotency_key: str
    status: str
    reason: str | None

    @property
    def delivered(self) -> bool:
        """Accepted now, or accepted before (the same key and body again)."""
        return self.status in ("accepted", "duplicate")


@dataclass(frozen=True)
class ClientSettings:
    base_url: str
    token_url: str
    client_id: str
    secret_file: Path
    ca_bundle: Path | None
    connect_timeout_s: float
    read_timeout_s: float


def tls_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """Verify the server against our CA bundle (or the system's when none is configured)."""
    return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class BranchClient:
    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._http = OAuth2Client(
            client_id=settings.client_id,
            client_secret="",  # read from its file at each token request
            token_endpoint_auth_method="client_secret_basic",
            token_endpoint=settings.token_url,
            grant_type="client_credentials",
            leeway=TOKEN_LEEWAY_S,
            base_url=settings.base_url,
            verify=tls_context(settings.ca_bundle),
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
        )
        # A busy token endpoint is retried as the API endpoints are: after its Retry-After.
        self._http.register_compliance_hook("access_token_response", _token_answer)

    def close(self) -> None:
        self._http.close()

    def fetch_token(self) -> None:
        """Ask the token endpoint for a new access token (reading the secret afresh)."""
        try:
            self._http.client_secret = read_client_secret(self.settings.secret_file)
        except OSError as exc:
            raise SyncProblem("auth", f"cannot read client secret file: {exc.strerror}") from None
        try:
            self._http.fetch_token(self.settings.token_url, grant_type="client_credentials")
        except OAuthError as exc:
            raise SyncProblem("auth", f"token endpoint refused: {exc.error}") from None
        except httpx.HTTPError as exc:
            raise _transport_problem(exc) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise SyncProblem("protocol", f"token endpoint answered garbage: {exc}") from None

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if not self._http.token:
            self.fetch_token()
        for attempt in (1, 2):
            try:
                response = self._http.request(method, path, **kwargs)
            except OAuthError as exc:
                raise SyncProblem("auth", f"token refresh refused: {exc.error}") from None
            except httpx.HTTPError as exc:
                raise _transport_problem(exc) from None
            if response.status_code == 401 and attempt == 1:
                self.fetch_token()  # revoked or forgotten by a restarted server
                continue
            return _checked(response)
        raise SyncProblem("auth", "the server refuses a fresh token")

    def submit(self, items: list[dict[str, Any]]) -> list[ItemOutcome]:
        """Send one batch; per-item outcomes in the order of ``items``."""
        try:
            response = self._request("POST", BATCH_PATH, json={"items": items})
        except _Refused as refused:
            raise BatchRefused(str(refused)) from None
        results = _json(response).get("results")
        if not isinstance(results, list):
            raise SyncProblem("protocol", "batch answer has no usable results")
        sent = {item["idempotency_key"] for item in items}
        try:
            outcomes = {
                r["idempotency_key"]: ItemOutcome(
                    r["idempotency_key"], r["status"], r.get("reason")
                )
                for r in results
            }
        except (TypeError, KeyError):
            raise SyncProblem("protocol", "batch answer has no usable results") from None
        if set(outcomes) != sent or any(o.status not in ITEM_STATUSES for o in outcomes.values()):
            raise SyncProblem("protocol", "batch answer does not match the batch sent")
        return [outcomes[item["idempotency_key"]] for item in items]

    def submit_audit(self, entries: list[dict[str, Any]]) -> int:
        """Send audit entries (issue 9); the highest seq the server now holds."""
        try:
            response = self._request("POST", "/v1/audit/batch", json={"entries": entries})
        except _Refused as refused:
            raise BatchRefused(str(refused)) from None
        through = _json(response).get("accepted_through")
        if not isinstance(through, int):
            raise SyncProblem("protocol", "audit answer lacks accepted_through")
        return through

    def register_audit_key(self, verify_key: str, first_seq: int) -> None:
        """Hand the audit verification key to the server (issue 18); 200 or 201 both do."""
        try:
            self._request(
                "POST",
                "/v1/audit/verify-key",
                json={"verify_key": verify_key, "first_seq": first_seq},
            )
        except _Refused as refused:
            raise BatchRefused(str(refused)) from None

    def catalogue_changes(self, cursor: str) -> tuple[list[dict[str, Any]], str, bool]:
        body = _json(self._get("/v1/catalogue/changes", params={"since": cursor or "0"}))
        try:
            return list(body["items"]), str(body["cursor"]), bool(body["more"])
        except (KeyError, TypeError):
            raise SyncProblem("protocol", "catalogue answer lacks items/cursor") from None

    def appointments(self, first: date, last: date) -> list[dict[str, Any]]:
        body = _json(
            self._get(
                "/v1/appointments", params={"from": first.isoformat(), "to": last.isoformat()}
            )
        )
        if not isinstance(body.get("appointments"), list):
            raise SyncProblem("protocol", "appointments answer lacks appointments")
        return body["appointments"]

    def appointment(self, number: str) -> dict[str, Any] | None:
        """One appointment by number; None when the server says it has no such number."""
        try:
            response = self._request("GET", f"/v1/appointments/{quote(number, safe='')}")
        except _Refused as refused:
            if refused.error == "unknown_appointment":
                return None
            raise SyncProblem("protocol", str(refused)) from None
        return _json(response)

    def mark_appointment_used(self, number: str) -> None:
        self._post_quietly(f"/v1/appointments/{number}/used", None)

    def heartbeat(self, body: dict[str, Any]) -> None:
        self._post_quietly("/v1/devices/heartbeat", body)

    def _get(self, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._request("GET", path, **kwargs)
        except _Refused as refused:
            raise SyncProblem("protocol", str(refused)) from None

    def _post_quietly(self, path: str, body: Any) -> None:
        try:
            self._request("POST", path, json=body)
        except _Refused as refused:
            raise SyncProblem("protocol", str(refused)) from None


class _Refused(Exception):
    """A 4xx answer other than 401/429: the request itself is wrong."""

    def __init__(self, message: str, error: str | None = None) -> None:
        super().__init__(message)
        self.error = error  # the answer's ``error`` code, when it gave one


def _checked(response: httpx.Response) -> httpx.Response:
    code = response.status_code
    if code < 300:
        return response
    if problem := _server_trouble(response):
        raise problem
    if code in (400, 404, 409, 413, 422):
        raise _Refused(f"HTTP {code}: {response.text[:200]}", _error_code(response))
    raise SyncProblem("protocol", f"unexpected HTTP {code}")


def _server_trouble(response: httpx.Response, what: str = "HTTP") -> SyncProblem | None:
    """A 429 or 5xx: try again later, after Retry-After when the server gives one."""
    code = response.status_code
    if code in (429, 503):
        kind = "throttled" if code == 429 else "server"
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        return SyncProblem(kind, f"{what} {code}", wait)
    if code >= 500:
        return SyncProblem("server", f"{what} {code}")
    return None


def _token_answer(response: httpx.Response) -> httpx.Response:
    """The token endpoint's answer before Authlib reads it: a 429 or 5xx is the server's
    trouble (retried after its Retry-After), not a refused client."""
    if problem := _server_trouble(response, "token endpoint HTTP"):
        raise problem
    return response


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise SyncProblem("protocol", "the answer is not JSON") from None
    if not isinstance(body, dict):
        raise SyncProblem("protocol", "the answer is not a JSON object")
    return body


def _transport_problem(exc: httpx.HTTPError) -> SyncProblem:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return SyncProblem("tls", f"server certificate not trusted: {cause.verify_message}")
        if isinstance(cause, ssl.SSLError):
            return SyncProblem("tls", str(cause)[:200])
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return SyncProblem("timeout", type(exc).__name__)
    return SyncProblem("network", f"{type(exc).__name__}: {str(exc)[:200]}")
