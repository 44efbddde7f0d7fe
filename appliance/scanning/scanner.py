"""Ticket QR decoding ("获取条码"): zxing-cpp on the newest camera frame, one read per arm.

zxing-cpp releases the GIL, so decoding on the worker thread never stalls the UI. The
worker decodes only the newest frame and skips frames it has already seen, so a slow
decode drops frames instead of building a backlog. A frame zxing-cpp cannot read is
offered to the escalation (issue 15: OpenCV's WeChat decoder on a thread of its own,
:mod:`appliance.scanning.escalation`), which never makes this loop wait; a read from
either decoder is the same ticket event.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypedDict

import cv2
import numpy as np
import zxingcpp

from appliance import log
from appliance.hardware.camera.port import Camera, Frame
from appliance.scanning.escalation import Escalated, EscalationWorker
from appliance.scanning.port import DecoderName, Symbol

__all__ = ["DECODE_OPTIONS", "ScanWorker", "Symbol", "ZxingScanner"]


class DecodeOptions(TypedDict):
    try_rotate: bool
    try_invert: bool
    try_downscale: bool


# Measured on the six bundled tickets (upright, 15° rotated, perspective, faded, glare,
# unknown payload), QR only, 1280x720: the defaults and these options both decode all
# six; these take 1.2 ms a frame against 2.2 ms. They also decode the tickets turned by
# 90/180/270° and scaled 2.5× (1080p-sized modules). Tickets are dark ink on light
# paper, so the inverted pass is wasted work.
DECODE_OPTIONS: DecodeOptions = {"try_rotate": False, "try_invert": False, "try_downscale": False}

POLL_SECONDS = 0.01
# The second pass works on the found-but-undecoded symbol's box plus this share of its
# size on each side, so the quiet zone and a little of the slip come along.
CROP_MARGIN = 0.25


def _crop(gray: np.ndarray, position: zxingcpp.Position) -> np.ndarray:
    """The symbol's bounding box plus :data:`CROP_MARGIN`, clamped to the frame (a view)."""
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs = [p.x for p in corners]
    ys = [p.y for p in corners]
    margin = max(max(xs) - min(xs), max(ys) - min(ys)) * CROP_MARGIN
    height, width = gray.shape
    x0, x1 = max(0, int(min(xs) - margin)), min(width, int(max(xs) + margin) + 1)
    y0, y1 = max(0, int(min(ys) - margin)), min(height, int(max(ys) + margin) + 1)
    return gray[y0:y1, x0:x1]


def _upscaled(crop: np.ndarray, factor: int) -> np.ndarray:
    return cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def _sharpened(image: np.ndarray) -> np.ndarray:
    return cv2.addWeighted(image, 2.0, cv2.GaussianBlur(image, (0, 0), 2.0), -1.0, 0)


# Measured on the benchmark frames where the first pass found a QR but could not read
# it (small modules, blur, steep tilt, glare): a 2x cubic upscale of the symbol's crop
# reads most; sharpening at 3x and a fixed threshold read a few more. Tried in order,
# each only when the one before failed.
SECOND_PASS: tuple[tuple[str, Callable[[np.ndarray], np.ndarray], zxingcpp.Binarizer], ...] = (
    ("up2", lambda crop: _upscaled(crop, 2), zxingcpp.Binarizer.LocalAverage),
    ("up3_sharp", lambda crop: _sharpened(_upscaled(crop, 3)), zxingcpp.Binarizer.LocalAverage),
    ("up2_fixed", lambda crop: _upscaled(crop, 2), zxingcpp.Binarizer.FixedThreshold),
)


class ZxingScanner:
    """Decodes only the configured formats: 7-10× faster than searching for all.

    With ``second_pass`` on, a frame where zxing found a symbol it could not decode
    (``return_errors`` reports it with ``valid`` false) gets a second, slower look at
    that symbol's crop; frames that decode at once, and empty frames, never pay for it.
    """

    def __init__(self, formats: Sequence[str] = ("QRCode",), second_pass: bool = True) -> None:
        if not formats:
            raise ValueError("scanner needs at least one format")
        unknown = [name for name in formats if not hasattr(zxingcpp.BarcodeFormat, name)]
        if unknown:
            raise ValueError(f"unknown barcode format(s): {unknown}")
        self._formats = zxingcpp.BarcodeFormats(
            [getattr(zxingcpp.BarcodeFormat, name) for name in formats]
        )
        self._second_pass = second_pass

    def read(self, gray: np.ndarray) -> list[Symbol]:
        """Valid symbols in a grey uint8 image (strided views are fine, nothing is copied)."""
        if gray.ndim != 2 or gray.dtype != np.uint8:
            raise ValueError(f"expected a 2-D uint8 image, got {gray.ndim}-D {gray.dtype}")
        results = zxingcpp.read_barcodes(
            gray, formats=self._formats, return_errors=self._second_pass, **DECODE_OPTIONS
        )
        valid = [Symbol(r.text, r.format.name) for r in results if r.valid]
        if valid or not self._second_pass:
            return valid
        for broken in results:
            if (symbol := self._retry(_crop(gray, broken.position))) is not None:
                return [symbol]
        return []

    def _retry(self, crop: np.ndarray) -> Symbol | None:
        if crop.shape[0] < 8 or crop.shape[1] < 8:
            return None
        for _name, prepare, binarizer in SECOND_PASS:
            results = zxingcpp.read_barcodes(
                prepare(crop), formats=self._formats, binarizer=binarizer, **DECODE_OPTIONS
            )
            valid = [r for r in results if r.valid]
            if valid:
                return Symbol(valid[0].text, valid[0].format.name)
        return None

    def decode(self, gray: np.ndarray) -> list[str]:
        """The texts of the valid symbols in the image."""
        return [symbol.text for symbol in self.read(gray)]


