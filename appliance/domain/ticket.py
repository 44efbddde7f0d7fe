"""Queue-ticket QR payloads: three known formats, strictly validated, nothing else accepted.

The QR on a ticket is untrusted input (anything with a QR code can be laid under the
camera), so every field is checked against its own character set and anything not
described here is refused with :class:`UnreadableTicket`.

(a) ``queue``: the hall's queue machine prints a URL::

        https://zs.gdzwfw.gov.cn/q?v=1&q=A023&i=442000-GA-0101&h=ZSFT&t=20261129T093000

    ``v`` format version, must be ``1`` (required); ``q`` queue number, one capital
    letter and three digits (required); ``a`` appointment number when the ticket was
    taken for an appointment (optional); ``i`` service-item code (optional: a general
    ticket names no item); ``h`` hall code (required); ``t`` issued-at, hall local time
    (UTC+8) as ``YYYYMMDDTHHMMSS`` (required). Scheme and host must be exactly these,
    the path ``/q``; no port, user, fragment, repeated or unknown parameters.

(b) ``appointment``: the online appointment system prints a JSON object::

        {"v":1,"appt":"YY20261129000123","item":"442000-SB-0310","hall":"ZSFT",
         "ts":"2026-11-29T09:30:00+08:00"}

    ``v`` the integer ``1``; ``appt`` appointment number; ``item`` service-item code;
    ``hall`` hall code; ``ts`` issued-at, ISO 8601 with seconds and a UTC offset. All
    five are required strings (``v`` an integer); no other or repeated keys, except
    the optional ``item_name``: the item's Chinese name as the appointment system
    prints it (e.g. ``"不动产登记"``), 1-40 characters of CJK ideographs, ASCII letters
    and digits and the brackets and separators item names use (（）()·、-—). It is
    the only place a ticket carries Chinese; it travels as UTF-8 in QR byte mode, with
    or without an ECI header (zxing-cpp decodes both exactly). It is kept for display
    and diagnostics only: the catalogue, looked up by ``item``, stays authoritative.

(c) ``bare``: an appointment number alone, ``YY`` and 14 digits, e.g. ``YY20261129000123``.

Field syntax: appointment number ``YY`` + 14 digits; item code ``442000-GA-0101``
(six-digit area code, two-letter department, four-digit item); hall code 2-8 capital
letters. Whether the item is in the catalogue is for the caller to decide.

Reasons given by :class:`UnreadableTicket`: ``empty``, ``too_long``, ``unknown_format``,
``bad_url``, ``bad_json``, ``unsupported_version``, ``missing_field:<name>``,
``unknown_field:<name>``, ``duplicate_field:<name>``, ``bad_field:<name>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit

from appliance.wording import text

MAX_LENGTH = 512
UNREADABLE_MESSAGE = text("acceptance.unreadable_ticket")
HALL_TIME = timezone(timedelta(hours=8), "CST")

QUEUE_HOST = "zs.gdzwfw.gov.cn"
QUEUE_PATH = "/q"
VERSION = 1

_QUEUE_NUMBER = re.compile(r"[A-Z][0-9]{3}")
_APPOINTMENT_NUMBER = re.compile(r"YY[0-9]{14}")
_ITEM_CODE = re.compile(r"[0-9]{6}-[A-Z]{2}-[0-9]{4}")
_HALL_CODE = re.compile(r"[A-Z]{2,8}")
# urlsplit silently drops tabs and newlines, so the URL's characters are checked first.
_URL_CHARS = re.compile(r"[\x21-\x7e]+")
_COMPACT_TIME = re.compile(r"[0-9]{8}T[0-9]{6}")
_ISO_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})"
)

_URL_REQUIRED = ("v", "q", "h", "t")
_URL_OPTIONAL = ("a", "i")
_JSON_REQUIRED = ("v", "appt", "item", "hall", "ts")
_JSON_OPTIONAL = ("item_name",)
# Full-width brackets and the enumeration comma by code point, like the ideographs.
_ITEM_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z0-9\uff08\uff09()·\u3001\-—]{1,40}")


class UnreadableTicket(ValueError):
    """The QR payload is not a ticket; the UI shows :data:`UNREADABLE_MESSAGE`.

    ``str()`` is the reason code only: ``raw`` may hold personal data and stays out of
    messages and logs unless someone deliberately reads it for diagnostics.
    """

    def __init__(self, reason: str, raw: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


@dataclass(frozen=True)
class Ticket:
    queue_number: str | None
    appointment_number: str | None
    item_code: str | None
    hall: str | None
    issued_at: datetime | None
    source: Literal["queue", "appointment", "bare"]
    raw: str
    item_name: str | None = None


def parse_ticket(raw: str) -> Ticket:
    """Parse one decoded QR text into a :class:`Ticket` or raise :class:`UnreadableTicket`."""
    if not raw:
        raise UnreadableTicket("empty", raw)
    if len(raw) > MAX_LENGTH:
        raise UnreadableTicket("too_long", raw)
    if _APPOINTMENT_NUMBER.fullmatch(raw):
        return Ticket(None, raw, None, None, None, "bare", raw)
    if raw.startswith("{"):
        return _parse_json(raw)
    if raw.lower().startswith(f"https://{QUEUE_HOST}/"):
        return _parse_url(raw)
    raise UnreadableTicket("unknown_format", raw)


def _parse_url(raw: str) -> Ticket:
    if not _URL_CHARS.fullmatch(raw):
        raise UnreadableTicket("bad_url", raw)
    try:
        parts = urlsplit(raw)
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise UnreadableTicket("bad_url", raw) from None
    if parts.path != QUEUE_PATH or parts.fragment:
        raise UnreadableTicket("bad_url", raw)
    params = _unique(pairs, raw)
    _check_keys(params, _URL_REQUIRED, _URL_OPTIONAL, raw)
    _check_version(params["v"] == str(VERSION), params["v"].isdigit(), raw)
    return Ticket(
        queue_number=_field(params, "q", _QUEUE_NUMBER, raw),
        appointment_number=_field(params, "a", _APPOINTMENT_NUMBER, raw),
        item_code=_field(params, "i", _ITEM_CODE, raw),
        hall=_field(params, "h", _HALL_CODE, raw),
        issued_at=_compact_time(params["t"], raw),
        source="queue",
        raw=raw,
    )


def _parse_json(raw: str) -> Ticket:
    try:
        obj = json.loads(
            raw,
            object_pairs_hook=lambda pairs: _unique(pairs, raw),
            parse_constant=_refuse_constant,
        )
    except UnreadableTicket:
        raise
    except ValueError:
        raise UnreadableTicket("bad_json", raw) from None
    if not isinstance(obj, dict):
        raise UnreadableTicket("bad_json", raw)
    _check_keys(obj, _JSON_REQUIRED, _JSON_OPTIONAL, raw)
    version = obj["v"]
    is_int = isinstance(version, int) and not isinstance(version, bool)
    _check_version(is_int and version == VERSION, is_int, raw)
    ts = obj["ts"]
    if not isinstance(ts, str) or not _ISO_TIME.fullmatch(ts):
        raise UnreadableTicket("bad_field:ts", raw)
    return Ticket(
        queue_number=None,
        appointment_number=_field(obj, "appt", _APPOINTMENT_NUMBER, raw),
        item_code=_field(obj, "item", _ITEM_CODE, raw),
        hall=_field(obj, "hall", _HALL_CODE, raw),
        issued_at=_parse_time(lambda: datetime.fromisoformat(ts), "ts", raw),
        source="appointment",
        raw=raw,
        item_name=_field(obj, "item_name", _ITEM_NAME, raw),
    )


def _refuse_constant(name: str) -> None:
    raise ValueError(name)


_V = TypeVar("_V")


def _unique(pairs: list[tuple[str, _V]], raw: str) -> dict[str, _V]:
    result: dict[str, _V] = {}
    for key, value in pairs:
        if key in result:
            raise UnreadableTicket(f"duplicate_field:{_safe(key)}", raw)
        result[key] = value
    return result


def _check_keys(
    fields: Mapping[str, object], required: tuple[str, ...], optional: tuple[str, ...], raw: str
) -> None:
    for key in fields:
        if key not in required and key not in optional:
            raise UnreadableTicket(f"unknown_field:{_safe(key)}", raw)
    for key in required:
        if key not in fields:
            raise UnreadableTicket(f"missing_field:{key}", raw)


def _check_version(supported: bool, well_formed: bool, raw: str) -> None:
    if not well_formed:
        raise UnreadableTicket("bad_field:v", raw)
    if not supported:
        raise UnreadableTicket("unsupported_version", raw)


def _field(
    fields: Mapping[str, object], key: str, pattern: re.Pattern[str], raw: str
) -> str | None:
    if key not in fields:
        return None
    value = fields[key]
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise UnreadableTicket(f"bad_field:{key}", raw)
    return value


def _compact_time(value: str, raw: str) -> datetime:
    if not _COMPACT_TIME.fullmatch(value):
        raise UnreadableTicket("bad_field:t", raw)
    return _parse_time(
        lambda: datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=HALL_TIME), "t", raw
    )


def _parse_time(parse: Callable[[], datetime], key: str, raw: str) -> datetime:
    try:
        return parse()
    except ValueError:
        raise UnreadableTicket(f"bad_field:{key}", raw) from None


def _safe(name: str) -> str:
    """A field name fit for a reason code: unknown keys are attacker-chosen text."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "?", name[:16])
    return cleaned or "?"
