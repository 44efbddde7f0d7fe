"""Identity document numbers typed at the counter: normalise, validate, explain in Chinese.

The clerk types what is printed on the applicant's document; a wrong number caught here
costs seconds, one caught by the branch server costs the applicant a second trip. So every
rejection names the part that is wrong in a sentence the clerk can act on.

Rules chosen where the standards or the brief left room:

- Input is normalised before anything else: full-width ASCII (what a Chinese IME types)
  becomes half-width, every whitespace character is removed (numbers are often copied in
  groups such as 6-8-4), and ASCII letters are upper-cased (a lower-case ``x`` check
  digit becomes ``X``). Only ASCII digits and letters are ever accepted afterwards.
- 居民身份证: the province code (first two digits) must be a mainland one. 81, 82 and 83
  are the prefixes of 港澳台居民居住证 and 9 starts the 2023 外国人永久居留身份证, so
  those are refused with part ``doc_type``, telling the clerk to change the document
  type; 71 (Taiwan) is in GB/T 2260 but no card carries it, so it is refused like any
  unknown code. Only the province is checked: the county table changes every year and
  an out-of-date copy would turn away real people. The birth date must be a real date
  from 1900-01-01 to today. A 15-digit number is the pre-1999 format and gets its own
  message.
- 港澳台居民居住证: same layout and check digit as the ID card, address code exactly
  810000, 820000 or 830000; birth date and sex are read as for the ID card.
- 统一社会信用代码: registration authority and organisation type are checked against the
  published table (1 机构编制 … Y 其他); the six-digit region code must start with a
  mainland province or 10 (central bodies, e.g. 911000001000013428). The GB 11714 check
  inside the nine-character body is not enforced: the GB 32100 check character already
  catches typing errors, and refusing a real organisation at the counter costs more.
- 港澳居民来往内地通行证: H or M and 8 digits (the current card), or H or M and 10 digits
  (the earlier card, whose last two digits count the issues). The first letter is
  checked before the length, so a number typed without it is reported as such.
- 台湾居民来往大陆通行证: 8 digits (the card issued since 2015). The 10-digit booklet
  number, with or without a bracketed letter, is refused with its own message: the last
  booklets were issued in 2015 for at most five years, so none is still valid.
- 外国人永久居留身份证: the 15-character card (3-letter nationality code and 12 digits,
  structure only) and the 2023 card: 18 characters starting with 9, a mainland province
  of issue, nationality number, birth date, sequence and the GB 11643 check digit.
- 护照: 5 to 17 letters or digits, as ICAO leaves numbering to each issuing state.

Messages and numbers are personal data: ``str()`` of an ``InvalidDocument`` is its English
part code only, and ``repr()`` of a ``ValidDocument`` shows the document type only, so a
stray log line or traceback does not carry the number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Literal

from appliance.wording import ZH, text


class DocumentType(Enum):
    """The documents the counter accepts; values are stable codes for storage and sync."""

    RESIDENT_ID = "resident_id"
    CREDIT_CODE = "credit_code"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGN_PERMANENT_ID = "foreign_permanent_id"
    PASSPORT = "passport"

    @property
    def label(self) -> str:
        """The name printed on the document, as clerks know it."""
        return _DOCUMENT_LABELS[self]


_DOCUMENT_LABELS: dict[DocumentType, str] = {
    DocumentType.RESIDENT_ID: text("document.resident_id"),
    DocumentType.CREDIT_CODE: text("document.credit_code"),
    DocumentType.HK_MACAO_PERMIT: text("document.hk_macao_permit"),
    DocumentType.TAIWAN_PERMIT: text("document.taiwan_permit"),
    DocumentType.RESIDENCE_PERMIT: text("document.residence_permit"),
    DocumentType.FOREIGN_PERMANENT_ID: text("document.foreign_permanent_id"),
    DocumentType.PASSPORT: text("document.passport"),
}


class Sex(Enum):
    """Sex as encoded in a GB 11643 number: odd 17th digit male, even female."""

    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return text("document.male") if self is Sex.MALE else text("document.female")


Part = Literal[
    "empty",
    "doc_type",
    "length",
    "charset",
    "format",
    "old_format",
    "region",
    "registration_authority",
    "organisation_type",
    "birth_date",
    "check_digit",
]


class InvalidDocument(ValueError):
    """A document number was refused; ``message`` tells the clerk which part is wrong.

    ``str()`` is the part code alone, safe to log; ``message`` may quote the number.
    """

    def __init__(self, part: Part, message: str) -> None:
        super().__init__(part)
        self.part: Part = part
        self.message = message


@dataclass(frozen=True)
class ValidDocument:
    """A number that passed validation, normalised, with what it encodes about the holder."""

    doc_type: DocumentType
    number: str = field(repr=False)
    birth_date: date | None = field(default=None, repr=False)
    sex: Sex | None = field(default=None, repr=False)


def validate_document(doc_type: DocumentType, raw: str, today: date) -> ValidDocument:
    """Normalise ``raw`` and check it as a ``doc_type`` number; raise ``InvalidDocument``.

    ``today`` is passed in so that the rule "birth date not in the future" stays pure.
    """
    number = _normalise(raw)
    if not number:
        raise InvalidDocument("empty", text("document.empty"))
    return _VALIDATORS[doc_type](number, today)


# --- Normalisation and shared checks ------------------------------------------------

_FULL_WIDTH_OFFSET = 0xFEE0
_TO_HALF_WIDTH_UPPER = {
    code: chr(code - _FULL_WIDTH_OFFSET).upper() for code in range(0xFF01, 0xFF5F)
} | {code: chr(code).upper() for code in range(ord("a"), ord("z") + 1)}

_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ID_CHECK = frozenset("0123456789X")

_MAINLAND_PROVINCES = frozenset(
    str(code)
    for code in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
    )
)
_RESIDENCE_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
_EARLIEST_BIRTH = date(1900, 1, 1)


def _normalise(raw: str) -> str:
    """Half-width, upper-case, no whitespace: the form every rule below expects."""
    return "".join(raw.split()).translate(_TO_HALF_WIDTH_UPPER)


def _shown(char: str) -> str:
    """A character as the message shows it; invisible ones by code point."""
    return char if char.isprintable() else f"U+{ord(char):04X}"


def _require_length(number: str, length: int, other: int | None = None) -> None:
    if len(number) in (length, other):
        return
    if other is None:
        message = text("document.length", expected=length, actual=len(number))
    else:
        message = text("document.length_either", first=length, second=other, actual=len(number))
    raise InvalidDocument("length", message)


def _require_chars(number: str, start: int, allowed: frozenset[str], message: str) -> None:
    """Point at the first character from ``start`` on that is not in ``allowed``;
    ``message`` is a sentence with ``{position}`` and ``{char}``."""
    for index in range(start, len(number)):
        char = number[index]
        if char not in allowed:
            raise InvalidDocument("charset", message.format(position=index + 1, char=_shown(char)))


def _require_id_chars(number: str) -> None:
    """GB 11643 layout: 17 digits, then a digit or X."""
    _require_chars(number[:17], 0, _DIGITS, ZH["document.id_body_char"])
    _require_chars(number, 17, _ID_CHECK, ZH["document.id_check_char"])


def _gb11643_check(body: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
    return "10X98765432"[total % 11]


def _require_check(number: str, expected: str) -> None:
    """The clerk is told to re-read the number: "fixing" the last digit hides the typo."""
    if number[-1] != expected:
        raise InvalidDocument("check_digit", text("document.check_digit", expected=expected))


def _birth_date(digits: str, today: date) -> date:
    """A YYYYMMDD birth date that exists, from 1900-01-01 up to ``today``."""
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidDocument("birth_date", text("document.birth_invalid", digits=digits)) from None
    if born > today:
        raise InvalidDocument("birth_date", text("document.birth_future"))
    if born < _EARLIEST_BIRTH:
        raise InvalidDocument("birth_date", text("document.birth_too_early", digits=digits))
    return born


def _sex(number: str) -> Sex:
    return Sex.MALE if int(number[16]) % 2 else Sex.FEMALE


def _use_other_type(doc_type: DocumentType) -> str:
    """The number is well formed for another type: the clerk picked the wrong one."""
    return text("document.other_type", label=doc_type.label)


# --- 居民身份证 and 港澳台居民居住证 (GB 11643 layout) -------------------------------


def _validate_resident_id(number: str, today: date) -> ValidDocument:
    if len(number) == 15 and set(number) <= _DIGITS:
        raise InvalidDocument("old_format", text("document.old_resident_id"))
    _require_length(number, 18)
    _require_id_chars(number)
    _require_mainland_address(number[:2])
    born = _birth_date(number[6:14], today)
    _require_check(number, _gb11643_check(number[:17]))
    return ValidDocument(DocumentType.RESIDENT_ID, number, born, _sex(number))


def _require_mainland_address(province: str) -> None:
    if province in _MAINLAND_PROVINCES:
        return
    if province in ("81", "82", "83"):
        raise InvalidDocument("doc_type", _use_other_type(DocumentType.RESIDENCE_PERMIT))
    if province.startswith("9"):
        raise InvalidDocument("doc_type", _use_other_type(DocumentType.FOREIGN_PERMANENT_ID))
    raise InvalidDocument("region", text("document.province", province=province))


def _validate_residence_permit(number: str, today: date) -> ValidDocument:
    _require_length(number, 18)
    _require_id_chars(number)
    if number[:6] not in _RESIDENCE_PERMIT_REGIONS:
        if number[:2] in _MAINLAND_PROVINCES:
            raise InvalidDocument("doc_type", _use_other_type(DocumentType.RESIDENT_ID))
        raise InvalidDocument("region", text("document.residence_permit_region"))
    born = _birth_date(number[6:14], today)
    _require_check(number, _gb11643_check(number[:17]))
    return ValidDocument(DocumentType.RESIDENCE_PERMIT, number, born, _sex(number))


# --- 统一社会信用代码 (GB 32100-2015) -----------------------------------------------

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CHARS = frozenset(_CREDIT_ALPHABET)
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORGANISATION_TYPES: dict[str, str] = {
    "1": "1239",
    "2": "19",
    "3": "123459",
    "4": "19",
    "5": "1239",
    "6": "129",
    "7": "129",
    "8": "19",
    "9": "123",
    "A": "19",
    "N": "1239",
    "Y": "1",
}
_CREDIT_PROVINCES = _MAINLAND_PROVINCES | {"10"}


def _credit_check(body: str) -> str:
    """ISO 7064 MOD 31-3 check character of the first 17 characters."""
    total = sum(
        _CREDIT_ALPHABET.index(char) * weight
        for char, weight in zip(body, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def _validate_credit_code(number: str, today: date) -> ValidDocument:
    _require_length(number, 18)
    _require_chars(number, 0, _CREDIT_CHARS, ZH["document.credit_char"])
    _require_registration(number[0], number[1])
    region = number[2:8]
    if not set(region) <= _DIGITS or region[:2] not in _CREDIT_PROVINCES:
        raise InvalidDocument("region", text("document.credit_region", region=region))
    _require_check(number, _credit_check(number[:17]))
    return ValidDocument(DocumentType.CREDIT_CODE, number)


def _require_registration(authority: str, organisation_type: str) -> None:
    types = _ORGANISATION_TYPES.get(authority)
    if types is None:
        raise InvalidDocument(
            "registration_authority", text("document.credit_authority", authority=authority)
        )
    if organisation_type not in types:
        raise InvalidDocument(
            "organisation_type",
            text(
                "document.credit_organisation",
                authority=authority,
                types=text("document.list_separator").join(types),
            ),
        )


# --- 通行证, 外国人永久居留身份证, 护照 ----------------------------------------------


def _validate_hk_macao_permit(number: str, today: date) -> ValidDocument:
    if number[0] not in "HM":
        raise InvalidDocument("format", text("document.hk_macao_prefix"))
    _require_length(number, 9, 11)
    _require_chars(number, 1, _DIGITS, ZH["document.hk_macao_char"])
    return ValidDocument(DocumentType.HK_MACAO_PERMIT, number)


_TAIWAN_BOOKLET = re.compile(r"[0-9]{10}(\([A-Z]\))?")


def _validate_taiwan_permit(number: str, today: date) -> ValidDocument:
    if _TAIWAN_BOOKLET.fullmatch(number):
        raise InvalidDocument("old_format", text("document.taiwan_booklet"))
    _require_length(number, 8)
    _require_chars(number, 0, _DIGITS, ZH["document.taiwan_char"])
    return ValidDocument(DocumentType.TAIWAN_PERMIT, number)


def _validate_foreign_permanent_id(number: str, today: date) -> ValidDocument:
    _require_length(number, 18, 15)
    if len(number) == 15:
        _require_chars(number[:3], 0, _LETTERS, ZH["document.foreign_old_letter"])
        _require_chars(number, 3, _DIGITS, ZH["document.foreign_old_digit"])
        return ValidDocument(DocumentType.FOREIGN_PERMANENT_ID, number)
    _require_id_chars(number)
    if number[0] != "9":
        if number[:2] in _MAINLAND_PROVINCES:
            raise InvalidDocument("doc_type", _use_other_type(DocumentType.RESIDENT_ID))
        raise InvalidDocument("format", text("document.foreign_prefix"))
    if number[1:3] not in _MAINLAND_PROVINCES:
        raise InvalidDocument("region", text("document.foreign_region", code=number[1:3]))
    born = _birth_date(number[6:14], today)
    _require_check(number, _gb11643_check(number[:17]))
    return ValidDocument(DocumentType.FOREIGN_PERMANENT_ID, number, born)


_PASSPORT_CHARS = _DIGITS | _LETTERS


def _validate_passport(number: str, today: date) -> ValidDocument:
    if not 5 <= len(number) <= 17:
        raise InvalidDocument("length", text("document.length_range", actual=len(number)))
    _require_chars(number, 0, _PASSPORT_CHARS, ZH["document.passport_char"])
    return ValidDocument(DocumentType.PASSPORT, number)


_VALIDATORS: dict[DocumentType, Callable[[str, date], ValidDocument]] = {
    DocumentType.RESIDENT_ID: _validate_resident_id,
    DocumentType.CREDIT_CODE: _validate_credit_code,
    DocumentType.HK_MACAO_PERMIT: _validate_hk_macao_permit,
    DocumentType.TAIWAN_PERMIT: _validate_taiwan_permit,
    DocumentType.RESIDENCE_PERMIT: _validate_residence_permit,
    DocumentType.FOREIGN_PERMANENT_ID: _validate_foreign_permanent_id,
    DocumentType.PASSPORT: _validate_passport,
}