class ScanWorker:
    """Decodes camera frames while armed; the first read stops preview and is delivered.

    Arming does not start the camera: the operator's "开始预览" does. ``on_ticket`` runs
    on the worker thread, or on the escalation's thread for a ticket WeChat read (a UI
    must hand it to its own thread), after the worker has disarmed itself and stopped the
    camera ("停止预览"), so the callback may re-arm. The same text read again within
    ``dedupe_seconds`` of its delivery is ignored and scanning goes on: a ticket left
    under the camera is one event, not a stream.

    With an ``escalation``, a frame zxing-cpp reads nothing in is offered to it and the
    loop goes on at once; the decoding thread's CPU time (zxing-cpp and the loop's own
    work, frame to frame) is charged to the escalation's budget. Each arm (and each
    delivery, and each disarm) starts a new generation: an escalation's read of a frame
    from an older one is dropped.
    """

    def __init__(
        self,
        camera: Camera,
        scanner: ZxingScanner,
        on_ticket: Callable[[str], None],
        dedupe_seconds: float = 3.0,
        escalation: EscalationWorker[int] | None = None,
    ) -> None:
        self._camera = camera
        self._scanner = scanner
        self._on_ticket = on_ticket
        self._dedupe_seconds = dedupe_seconds
        self._escalation = escalation
        self._armed = threading.Event()
        self._closed = threading.Event()
        self._arming = threading.Lock()
        self._generation = 0
        self._cpu_mark: tuple[int, float] | None = None  # (thread, its CPU time) last charged
        self._last_text: str | None = None
        self._last_time = 0.0
        if escalation is not None:
            escalation.on_read(self._escalated)
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
            if not self._armed.is_set():
                self._generation += 1
            self._armed.set()

    def disarm(self) -> None:
        with self._arming:
            self._armed.clear()
            self._generation += 1
        if self._escalation is not None:
            self._escalation.drop_waiting()

    def close(self) -> None:
        """Stop the worker thread; waits for a decode in progress to finish.

        The escalation belongs to whoever built it (:class:`appliance.wiring.Services`)
        and stays open; its reads of this worker's frames are dropped from now on.
        """
        self._closed.set()
        self._armed.set()  # wakes the thread so it sees the close
        if self._thread is not threading.current_thread():
            self._thread.join()
        self.disarm()

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
            self.process(frame)

    def process(self, frame: Frame) -> bool:
        """One turn of the loop: decode, drop repeats, deliver; True when a ticket went out.

        A frame zxing-cpp reads nothing in goes to the escalation, and this returns False
        at once. Public so the benchmark can time the loop's own work per frame.
        """
        generation, escalation = self._generation, self._escalation
        started = time.monotonic()
        symbols = self._scanner.read(frame.gray)
        elapsed_ms = round((time.monotonic() - started) * 1000, 1)
        if escalation is not None:
            if not symbols:
                escalation.offer(frame.gray, generation)
            if escalation.budget is not None:
                self._charge_thread_cpu(escalation)
            if not symbols:
                return False
        return self._deliver(symbols, "zxing", elapsed_ms, generation)

    def _charge_thread_cpu(self, escalation: EscalationWorker[int]) -> None:
        """Charge this thread's CPU since the last frame (zxing-cpp, the loop) to the budget."""
        now, thread = time.thread_time(), threading.get_ident()
        if self._cpu_mark is not None and self._cpu_mark[0] == thread:
            escalation.charge(now - self._cpu_mark[1])
        self._cpu_mark = (thread, now)

    def _escalated(self, read: Escalated[int]) -> None:
        self._deliver(read.symbols, "wechat", read.ms, read.tag)

    def _deliver(
        self, symbols: list[Symbol], decoder: DecoderName, ms: float, generation: int
    ) -> bool:
        symbol = next((s for s in symbols if not self._is_repeat(s.text)), None)
        if symbol is None or not self._claim(generation, symbol.text):
            return False
        if self._escalation is not None:
            self._escalation.drop_waiting()
        self._camera.stop()
        self._on_ticket(symbol.text)  # the ticket first, the log line after: it can wait
        log.event(
            "scan.decoded", format=symbol.format, length=len(symbol.text), ms=ms, decoder=decoder
        )
        return True

    def _claim(self, generation: int, text: str) -> bool:
        """Disarm for this read, unless disarmed, closed or read already in this arm."""
        with self._arming:
            if (
                not self._armed.is_set()
                or self._closed.is_set()
                or generation != self._generation
                or self._is_repeat(text)
            ):
                return False
            self._armed.clear()
            self._generation += 1
            self._last_text, self._last_time = text, time.monotonic()
            return True

    def _is_repeat(self, text: str) -> bool:
        return text == self._last_text and time.monotonic() - self._last_time < self._dedupe_seconds
