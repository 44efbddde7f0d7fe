"""``appliance selftest``: checks each device and the store, one line each, in English."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from appliance import log
from appliance.config import Config
from appliance.diagnostics.readiness import EXTRA_CHECKS, CheckResult, run_checks
from appliance.diagnostics.readiness_slip import print_slip
from appliance.errors import ApplianceError
from appliance.hardware.key.port import KeyStatus
from appliance.hardware.printer.port import PrinterStatus
from appliance.store.audit_trail import audit_now
from appliance.ui.fonts import prepare_cjk_font
from appliance.wiring import Services, build_services, hall_now

FRAME_WAIT_S = 3.0


def _font(config: Config, _services: Services) -> str:
    path = prepare_cjk_font(config.ui.font_path, config.ui.font_index, config.data_dir / "fonts")
    return f"CJK font ready at {path}"


def _database(_config: Config, services: Services) -> str:
    result = services.db.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise ApplianceError(f"database quick_check says {result}")
    return "database quick_check ok"


def _key(_config: Config, services: Services) -> str:
    if services.key.status() is not KeyStatus.PRESENT:
        raise ApplianceError("no electronic key detected: check the USB port")
    certificate = services.key.certificate()
    if certificate.not_after < datetime.now(UTC):
        raise ApplianceError(f"key certificate expired on {certificate.not_after:%Y-%m-%d}")
    return (
        f"key present, certificate {certificate.serial} valid until "
        f"{certificate.not_after:%Y-%m-%d}"
    )


def _camera(config: Config, services: Services) -> str:
    """Frames arriving is the pass; a real camera has no ticket under it, a replay always has."""
    camera = services.camera
    camera.start()
    try:
        deadline = time.monotonic() + FRAME_WAIT_S
        while (frame := camera.latest_frame()) is None:
            if time.monotonic() > deadline:
                raise ApplianceError(f"camera delivered no frame ({camera.status().value})")
            time.sleep(0.05)
        texts = services.scanner.decode(frame.gray)
    finally:
        camera.stop()
    if not texts and config.camera.backend == "replay":
        raise ApplianceError("replay camera frame delivered but no QR code decoded from it")
    seen = "decoded a QR code" if texts else "no QR code in view"
    return f"camera frame {frame.gray.shape[1]}x{frame.gray.shape[0]}, {seen}"


def _printer(_config: Config, services: Services) -> str:
    status = services.printer.status()
    if status is not PrinterStatus.READY:
        raise ApplianceError(f"printer status is {status.value}")
    return "printer ready"


CHECKS: list[tuple[str, Callable[[Config, Services], str]]] = [
    ("font", _font),
    ("database", _database),
    ("key", _key),
    ("camera", _camera),
    ("printer", _printer),
]


def run_selftest(config: Config, offline: bool = False, slip: bool = True) -> int:
    """Run every check; ``offline`` skips those that need the network or the branch server."""
    return report_selftest(config, build_services(config), offline, slip)


def selftest_results(config: Config, services: Services, offline: bool) -> list[CheckResult]:
    """Run, log and audit every check: ``appliance selftest`` and 系统诊断 share it."""
    log.event("selftest.init", offline=offline)
    checks = [(name, lambda c, s, _offline, check=check: check(c, s)) for name, check in CHECKS]
    results = run_checks(config, services, [*checks, *EXTRA_CHECKS], offline)
    for result in results:
        log.event(
            "selftest.check",
            check=result.name,
            detail=result.detail,
            outcome="failure" if result.outcome == "FAIL" else "success",
        )
    failures = [r.name for r in results if r.outcome == "FAIL"]
    audit_now(
        services.db,
        hall_now(),
        "selftest.run",
        {"failures": failures, "offline": offline, "checks": len(results)},
    )
    log.event(
        "selftest.complete",
        outcome="success" if not failures else "failure",
        failures=len(failures),
        offline=offline,
    )
    return results


def print_readiness_slip(services: Services, results: list[CheckResult]) -> PrinterStatus:
    """The readiness slip (设备自检单) when the printer is ready; its status either way."""
    status = print_slip(services, results, hall_now())
    log.event(
        "selftest.slip",
        status=status.value,
        outcome="success" if status is PrinterStatus.READY else "failure",
    )
    return status


def report_selftest(config: Config, services: Services, offline: bool, slip: bool) -> int:
    """Run, print and audit the checks; ``slip`` prints the readiness slip (issue 9)."""
    results = selftest_results(config, services, offline)
    for result in results:
        print(f"{result.outcome:4}  {result.name:13} {result.detail}")
    if slip:
        print_readiness_slip(services, results)
    return 1 if any(r.outcome == "FAIL" for r in results) else 0
