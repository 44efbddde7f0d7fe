"""``appliance scan IMAGE|FOLDER...``: decode photos of tickets the way the live loop does.

Branch IT (网建办) runs it on photos of tickets that would not read at the counter. Each
image goes through the same cascade as the live loop (zxing-cpp with the configured
formats and its second pass, then, when that reads nothing and ``scanner.escalation`` is
on, OpenCV's WeChat decoder; no CPU budget for a photo) and the same
:func:`parse_ticket`; one JSON line per file says what was decoded, by which decoder
(``"decoder": "zxing"`` or ``"wechat"``, so a hard ticket shows as one WeChat had to
read), the parsed ticket or the reason it was refused, and the decode time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

import cv2

from appliance.config import ScannerSection
from appliance.domain.ticket import UnreadableTicket, parse_ticket
from appliance.scanning.cascade import Cascade, build_cascade

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}


def image_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given; folders expand to their images, sorted by name."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            yield path


def scan_file(path: Path, cascade: Cascade) -> dict:
    """One result line: file, text, decoder, ticket or error, ms (decode, not loading)."""
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        return {"file": str(path), "text": None, "error": "cannot_read_image"}
    started = time.perf_counter()
    read = cascade.read(gray)
    symbols = read.symbols
    ms = round((time.perf_counter() - started) * 1000, 2)
    line: dict = {
        "file": str(path),
        "text": symbols[0].text if symbols else None,
        "decoder": read.decoder,
    }
    if not symbols:
        line["error"] = "no_code_found"
    else:
        try:
            ticket = parse_ticket(symbols[0].text)
        except UnreadableTicket as exc:
            line["error"] = exc.reason
        else:
            fields = asdict(ticket)
            fields.pop("raw")
            if ticket.issued_at is not None:
                fields["issued_at"] = ticket.issued_at.isoformat()
            line["ticket"] = fields
    line["ms"] = ms
    return line


def run_scan(paths: list[Path], settings: ScannerSection, out: TextIO) -> int:
    """Print one JSON line per image; exit status 1 when any file held no readable ticket."""
    cascade = build_cascade(settings)
    all_read = True
    try:
        for path in image_files(paths):
            line = scan_file(path, cascade)
            all_read = all_read and "ticket" in line
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        cascade.close()
    return 0 if all_read else 1
