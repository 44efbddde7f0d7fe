"""Structured logging: one event name per line, key=value fields, no secrets.

Values are written as given; callers pass personal data through
:mod:`appliance.domain.masking` first. Field names that could carry a secret are
refused outright, so a PIN can never reach a log line by accident.

Under systemd, stderr is a stream to the journal (``$JOURNAL_STREAM`` names its device
and inode): every line then starts with its syslog priority, ``<3>`` error, ``<4>``
warning, ``<6>`` info, ``<7>`` debug, as sd-daemon(3) describes, so ``journalctl -p
warning`` finds the warnings. On a terminal or in tests the lines are plain. Kivy's own
lines (logger ``kivy``, ``KIVY_LOG_MODE=PYTHON``) go through the same formatter as
``event=kivy.log`` lines.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from appliance.events import EVENTS

FORBIDDEN_FIELDS = frozenset({"pin", "password", "secret", "so_pin", "user_pin"})

_logger = logging.getLogger("appliance")
# Kivy's Logger, in KIVY_LOG_MODE=PYTHON (appliance.ui.kivy_setup sets it).
KIVY_LOGGER = "kivy"


def syslog_priority(levelno: int) -> int:
    """The syslog priority of a Python logging level (crit 2 … debug 7)."""
    if levelno >= logging.CRITICAL:
        return 2
    if levelno >= logging.ERROR:
        return 3
    if levelno >= logging.WARNING:
        return 4
    if levelno >= logging.INFO:
        return 6
    return 7


def is_journal_stream(stream: Any, environ: dict[str, str] | None = None) -> bool:
    """True when ``stream`` is the journal stream systemd connected (sd_journal_stream_fd).

    ``$JOURNAL_STREAM`` is ``<device>:<inode>`` in decimal; it is inherited by children
    whose stderr may have been redirected, so the open file itself is compared.
    """
    value = (os.environ if environ is None else environ).get("JOURNAL_STREAM", "")
    device, _, inode = value.partition(":")
    try:
        wanted = (int(device), int(inode))
        found = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):  # unset, malformed, or no file (StringIO)
        return False
    return (found.st_dev, found.st_ino) == wanted


class LineFormatter(logging.Formatter):
    """One line per record: appliance events as logged, Kivy's records as ``kivy.log``
    events; with ``priority_prefix``, each line starts with ``<N>``."""

    def __init__(self, priority_prefix: bool = False) -> None:
        super().__init__()
        self.priority_prefix = priority_prefix

    def format(self, record: logging.LogRecord) -> str:
        if record.name == KIVY_LOGGER or record.name.startswith(KIVY_LOGGER + "."):
            line = format_kivy_record(record)
        else:
            line = record.getMessage()
            if record.exc_info:
                line += " error=" + format_value(self.formatException(record.exc_info))
        if self.priority_prefix:
            return f"<{syslog_priority(record.levelno)}>{line}"
        return line


def format_kivy_record(record: logging.LogRecord) -> str:
    """Kivy's ``"Category: message"`` as a ``kivy.log`` event, traceback folded in."""
    message = record.getMessage()
    category, sep, rest = message.partition(": ")
    fields: dict[str, object] = {"level": record.levelname.lower()}
    if sep and category and " " not in category:
        fields["category"] = category
        message = rest
    fields["message"] = message.strip()
    if record.exc_info:
        fields["error"] = logging.Formatter().formatException(record.exc_info)
    return format_event("kivy.log", fields)


def configure(level: int = logging.INFO, stream: Any = None) -> None:
    """Send appliance events and Kivy's lines to ``stream`` (stderr by default), one line
    each, with the syslog priority in front when ``stream`` is the journal."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LineFormatter(priority_prefix=is_journal_stream(stream)))
    _logger.handlers[:] = [handler]
    _logger.setLevel(level)
    _logger.propagate = False
    kivy = logging.getLogger(KIVY_LOGGER)
    kivy.handlers[:] = [handler]
    kivy.propagate = False


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


def event(name: str, level: int = logging.INFO, /, **fields: object) -> None:
    """Log one catalogued event with its fields (a field may be called ``name`` or
    ``level``: those two are positional only)."""
    _logger.log(level, format_event(name, fields))
