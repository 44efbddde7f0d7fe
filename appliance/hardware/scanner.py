"""Ticket QR decoding ("获取条码"): zxing-cpp on the newest camera frame, one read per arm.

zxing-cpp releases the GIL, so decoding on the worker thread never stalls the UI. The
worker decodes only the newest frame and skips frames it has already seen, so a slow
decode drops frames instead of building a backlog.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import zxingcpp

from appliance import log
from appliance.hardware.camera import Camera

# Measured on the six bundled tickets (upright, 15° rotated, perspective, faded, glare,
# unknown payload), QR only, 1280x720: the defaults and these options both decode all
# six; these take 1.2 ms a frame against 2.2 ms. They also decode the tickets turned by
# 90/180/270° and scaled 2.5× (1080p-sized modules). Tickets are dark ink on light
# paper, so the inverted pass is wasted work.
DECODE_OPTIONS: dict[str, bool] = {
    "try_rotate": False, "try_invert": False, "try_downscale": False}

POLL_SECONDS = 0.01


@dataclass(frozen=True)
class Symbol:
    """One valid decoded code: its text and zxing's format name (e.g. "QRCode")."""

    text: str
    format: str


class ZxingScanner:
    """Decodes only the configured formats: 7-10× faster than searching for all."""

    def __init__(self, formats: Sequence[str] = ("QRCode",)) -> None:
        if not formats:
            raise ValueError("scanner needs at least one format")
        unknown = [name for name in formats if not hasattr(zxingcpp.BarcodeFormat, name)]
        if unknown:
            raise ValueError(f"unknown barcode format(s): {unknown}")
        self._formats = tuple(getattr(zxingcpp.BarcodeFormat, name) for name in formats)

    def read(self, gray: np.ndarray) -> list[Symbol]:
        """Valid symbols in a grey uint8 image (strided views are fine, nothing is copied)."""
        if gray.ndim != 2 or gray.dtype != np.uint8:
            raise ValueError(f"expected a 2-D uint8 image, got {gray.ndim}-D {gray.dtype}")
        results = zxingcpp.read_barcodes(gray, formats=self._formats, **DECODE_OPTIONS)
        return [Symbol(r.text, r.format.name) for r in results if r.valid]

    def decode(self, gray: np.ndarray) -> list[str]:
        """The texts of the valid symbols in the image."""
        return [symbol.text for symbol in self.read(gray)]


class ScanWorker:
    """Decodes camera frames while armed; the first read stops preview and is delivered.

    Arming does not start the camera: the operator's "开始预览" does. ``on_ticket`` runs
    on the worker thread (a UI must hand it to its own thread) after the worker has
    disarmed itself and stopped the camera ("停止预览"), so the callback may re-arm.
    The same text read again within ``dedupe_seconds`` of its delivery is ignored and
    scanning goes on: a ticket left under the camera is one event, not a stream.
    """

    def __init__(self, camera: Camera, scanner: ZxingScanner,
                 on_ticket: Callable[[str], None], dedupe_seconds: float = 3.0) -> None:
        self._camera = camera
        self._scanner = scanner
        self._on_ticket = on_ticket
        self._dedupe_seconds = dedupe_seconds
        self._armed = threading.Event()
        self._closed = threading.Event()
        self._arming = threading.Lock()
        self._last_text: str | None = None
        self._last_time = 0.0
        self._thread = threading.Thread(target=self._run, name="scan-worker", daemon=True)
        self._thread.start()

    @property
    def armed(self) -> bool:
        return self._armed.is_set()

    def arm(self) -> None:
        """Decode frames until one holds a code ("获取条码")."""
        with self._arming:
            if self._closed.is_set():
                raise RuntimeError("scan worker is closed")
            self._armed.set()

    def disarm(self) -> None:
        with self._arming:
            self._armed.clear()

    def close(self) -> None:
        """Stop the worker thread; waits for a decode in progress to finish."""
        self._closed.set()
        self._armed.set()  # wakes the thread so it sees the close
        if self._thread is not threading.current_thread():
            self._thread.join()
        self._armed.clear()

    def _run(self) -> None:
        seen: tuple[int, float] | None = None
        while True:
            self._armed.wait()
            if self._closed.is_set():
                return
            frame = self._camera.latest_frame()
            if frame is None or (frame.sequence, frame.timestamp) == seen:
                self._closed.wait(POLL_SECONDS)
                continue
            seen = (frame.sequence, frame.timestamp)
            started = time.monotonic()
            symbols = self._scanner.read(frame.gray)
            elapsed_ms = round((time.monotonic() - started) * 1000, 1)
            symbol = next((s for s in symbols if not self._is_repeat(s.text)), None)
            if symbol is None or not self._claim():
                continue
            self._camera.stop()
            self._last_text, self._last_time = symbol.text, time.monotonic()
            log.event("scan.decoded", format=symbol.format, length=len(symbol.text),
                      ms=elapsed_ms)
            self._on_ticket(symbol.text)

    def _claim(self) -> bool:
        """Disarm for this read, unless the operator disarmed or closed meanwhile."""
        with self._arming:
            if not self._armed.is_set() or self._closed.is_set():
                return False
            self._armed.clear()
            return True

    def _is_repeat(self, text: str) -> bool:
        return (text == self._last_text
                and time.monotonic() - self._last_time < self._dedupe_seconds)
