"""When an unattended counter locks itself: one pure decision, so it is tested without waiting.

The kiosk asks every ``IDLE_CHECK_S`` with the monotonic clock; nothing here reads a clock.
"""

from __future__ import annotations

from appliance.workflow.session import SessionState

IDLE_CHECK_S = 1.0


def idle_lock_due(
    state: SessionState, last_activity_s: float, now_s: float, limit_s: float
) -> bool:
    """True when a logged-in session has had no touch or key press for ``limit_s``.

    Example, with the default 10 minutes (``limit_s=600``) and the last touch at
    ``t=100``: at ``t=699.9`` not yet, at ``t=700`` lock. A session that is not logged in
    has nothing to lock.
    """
    return state is SessionState.LOGGED_IN and now_s - last_activity_s >= limit_s
