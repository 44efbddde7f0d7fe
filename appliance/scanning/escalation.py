"""The escalation: frames zxing-cpp could not read go to a slower decoder, one at a time.

:class:`EscalationPolicy` is the pure rule, no threads and no clock of its own: at most
one escalation in flight, and beside it one slot holding the newest failed frame, which
a newer one replaces (never a queue); a frame is taken only while the
:class:`~appliance.scanning.budget.CpuBudget` has something left, else it is skipped.
:class:`EscalationWorker` runs the policy on a thread of its own, loads the decoder there
at start-up (never on the UI thread) and hands each read to a callback; whoever offers a
frame never waits for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

import numpy as np

from appliance import log
from appliance.scanning.budget import CpuBudget
from appliance.scanning.port import ChildProcessDecoder, Decoder, Symbol

T = TypeVar("T")


class Offered(Enum):
    """What became of a failed frame offered to the escalation."""

    SLOTTED = "slotted"  # waits in the slot for the decoder (or goes at once)
    REPLACED = "replaced"  # waits in the slot; the older frame that was there is dropped
    SKIPPED = "skipped"  # the budget is spent: the frame is not escalated


@dataclass
class EscalationCounts:
    offered: int = 0
    escalated: int = 0  # taken by the decoder
    replaced: int = 0  # dropped from the slot by a newer frame
    skipped: int = 0  # refused by the budget, when offered or when its turn came
    read: int = 0  # escalations that read a symbol
    cpu_s: float = 0.0  # CPU seconds the escalations took, budget or not


class EscalationPolicy(Generic[T]):
    """One in flight, the newest waiting frame wins, within the budget (None: no limit).

    >>> policy = EscalationPolicy[str](None)
    >>> policy.offer("frame 1", now=0.0), policy.take(now=0.0)
    (<Offered.SLOTTED: 'slotted'>, 'frame 1')
    >>> policy.offer("frame 2", 0.01), policy.offer("frame 3", 0.02), policy.take(0.02)
    (<Offered.SLOTTED: 'slotted'>, <Offered.REPLACED: 'replaced'>, None)
    >>> policy.finish(cpu_s=0.05, now=0.06); policy.take(0.06)
    'frame 3'
    """

    def __init__(self, budget: CpuBudget | None) -> None:
        self.budget = budget
        self.counts = EscalationCounts()
        self._pending: T | None = None
        self._in_flight = False
        # What an escalation costs, a moving average of the last ones' CPU (0 before the
        # first): the budget must hold that much for the next one to start.
        self.typical_cpu_s = 0.0

    @property
    def idle(self) -> bool:
        """Nothing in flight and nothing waiting."""
        return not self._in_flight and self._pending is None

    def charge(self, cpu_s: float, now: float) -> None:
        """Count CPU spent elsewhere against the budget (the first look at every frame)."""
        if self.budget is not None:
            self.budget.charge(cpu_s, now)

    def offer(self, item: T, now: float) -> Offered:
        self.counts.offered += 1
        if self.budget is not None and not self.budget.allows(now, self.typical_cpu_s):
            self.counts.skipped += 1
            return Offered.SKIPPED
        replaced = self._pending is not None
        self.counts.replaced += replaced
        self._pending = item
        return Offered.REPLACED if replaced else Offered.SLOTTED

    def take(self, now: float) -> T | None:
        """The frame to decode now, or None (one in flight already, or nothing waiting)."""
        if self._in_flight or self._pending is None:
            return None
        item, self._pending = self._pending, None
        if self.budget is not None and not self.budget.allows(now, self.typical_cpu_s):
            self.counts.skipped += 1  # spent by the escalation that just finished
            return None
        self._in_flight = True
        self.counts.escalated += 1
        return item

    def finish(self, cpu_s: float, now: float, read: bool = False) -> None:
        """The escalation in flight ended, having cost ``cpu_s`` seconds of CPU."""
        self._in_flight = False
        self.counts.read += read
        self.counts.cpu_s += cpu_s
        self.typical_cpu_s = (
            cpu_s if not self.typical_cpu_s else 0.8 * self.typical_cpu_s + 0.2 * cpu_s
        )
        self.charge(cpu_s, now)

    def drop_waiting(self) -> None:
        """Forget the waiting frame (the scan was disarmed or a ticket went out)."""
        self._pending = None

    @property
    def waiting(self) -> bool:
        return self._pending is not None


@dataclass(frozen=True)
class Escalated(Generic[T]):
    """A read by the escalation: the symbols, the offer's tag, decode time in ms."""

    symbols: list[Symbol]
    tag: T
    ms: float


