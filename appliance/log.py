"""Structured logging: one event name per line, key=value fields, no secrets.

Values are written as given; callers pass personal data through
:mod:`appliance.domain.masking` first. Field names that could carry a secret are
refused outright, so a PIN can never reach a log line by accident.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

from appliance.events import EVENTS

FORBIDDEN_FIELDS = frozenset({"pin", "password", "secret", "so_pin", "user_pin"})

_logger = logging.getLogger("appliance")


def configure(level: int = logging.INFO, stream: Any = None) -> None:
    """Send appliance events to ``stream`` (stderr by default) as plain lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    _logger.handlers[:] = [handler]
    _logger.setLevel(level)
    _logger.propagate = False


def format_value(value: object) -> str:
    text = str(value)
    if text == "" or any(ch in text for ch in ' "=\n\t'):
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return text


def format_event(name: str, fields: dict[str, object]) -> str:
    if name not in EVENTS:
        raise KeyError(f"event {name!r} is not in appliance.events.EVENTS")
    leaked = FORBIDDEN_FIELDS.intersection(fields)
    if leaked:
        raise ValueError(f"refusing to log secret field(s): {sorted(leaked)}")
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    parts = [f"ts={stamp}", f"event={name}"]
    parts += [f"{key}={format_value(value)}" for key, value in fields.items()]
    return " ".join(parts)


def event(name: str, level: int = logging.INFO, **fields: object) -> None:
    """Log one catalogued event with its fields."""
    _logger.log(level, format_event(name, fields))
