"""The self-test's further checks (key reader, storage, audit chain, branch server,
backlog) and the runner shared by ``appliance selftest`` and 系统诊断; the readiness slip
is :mod:`~appliance.diagnostics.readiness_slip`, the words on screen
:mod:`~appliance.diagnostics.readiness_words`.

Each check returns one English line or raises with what is wrong; a check that cannot
run here (the branch server with ``--offline``) raises :class:`Skipped`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import httpx

from appliance.config import Config
from appliance.errors import ApplianceError
from appliance.hardware.id_reader.port import ReaderState
from appliance.hardware.key.port import KeyProblem
from appliance.hardware.printer.port import PrinterError
from appliance.store import outbox
from appliance.store.audit_check import verify_chain
from appliance.sync.audit_delivery import audit_backlog, audit_refusal
from appliance.sync.client import BranchClient, SyncProblem, tls_context
from appliance.sync.process import client_settings
from appliance.wording import text

if TYPE_CHECKING:
    from appliance.wiring import Services  # wiring imports this module lazily

MIN_FREE_BYTES = 200 * 1024 * 1024
MAX_CLOCK_SKEW_S = 120.0
LABELS = {
    "font": text("check.font"),
    "database": text("check.database"),
    "key": text("check.key"),
    "key_reader": text("check.key_reader"),
    "camera": text("check.camera"),
    "printer": text("check.printer"),
    "storage": text("check.storage"),
    "audit": text("check.audit"),
    "branch_server": text("check.branch_server"),
    "backlog": text("check.backlog"),
    "id_reader": text("check.id_reader"),
}


class Skipped(Exception):
    """The check does not apply here (offline, or the backend has nothing to test)."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    outcome: str  # ok | FAIL | skip
    detail: str


Check = Callable[[Config, "Services", bool], str]


def key_reader(_config: Config, services, _offline: bool) -> str:
    """USB devices, driver modules and the diagnosis the login screen shows."""
    scan = services.key.start()
    broken = [f"{m.vendor.name} ({m.error})" for m in scan.modules if not m.loaded]
    loaded = [m.vendor.name for m in scan.modules if m.loaded]
    diagnosis = scan.diagnosis
    if not diagnosis.state.can_log_in and not diagnosis.choices:
        detail = f"; {diagnosis.detail}" if diagnosis.detail else ""
        raise ApplianceError(
            f"key state {diagnosis.state.value}{detail}; "
            f"{len(scan.devices)} USB device(s), drivers loaded: "
            f"{', '.join(loaded) or 'none'}"
        )
    suffix = f"; not loaded: {', '.join(broken)}" if broken else ""
    return (
        f"key state {diagnosis.state.value}, {len(scan.devices)} USB device(s), "
        f"drivers loaded: {', '.join(loaded)}{suffix}"
    )


def id_reader(_config: Config, services, _offline: bool) -> str:
    """The ID card reader: found, its SAM module ready (11 FF) and its id (12 FF). A box
    without [id_reader] skips it. A failure ends with ``(state …)`` for the Chinese."""
    if services.id_reader is None:
        raise Skipped("no ID card reader configured")
    report = services.id_reader.describe()
    if report.state is not ReaderState.READY:
        raise ApplianceError(f"{report.english()} (state {report.state.value})")
    return report.english()


def storage(config: Config, services, _offline: bool) -> str:
    pages, size = (
        services.db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size")
    )
    free = shutil.disk_usage(config.data_dir).free
    line = f"database {pages * size / 1e6:.1f} MB, {free / 1e9:.2f} GB free"
    if free < MIN_FREE_BYTES:
        raise ApplianceError(f"disk almost full: {line}")
    return line


def audit(_config: Config, services, _offline: bool) -> str:
    report = verify_chain(services.db)
    if not report.intact:
        raise ApplianceError(f"audit chain broken ({report.problem} at entry {report.seq})")
    return f"audit chain intact, {report.entries} entries"


def branch_server(config: Config, _services, offline: bool) -> str:
    """Reachable, our token accepted, and the clocks agree (TLS and tokens need it)."""
    if offline:
        raise Skipped("offline: branch server not checked")
    branch = config.branch_server
    try:
        answer = httpx.get(
            f"{branch.url}/openapi.yaml",
            verify=tls_context(branch.ca_bundle),
            timeout=httpx.Timeout(branch.read_timeout_s, connect=branch.connect_timeout_s),
        )
    except httpx.HTTPError as exc:
        raise ApplianceError(
            f"branch server {branch.url} unreachable: {type(exc).__name__}"
        ) from None
    skew = _clock_skew(answer.headers.get("Date"))
    client = BranchClient(client_settings(config))
    try:
        client.fetch_token()
    except SyncProblem as problem:
        raise ApplianceError(f"branch server reachable but no token: {problem}") from None
    finally:
        client.close()
    if skew is not None and abs(skew) > MAX_CLOCK_SKEW_S:
        raise ApplianceError(f"clock differs from the branch server by {skew:+.0f} s")
    clock = "server sent no Date" if skew is None else f"clock difference {skew:+.0f} s"
    return f"branch server {branch.url} reachable, token issued, {clock}"


def _clock_skew(date_header: str | None) -> float | None:
    if not date_header:
        return None
    try:
        server = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    return (datetime.now(UTC) - server).total_seconds()


def backlog(_config: Config, services, _offline: bool) -> str:
    counts = outbox.counts(services.db)
    owed, refused = audit_backlog(services.db), audit_refusal(services.db)
    line = (
        f"{counts.backlog} submission(s) waiting, {counts.rejected} rejected, "
        f"{owed} audit entries waiting"
    )
    if counts.rejected or refused:
        why = f"; audit refused: {refused}" if refused else ""
        raise ApplianceError(f"{line}{why}")
    return line


EXTRA_CHECKS: list[tuple[str, Check]] = [
    ("key_reader", key_reader),
    ("id_reader", id_reader),
    ("storage", storage),
    ("audit", audit),
    ("branch_server", branch_server),
    ("backlog", backlog),
]


def run_checks(
    config: Config, services, checks: list[tuple[str, Check]], offline: bool
) -> list[CheckResult]:
    results = []
    for name, check in checks:
        try:
            results.append(CheckResult(name, "ok", check(config, services, offline)))
        except Skipped as skipped:
            results.append(CheckResult(name, "skip", str(skipped)))
        except (ApplianceError, KeyProblem, PrinterError, OSError) as exc:
            results.append(CheckResult(name, "FAIL", str(exc) or type(exc).__name__))
    return results
