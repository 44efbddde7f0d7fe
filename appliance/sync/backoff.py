"""Capped exponential backoff with full jitter (the AWS architecture blog's "Full Jitter").

Random waits spread many boxes apart after a branch-wide outage; the cap keeps a box
from sleeping for hours once the server is back. A server's ``Retry-After`` wins.
"""

from __future__ import annotations

import random

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
