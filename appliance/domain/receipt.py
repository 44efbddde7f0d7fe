"""The acceptance receipt (办件回执): its data and its layout as printable lines.

The layout is pure: it knows character columns, not printer commands, so the same
lines drive the ESC/POS encoder, the preview and the tests. Personal data is masked
here, once, so no backend can print it in full.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum

from appliance.domain.masking import mask_id_number, mask_name
from appliance.wording import text

TITLE = text("receipt.title")
FOOTER = text("receipt.footer")
OFFLINE_NOTICE = text("receipt.offline")
TITLE_SCALE = 2
MIN_COLUMNS = 24

# Receipts show the hall's wall-clock time; China has one zone and no daylight saving.
CHINA_TIME = timezone(timedelta(hours=8), "CST")


class Align(Enum):
    LEFT = "left"
    CENTER = "center"


@dataclass(frozen=True)
class Title:
    """The slip's heading, printed centred at double width and height."""

    text: str


@dataclass(frozen=True)
class Text:
    """One printed row; it already fits the paper's columns."""

    text: str
    align: Align = Align.LEFT


@dataclass(frozen=True)
class Separator:
    """A dashed rule across the paper."""

    columns: int

    @property
    def text(self) -> str:
        return "-" * self.columns


@dataclass(frozen=True)
class QrCode:
    """A QR symbol the applicant scans to look the receipt up."""

    data: str


Line = Title | Text | Separator | QrCode


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on one receipt, in clear; :func:`layout_receipt` masks."""

    hall_name: str
    window: str
    receipt_number: str
    item_name: str
    item_code: str
    item_type_label: str
    applicant_name: str
    id_type_label: str
    id_number: str
    accepted_at: datetime
    operator_name: str
    appointment_number: str | None
    promised_date: date | None
    synced: bool


def display_width(text: str) -> int:
    """Columns the text takes on a GB18030 thermal printer: ASCII 1, anything else 2.

    In Chinese mode every non-ASCII character is sent as a multi-byte code and printed in
    a full 24-dot cell, punctuation such as "：" and "·" included.
    """
    return sum(1 if ch.isascii() else 2 for ch in text)


def wrap(text: str, columns: int, indent: int = 0) -> list[str]:
    """Break text into rows of at most ``columns``; continuation rows get ``indent`` spaces.

    Chinese breaks between any two characters, so breaking per character is correct
    for the hall's texts; receipt and item codes are short enough never to be split.
    """
    rows: list[str] = []
    row, width = "", 0
    for ch in text:
        ch_width = display_width(ch)
        if width + ch_width > columns and row.strip():
            rows.append(row)
            row, width = " " * indent, indent
        row += ch
        width += ch_width
    rows.append(row)
    return rows


def layout_receipt(data: ReceiptData, columns: int) -> list[Line]:
    """Lay the receipt out for paper ``columns`` wide (32 on 58 mm, 48 on 80 mm)."""
    if columns < MIN_COLUMNS:
        raise ValueError(f"a receipt needs at least {MIN_COLUMNS} columns, got {columns}")
    rule = Separator(columns)
    lines: list[Line] = [Title(TITLE)]
    lines += _centered(data.hall_name, columns)
    lines.append(rule)
    for label, value in _fields(data):
        lines += _row(label, value, columns)
    lines.append(rule)
    if not data.synced:
        lines += _centered(OFFLINE_NOTICE, columns)
    lines.append(QrCode(data.receipt_number))
    lines += _centered(FOOTER, columns)
    return lines


def _fields(data: ReceiptData) -> list[tuple[str, str]]:
    accepted = data.accepted_at
    if accepted.tzinfo is not None:
        accepted = accepted.astimezone(CHINA_TIME)
    fields = [
        (text("receipt.number"), data.receipt_number),
        (text("receipt.item_name"), data.item_name),
        (text("receipt.item_code"), data.item_code),
        (text("receipt.item_type"), data.item_type_label),
        (text("receipt.applicant"), mask_name(data.applicant_name)),
        (text("receipt.id_type"), data.id_type_label),
        (text("receipt.id_number"), mask_id_number(data.id_number)),
    ]
    if data.appointment_number:
        fields.append((text("receipt.appointment"), data.appointment_number))
    fields.append((text("receipt.accepted_at"), accepted.strftime("%Y-%m-%d %H:%M")))
    if data.promised_date is not None:
        fields.append((text("receipt.promised"), data.promised_date.isoformat()))
    fields += [
        (text("receipt.window_label"), text("receipt.window", window=data.window)),
        (text("receipt.operator"), data.operator_name),
    ]
    return fields


def _row(label: str, value: str, columns: int) -> list[Text]:
    head = text("receipt.row", label=label)
    indent = display_width(head)
    line = head + _printable(value)
    if indent * 2 > columns:
        indent = 0
    return [Text(row) for row in wrap(line, columns, indent)]


def _centered(text: str, columns: int) -> list[Text]:
    return [Text(row, Align.CENTER) for row in wrap(_printable(text), columns)]


def _printable(text: str) -> str:
    """Replace control and format characters: in the byte stream they would be commands."""
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(cleaned.split())
