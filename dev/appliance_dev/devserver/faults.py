"""Fault switches of the dev server: what a flaky branch server and network do.

Each switch is a share of requests (0 to 1) drawn from one seeded generator, so a test
run can be repeated.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field


@dataclass
class Faults:
    error_rate: float = 0.0  # answer 500 or 503 without doing anything
    slow_ms: int = 0  # wait this long before answering
    throttle_rate: float = 0.0  # answer 429 with Retry-After
    retry_after_s: int = 1
    drop_rate: float = 0.0  # store a batch, then drop the connection without an answer
    seed: int | None = None
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate

    @property
    def active(self) -> bool:
        return any((self.error_rate, self.slow_ms, self.throttle_rate, self.drop_rate))
