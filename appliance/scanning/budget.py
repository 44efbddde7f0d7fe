"""The escalation's CPU budget: a share of one core, spent by measured decodes.

Pure accounting, no clock and no threads of its own: the caller measures the CPU time of
each decode (``time.thread_time`` around it) and passes the wall clock. The balance is a
token bucket in CPU seconds: it fills at ``share`` CPU seconds per wall second, holds at
most ``share × window_s`` and goes into debt when a decode costs more than it held. Every
decode is charged (zxing-cpp's look at each frame too), and the escalation may start only
while the balance covers what an escalation has been costing, so over any stretch of time
the decoding's CPU stays within ``share`` of one core plus one window's saving and what
one escalation costs beyond its estimate.

Worked example: share 0.25, window 1 s. The balance starts full at 0.25 s. At 30 fps
zxing-cpp charges 1 ms a frame (30 ms per second, 3 % of a core); one WeChat decode of
an empty frame charges 20 ms. In the first second about ten escalations run (balance
0.25 - 0.03 - 10 × 0.02 ≈ 0); from then on the balance refills by 0.25 - 0.03 = 0.22 s a
second, about eleven escalations of 20 ms: one frame in three goes to WeChat, and the
decoding costs 25 % of a core in total.
"""

from __future__ import annotations


class CpuBudget:
    """A share of one core for decoding; :meth:`allows` says whether to escalate now."""

    def __init__(self, share: float, window_s: float = 1.0, now: float = 0.0) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share of one core must be in (0, 1], got {share}")
        if window_s <= 0:
            raise ValueError(f"window must be positive, got {window_s}")
        self.share = share
        self.capacity = share * window_s
        self.balance = self.capacity
        self._last = now
        self.spent = 0.0  # CPU seconds charged since the start, for reports

    def _refill(self, now: float) -> None:
        if now > self._last:
            self.balance = min(self.capacity, self.balance + (now - self._last) * self.share)
            self._last = now

    def charge(self, cpu_s: float, now: float) -> None:
        """Count ``cpu_s`` seconds of CPU a decode took, ending at wall time ``now``."""
        self._refill(now)
        self.balance -= cpu_s
        self.spent += cpu_s

    def allows(self, now: float, need_s: float = 0.0) -> bool:
        """True while the budget holds more than ``need_s`` at wall time ``now``.

        ``need_s`` is what the next decode is expected to cost (at most half the bucket is
        asked for), so a decode rarely overdraws the balance.
        """
        self._refill(now)
        return self.balance > min(need_s, self.capacity / 2)
