"""Request bodies as I-JSON (RFC 7493): what the branch server agrees to parse.

``json.loads`` alone takes more than the contract allows, and some of it breaks the
server later: nesting deep enough to exhaust the stack (checked here before parsing),
``NaN`` and ``Infinity`` (and numbers that overflow to them), lone surrogates that cannot
be stored or answered as UTF-8, and names given twice. Each is a :class:`JsonProblem`.

>>> parse_json_object(b'{"backlog": 3}')
{'backlog': 3}
>>> parse_json_object(b'{"x": NaN}')
Traceback (most recent call last):
...
appliance_dev.devserver.request_json.JsonProblem: the body is not I-JSON: NaN is not a number
"""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any

MAX_DEPTH = 32  # the deepest body of the contract (a batch item's submission) is 3
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class JsonProblem(ValueError):
    """The body is not a JSON object the server accepts; the message says why."""


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest, counted without parsing (strings skipped).

    >>> nesting_depth(b'{"a": [1, {"b": "[[["}]}')
    3
    """
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    steps = memoryview(brackets.translate(_BRACKET_STEPS)).cast("b")  # +1 or -1 each
    return max(itertools.accumulate(steps), default=0)


def parse_json_object(body: bytes) -> dict[str, Any]:
    if nesting_depth(body) > MAX_DEPTH:
        raise JsonProblem(f"the body nests deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(
            body,
            parse_constant=_no_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_names,
        )
    except JsonProblem:
        raise
    except (ValueError, RecursionError):  # also too many digits, bad UTF-8
        raise JsonProblem("the body is not JSON") from None
    if not isinstance(value, dict):
        raise JsonProblem("the body must be a JSON object")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise JsonProblem("the body is not I-JSON: a string holds a lone surrogate") from None
    return value


def _no_constant(name: str) -> Any:
    raise JsonProblem(f"the body is not I-JSON: {name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonProblem(f"the body is not I-JSON: {text[:40]} overflows a double")
    return value


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise JsonProblem("the body is not I-JSON: an object names a member twice")
    return value
