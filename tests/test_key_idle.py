"""The idle lock and the status bar's key words, without a screen and without waiting.

The kiosk's real idle lock is walked under Xvfb in ``test_ui_key_login`` with a
three-second timeout.
"""

from __future__ import annotations

import pytest

from appliance.hardware.key.detection import KeyState
from appliance.workflow.idle import idle_lock_due
from appliance.workflow.key_messages import STATUS_WORDS, status_text
from appliance.workflow.session import SessionState

TEN_MINUTES_S = 600.0


def test_an_untouched_counter_locks_after_the_idle_timeout() -> None:
    assert not idle_lock_due(SessionState.LOGGED_IN, 100.0, 699.9, TEN_MINUTES_S)
    assert idle_lock_due(SessionState.LOGGED_IN, 100.0, 700.0, TEN_MINUTES_S)


def test_a_touch_restarts_the_idle_timeout() -> None:
    assert not idle_lock_due(SessionState.LOGGED_IN, 650.0, 700.0, TEN_MINUTES_S)


@pytest.mark.parametrize("state", [SessionState.LOCKED, SessionState.PIN_ENTRY])
def test_only_a_logged_in_session_locks_when_idle(state: SessionState) -> None:
    assert not idle_lock_due(state, 0.0, 10 * TEN_MINUTES_S, TEN_MINUTES_S)


@pytest.mark.parametrize(
    ("state", "words"),
    [
        (KeyState.READY, "电子钥匙：已插入"),
        (KeyState.NOT_DETECTED, "电子钥匙：未插入"),
        (KeyState.EXPIRED, "电子钥匙：已过期"),
        (KeyState.UNTRUSTED, "电子钥匙：不受信任"),
        (None, "电子钥匙：检测中"),
    ],
)
def test_status_bar_says_what_the_key_detection_says(state: KeyState | None, words: str) -> None:
    assert status_text(state) == words


def test_every_key_state_has_its_own_status_words() -> None:
    assert set(STATUS_WORDS) == set(KeyState)
    assert len(set(STATUS_WORDS.values())) == len(KeyState)
