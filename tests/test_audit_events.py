"""The event catalogue is the one list of names: every ``log.event`` in the code uses a
catalogued name, outcome events always say how they ended, long actions come in pairs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from appliance import log
from appliance.events import AUDIT_ACTIONS, EVENTS, OUTCOME_EVENTS, OUTCOMES, init_complete_pairs

PACKAGE = Path(__file__).resolve().parents[1] / "appliance"


def event_calls() -> list[tuple[str, ast.Call, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name == "event" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, node, f"{path.name}:{node.lineno}"))
    return found


def test_every_logged_event_is_catalogued() -> None:
    calls = event_calls()
    assert len(calls) > 60
    assert [where for name, _, where in calls if name not in EVENTS] == []


def test_outcome_events_always_say_success_or_failure() -> None:
    missing = [
        where
        for name, call, where in event_calls()
        if name in OUTCOME_EVENTS and not any(k.arg == "outcome" for k in call.keywords)
    ]
    assert missing == []
    for _name, call, where in event_calls():
        for keyword in call.keywords:
            if keyword.arg == "outcome" and isinstance(keyword.value, ast.Constant):
                assert keyword.value.value in OUTCOMES, where
    assert set(EVENTS) >= OUTCOME_EVENTS


def test_long_actions_log_init_and_complete() -> None:
    pairs = init_complete_pairs()
    assert pairs
    assert [done for _init, done in pairs if done not in EVENTS] == []
    assert [done for _init, done in pairs if done not in OUTCOME_EVENTS] == []


def test_a_pin_never_reaches_a_log_line() -> None:
    with pytest.raises(ValueError):
        log.format_event("login.complete", {"pin": "123456"})
    assert all(AUDIT_ACTIONS.values())
