"""``appliance selftest``: checks each device and the store, one line each, in English."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from appliance import log
from appliance.config import Config
from appliance.errors import ApplianceError
from appliance.hardware.key import KeyProblem, KeyStatus
from appliance.hardware.printer import PrinterStatus
from appliance.ui.fonts import prepare_cjk_font
from appliance.wiring import Services, build_services

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
    return f"key present, certificate {certificate.serial} valid until " \
           f"{certificate.not_after:%Y-%m-%d}"


def _camera(_config: Config, services: Services) -> str:
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
    if not texts:
        raise ApplianceError("camera frame delivered but no QR code decoded from it")
    return f"camera frame {frame.gray.shape[1]}x{frame.gray.shape[0]} decoded a QR code"


def _printer(_config: Config, services: Services) -> str:
    status = services.printer.status()
    if status is not PrinterStatus.READY:
        raise ApplianceError(f"printer status is {status.value}")
    return "printer ready"


CHECKS: list[tuple[str, Callable[[Config, Services], str]]] = [
    ("font", _font), ("database", _database), ("key", _key), ("camera", _camera),
    ("printer", _printer),
]


def run_selftest(config: Config, offline: bool = False) -> int:
    """Run every check; ``offline`` skips those that need the network or the branch server."""
    services = build_services(config)
    failures = 0
    for name, check in CHECKS:
        try:
            detail = check(config, services)
            outcome = "ok"
        except (ApplianceError, KeyProblem, OSError) as exc:
            detail = str(exc)
            outcome = "FAIL"
            failures += 1
        log.event("selftest.check", check=name,
                  outcome="success" if outcome == "ok" else "failure", detail=detail)
        print(f"{outcome:4}  {name:9} {detail}")
    log.event("selftest.complete", outcome="success" if not failures else "failure",
              failures=failures, offline=offline)
    return 1 if failures else 0
