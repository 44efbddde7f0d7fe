"""The two small records provisioning keeps beside the site file.

``installed.json``: what is installed (serial, issue time, hall, window, the bundle's
SHA-256); a new bundle must carry a larger serial. ``last-result.json``: how the last
attempt went (ok or the refusal's reason code, its Chinese and English words, the time),
readable by the kiosk, which shows it on 设备初始化. Reading either never raises: a
missing or damaged file reads as nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

INSTALLED = "installed.json"
LAST_RESULT = "last-result.json"


@dataclass(frozen=True)
class Installed:
    serial: int
    issued_at: str
    hall_name: str
    window: str
    bundle_sha256: str


@dataclass(frozen=True)
class LastResult:
    ok: bool
    reason: str  # "" when ok, else a code of words.REASONS
    chinese: str
    english: str
    at: str
    hall_name: str = ""
    window: str = ""


def to_json(record: Installed | LastResult) -> bytes:
    return (json.dumps(asdict(record), ensure_ascii=False, indent=1) + "\n").encode()


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_installed(directory: Path) -> Installed | None:
    data = _read(directory / INSTALLED)
    try:
        return Installed(**data) if data is not None else None
    except TypeError:
        return None


def read_last_result(directory: Path) -> LastResult | None:
    data = _read(directory / LAST_RESULT)
    try:
        return LastResult(**data) if data is not None else None
    except TypeError:
        return None
