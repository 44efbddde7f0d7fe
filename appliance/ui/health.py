"""When the kiosk publishes its device health for the sync process's heartbeat.

On every change at once, and unchanged ones every ``REFRESH`` so the rows stay fresh
(a row left stale reads as "unknown"). Deciding is pure; the write runs in the
background like any other database work.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from appliance import log
from appliance.hardware.camera.port import CameraStatus
from appliance.hardware.key.detection import KeyState
from appliance.hardware.printer.port import PrinterStatus
from appliance.store.device_health import REFRESH, UNKNOWN


def health_of(printer: PrinterStatus, camera: CameraStatus, key: KeyState | None) -> dict[str, str]:
    """The heartbeat's words: each port's own status value."""
    return {"printer": printer.value, "camera": camera.value, "key": key.value if key else UNKNOWN}


class HealthNotes:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._last: dict[str, str] | None = None
        self._at = 0.0

    def due(self, health: dict[str, str]) -> bool:
        """True when ``health`` should be published now (and remember it as published)."""
        now = self.clock()
        changed = health != self._last
        if not changed and now - self._at < REFRESH.total_seconds():
            return False
        if changed:
            log.event("health.published", **health)
        self._last, self._at = dict(health), now
        return True