class EscalationWorker(Generic[T]):
    """The escalation's thread: loads the decoder, then decodes what the policy hands it.

    ``load`` runs on the worker thread, off the UI thread: as soon as the worker is built,
    or with ``load_now`` false once :meth:`start_loading` is called (the kiosk calls it
    when its first frame is drawn, so the WeChat process does not compete with the
    kiosk's own start-up; a self-test that never scans never starts it). Until the
    decoder is loaded, offers are slotted and wait.
    ``on_read`` runs on the worker thread with every read that found a symbol; the tag is
    whatever the offer carried (the scan loop passes its arm generation).
    """

    def __init__(
        self,
        load: Callable[[], Decoder],
        budget: CpuBudget | None,
        clock: Callable[[], float] = time.monotonic,
        load_now: bool = True,
    ) -> None:
        self._load = load
        self._loading = threading.Event()
        if load_now:
            self._loading.set()
        self._clock = clock
        self._policy: EscalationPolicy[tuple[np.ndarray, T]] = EscalationPolicy(budget)
        self._changed = threading.Condition()
        self._closed = False
        self._decoder: Decoder | None = None
        self._on_read: Callable[[Escalated[T]], None] = lambda _read: None
        self.failed: str | None = None  # why the decoder could not be loaded
        self._thread = threading.Thread(target=self._run, name="scan-escalation", daemon=True)
        self._thread.start()

    @property
    def counts(self) -> EscalationCounts:
        return self._policy.counts

    @property
    def budget(self) -> CpuBudget | None:
        return self._policy.budget

    @property
    def decoder(self) -> Decoder | None:
        """The loaded decoder (None until it has loaded, or when it failed to)."""
        return self._decoder

    def start_loading(self) -> None:
        """Load the decoder now, on the worker thread (once; later calls do nothing)."""
        self._loading.set()

    def on_read(self, callback: Callable[[Escalated[T]], None]) -> None:
        self._on_read = callback

    def charge(self, cpu_s: float) -> None:
        """Count the first look's CPU (a no-op without a budget: no lock on that path)."""
        if self._policy.budget is None:
            return
        with self._changed:
            self._policy.charge(cpu_s, self._clock())

    def offer(self, gray: np.ndarray, tag: T) -> Offered:
        """Hand over a frame zxing-cpp could not read; returns at once."""
        with self._changed:
            if self._closed or self.failed is not None:
                return Offered.SKIPPED
            offered = self._policy.offer((gray, tag), self._clock())
            self._changed.notify_all()
            return offered

    def drop_waiting(self) -> None:
        if not self._policy.waiting:  # read without the lock: a frame slotted just now
            return  # belongs to the new generation's caller, or is dropped by its tag
        with self._changed:
            self._policy.drop_waiting()

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """True once the decoder is loaded; False on a failed load or a timeout."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._decoder is not None or self.failed is not None or self._closed,
                timeout,
            )
            return self._decoder is not None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing is in flight or waiting (tests and the benchmark)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._policy.idle or self.failed is not None or self._closed, timeout
            )

    def close(self, timeout: float = 2.0) -> None:
        """Stop the worker; a decode in flight is waited for up to ``timeout`` seconds.

        One WeChat decode cannot be interrupted and may take seconds (a blank slip under a
        grainy uncompressed camera); the thread is a daemon, so shutdown does not hang on it.
        """
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._loading.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._loading.wait(0.2):
            if self._closed:
                return
        if self._closed:
            return
        started = time.perf_counter()
        try:
            decoder = self._load()
        except Exception as exc:  # noqa: BLE001 (a missing or changed model file, cv2.error)
            log.event("scan.escalation_unavailable", reason=type(exc).__name__)
            with self._changed:
                self.failed = str(exc) or type(exc).__name__
                self._policy.drop_waiting()
                self._changed.notify_all()
            return
        log.event("scan.escalation_ready", ms=round((time.perf_counter() - started) * 1000, 1))
        with self._changed:
            self._decoder = decoder
            if isinstance(decoder, ChildProcessDecoder):  # its start-up
                self._policy.charge(decoder.last_cpu_s, self._clock())
            self._changed.notify_all()
        while True:
            with self._changed:
                job = None
                while not self._closed and (job := self._policy.take(self._clock())) is None:
                    self._changed.wait()
                if job is None:  # closed
                    break
            gray, tag = job
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                symbols = decoder.read(gray)
            except Exception as exc:  # noqa: BLE001 (cv2.error on a frame it cannot take)
                log.event("scan.escalation_failed", reason=type(exc).__name__)
                symbols = []
            cpu = time.thread_time() - cpu
            if isinstance(decoder, ChildProcessDecoder):
                cpu += decoder.last_cpu_s
            ms = round((time.perf_counter() - wall) * 1000, 1)
            if symbols:  # delivered while still in flight, so wait_idle covers delivery
                self._on_read(Escalated(symbols, tag, ms))
            with self._changed:
                self._policy.finish(cpu, self._clock(), bool(symbols))
                self._changed.notify_all()
        if isinstance(decoder, ChildProcessDecoder):
            decoder.close()
