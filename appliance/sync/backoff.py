"""Capped exponential backoff with full jitter (the AWS architecture blog's "Full Jitter").

Random waits spread many boxes apart after a branch-wide outage; the cap keeps a box
from sleeping for hours once the server is back. A server's ``Retry-After`` wins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MAX_RETRY_AFTER_S = 3600.0


def full_jitter(failures: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Seconds to wait after ``failures`` consecutive failures (1 for the first).

    >>> 0 <= full_jitter(3, 0.5, 300, random.Random(1)) <= 4.0
    True
    """
    ceiling = min(cap_s, base_s * 2 ** min(failures, 32))
    return rng.uniform(0, ceiling)


def next_delay(
    failures: int, retry_after: float | None, base_s: float, cap_s: float, rng: random.Random
) -> float:
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_RETRY_AFTER_S)
    return full_jitter(failures, base_s, cap_s, rng)


@dataclass
class Backoff:
    """The consecutive failures of one kind of work and the wait they call for.

    The sync keeps one for deliveries and one for pulls, so a pull that keeps failing
    does not lengthen the wait of the next delivery (issue 18).

    >>> pulls = Backoff(0.5, 300)
    >>> pulls.failed(7.0, random.Random(1)), pulls.failures
    (7.0, 1)
    >>> pulls.reset(), pulls.failures
    (1, 0)
    """

    base_s: float
    cap_s: float
    failures: int = 0

    def failed(self, retry_after: float | None, rng: random.Random) -> float:
        self.failures += 1
        return next_delay(self.failures, retry_after, self.base_s, self.cap_s, rng)

    def reset(self) -> int:
        """Start afresh; return how many failures there had been."""
        failures, self.failures = self.failures, 0
        return failures
