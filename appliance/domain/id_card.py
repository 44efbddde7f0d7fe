"""The text a resident ID card reader gives back: decoded into a typed record, checked.

The SAM module's answer to "read base information" carries 256 bytes of text (GA 467;
GA/T 490 for the layout): fixed-width fields of UCS-2 little-endian characters, padded
with spaces. Four cards share the reader and the 256 bytes, told apart by the card-type
flag at bytes 248-249 (character 124):

========================  ====  =========================================================
card                      flag  layout (bytes)
========================  ====  =========================================================
居民身份证                 blank name 0-30, sex 30-32, 民族 32-36, birth 36-52, address
                                52-122, number 122-158, issuer 158-188, valid from 188-204,
                                valid to 204-220, reserved 220-256
港澳台居民居住证           J    as the resident card, 民族 reserved; 通行证 number 220-238,
                                issue count 238-242 (neither kept: nothing here uses them)
外国人永久居留身份证 2017  I    English name 0-120, sex 120-122, number (15 characters)
                                122-152, nationality 152-158, Chinese name 158-188, valid
                                from 188-204, valid to 204-220, birth 220-236, version
                                236-240, office code 240-248
外国人永久居留身份证 2023  Y    Chinese name 0-30, sex 30-32, renewals 32-36, birth 36-52,
                                English name (characters 1-35) 52-122, number (18 digits,
                                starting 9) 122-158, reserved 158-188, valid from 188-204,
                                valid to 204-220, English name (characters 36-46) 220-242,
                                nationality 242-248
========================  ====  =========================================================

Sex is a GB/T 2261.1 code (1 male, 2 female; 0 and 9, unknown and unstated, give None),
民族 a GB 3304 code (names in ``appliance/data/gb3304_nations.json``), nationality a
GB/T 2659 code kept as it is, dates YYYYMMDD, and a valid-to of 长期 (cards of people
aged 46 or more) means no end: None. A field that cannot be read stops the decoding
(:class:`UnreadableCard`): a half-read card is not offered to the clerk.

No photo: the reader returns it wlt-compressed and encrypted, and decoding it needs the
reader vendor's licensed library. The appliance has none, so the photo bytes are dropped
where they arrive (:mod:`appliance.hardware.id_reader.sam_reader`).

Personal data: ``repr()`` of a record shows the card type only; :class:`UnreadableCard`
says which field failed, never its content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from functools import cache
from importlib import resources

from appliance.domain.identity import (
    DocumentType,
    InvalidDocument,
    Sex,
    ValidDocument,
    validate_document,
)
from appliance.wording import ZH, text

TEXT_LENGTH = 256
FLAG_AT = 248


class CardType(Enum):
    """The cards a resident ID card reader reads; values are stable codes (JSON, audit)."""

    RESIDENT_ID = "resident_id"
    RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGN_PERMANENT_2017 = "foreign_permanent_2017"
    FOREIGN_PERMANENT_2023 = "foreign_permanent_2023"

    @property
    def flag(self) -> str:
        """The card-type flag on the chip (blank for the resident ID card)."""
        return _FLAGS[self]

    @property
    def document_type(self) -> DocumentType:
        """The document type the applicant step validates the number as."""
        return _DOCUMENT_TYPES[self]


_FLAGS: dict[CardType, str] = {
    CardType.RESIDENT_ID: " ",
    CardType.RESIDENCE_PERMIT: "J",
    CardType.FOREIGN_PERMANENT_2017: "I",
    CardType.FOREIGN_PERMANENT_2023: "Y",
}
_DOCUMENT_TYPES: dict[CardType, DocumentType] = {
    CardType.RESIDENT_ID: DocumentType.RESIDENT_ID,
    CardType.RESIDENCE_PERMIT: DocumentType.RESIDENCE_PERMIT,
    CardType.FOREIGN_PERMANENT_2017: DocumentType.FOREIGN_PERMANENT_ID,
    CardType.FOREIGN_PERMANENT_2023: DocumentType.FOREIGN_PERMANENT_ID,
}


class UnreadableCard(ValueError):
    """The text did not decode; ``str()`` names the field (English, no card data)."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name


@dataclass(frozen=True)
class IdCardRecord:
    """What a card says about its holder; every personal field is left out of ``repr()``.

    ``name`` is the name for the applicant step: the Chinese name, or on a foreign
    permanent residence card without one, the English name. ``nation`` is the 民族 as the
    card prints it (resident ID) or the nationality code (foreign cards); ``issuer`` is
    the issuing authority (None on foreign cards: their chip holds none).
    """

    card_type: CardType
    name: str = field(repr=False)
    number: str = field(repr=False)
    birth_date: date = field(repr=False)
    valid_from: date = field(repr=False)
    valid_to: date | None = field(repr=False)  # None: 长期, no end
    sex: Sex | None = field(default=None, repr=False)
    english_name: str | None = field(default=None, repr=False)
    nation_code: str | None = field(default=None, repr=False)
    nation: str | None = field(default=None, repr=False)
    address: str | None = field(default=None, repr=False)
    issuer: str | None = field(default=None, repr=False)

    @property
    def document_type(self) -> DocumentType:
        return self.card_type.document_type

    def minimised(self) -> IdCardRecord:
        """Without address, 民族 or nationality and issuer: what the counter keeps.

        The submission and the receipt carry name, document type and number; validity
        decides the expired-card prompt. Address, nationality and issuer have no place in
        either, so the kiosk drops them as soon as the card is decoded.
        """
        return replace(self, address=None, nation=None, nation_code=None, issuer=None)


class Validity(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


def validity(record: IdCardRecord, today: date) -> Validity:
    """A card is valid from its first day through its last (长期: no last day)."""
    if today < record.valid_from:
        return Validity.NOT_YET_VALID
    if record.valid_to is not None and today > record.valid_to:
        return Validity.EXPIRED
    return Validity.VALID


@dataclass(frozen=True)
class CardCheck:
    """A card read checked against ``today``: its validity, and its number run through the
    applicant step's validation (``document`` when it passes, ``problem`` when not)."""

    validity: Validity
    document: ValidDocument | None
    problem: InvalidDocument | None

    @property
    def acceptable(self) -> bool:
        """The number passes and the card is within its validity."""
        return self.problem is None and self.validity is Validity.VALID


def validity_sentence(validity: Validity, valid_from: date, valid_to: date | None) -> str | None:
    """证件已过期（有效期至…） or 证件尚未生效（…起有效）; None for a valid card."""
    if validity is Validity.EXPIRED:
        return text("idcard.expired", until=valid_to)
    if validity is Validity.NOT_YET_VALID:
        return text("idcard.not_yet_valid", since=valid_from)
    return None


@dataclass(frozen=True)
class CardReading:
    """What an acceptance keeps of a card read, in its draft, until the acceptance is
    submitted or abandoned: which card, its number (to tell whether the number submitted
    is the card's) and its validity on the day it was read.

    Nothing else: the name filled in is the form's (the clerk may correct it), and the
    birth date, sex, address, 民族 and issuer have no use once the fields are filled.
    """

    card_type: CardType
    number: str = field(repr=False)
    valid_from: date = field(repr=False)
    valid_to: date | None = field(repr=False)
    validity: Validity
    number_ok: bool = True  # the number passed the applicant step's validation

    @classmethod
    def of(cls, record: IdCardRecord, check: CardCheck) -> CardReading:
        return cls(
            record.card_type,
            record.number,
            record.valid_from,
            record.valid_to,
            check.validity,
            check.problem is None,
        )

    @property
    def document_type(self) -> DocumentType:
        return self.card_type.document_type

    @property
    def valid(self) -> bool:
        return self.validity is Validity.VALID

    def matches(self, doc_type: DocumentType, number: str) -> bool:
        """The document submitted is this card: same type, same (normalised) number."""
        return doc_type is self.document_type and number == self.number

    def validity_sentence(self) -> str | None:
        return validity_sentence(self.validity, self.valid_from, self.valid_to)


def check_card(record: IdCardRecord, today: date) -> CardCheck:
    """Validity against ``today`` and the number against GB 11643 (or the 15-character
    permanent residence number): a card that fails is reported, never taken as read."""
    try:
        document: ValidDocument | None = validate_document(
            record.document_type, record.number, today
        )
        problem = None
    except InvalidDocument as error:
        document, problem = None, error
    return CardCheck(validity(record, today), document, problem)


# --- decoding -------------------------------------------------------------------------


def decode_base_info(text: bytes) -> IdCardRecord:
    """The 256 bytes of text of a read, as a record; raises UnreadableCard."""
    if len(text) < TEXT_LENGTH:
        raise UnreadableCard("text", f"{len(text)} bytes, expected {TEXT_LENGTH}")
    card_type = _card_type(_raw(text, FLAG_AT, 2))
    return _DECODERS[card_type](text)


def _raw(text: bytes, start: int, size: int) -> str:
    try:
        return text[start : start + size].decode("utf-16-le")
    except UnicodeDecodeError:
        raise UnreadableCard(f"bytes {start}-{start + size}", "not UCS-2 text") from None


def _field(text: bytes, start: int, size: int) -> str:
    """A field without its padding (spaces or NULs)."""
    return _raw(text, start, size).replace("\x00", " ").strip()


def _card_type(flag: str) -> CardType:
    flag = flag.replace("\x00", " ")
    for card_type, known in _FLAGS.items():
        if flag == known:
            return card_type
    raise UnreadableCard("card type", f"flag {flag!r} is not a known card")


def _date(value: str, name: str) -> date:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise UnreadableCard(name, "not a YYYYMMDD date")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise UnreadableCard(name, "not a real date") from None


def _valid_to(value: str) -> date | None:
    if value == ZH["idcard.long_term"]:
        return None
    return _date(value, "valid to")


def _sex(code: str) -> Sex | None:
    return {"1": Sex.MALE, "2": Sex.FEMALE}.get(code)


def _number(value: str, lengths: tuple[int, ...]) -> str:
    number = value.upper()
    if len(number) not in lengths or not number.isascii() or not number.isalnum():
        raise UnreadableCard("number", f"not {' or '.join(map(str, lengths))} letters or digits")
    return number


def _required(value: str, name: str) -> str:
    if not value:
        raise UnreadableCard(name, "empty")
    return value


@cache
def nation_names() -> dict[str, str]:
    """GB 3304 code -> the 民族 as the card prints it."""
    raw = resources.files("appliance").joinpath("data/gb3304_nations.json").read_text("utf-8")
    names: dict[str, str] = json.loads(raw)["nations"]
    return names


def _resident(text: bytes) -> IdCardRecord:
    """居民身份证 and 港澳台居民居住证 (J): the same layout; J leaves 民族 blank."""
    flagged = _raw(text, FLAG_AT, 2).strip("\x00 ")
    card_type = CardType.RESIDENCE_PERMIT if flagged == "J" else CardType.RESIDENT_ID
    nation_code = _field(text, 32, 4) or None
    nation = nation_names().get(nation_code) if nation_code else None
    return IdCardRecord(
        card_type=card_type,
        name=_required(_field(text, 0, 30), "name"),
        sex=_sex(_field(text, 30, 2)),
        nation_code=nation_code if card_type is CardType.RESIDENT_ID else None,
        nation=nation if card_type is CardType.RESIDENT_ID else None,
        birth_date=_date(_field(text, 36, 16), "birth date"),
        address=_field(text, 52, 70) or None,
        number=_number(_field(text, 122, 36), (18,)),
        issuer=_field(text, 158, 30) or None,
        valid_from=_date(_field(text, 188, 16), "valid from"),
        valid_to=_valid_to(_field(text, 204, 16)),
    )


def _foreign_2017(text: bytes) -> IdCardRecord:
    english = _field(text, 0, 120)
    chinese = _field(text, 158, 30)
    return IdCardRecord(
        card_type=CardType.FOREIGN_PERMANENT_2017,
        name=_required(chinese or english, "name"),
        english_name=english or None,
        sex=_sex(_field(text, 120, 2)),
        number=_number(_field(text, 122, 30), (15,)),
        nation_code=_field(text, 152, 6) or None,
        nation=_field(text, 152, 6) or None,
        valid_from=_date(_field(text, 188, 16), "valid from"),
        valid_to=_valid_to(_field(text, 204, 16)),
        birth_date=_date(_field(text, 220, 16), "birth date"),
    )


def _foreign_2023(text: bytes) -> IdCardRecord:
    """The English name runs on from 52-122 into 220-242 (characters 36 to 46)."""
    english = (_raw(text, 52, 70) + _raw(text, 220, 22)).replace("\x00", " ").strip()
    chinese = _field(text, 0, 30)
    nationality = _field(text, 242, 6) or None
    return IdCardRecord(
        card_type=CardType.FOREIGN_PERMANENT_2023,
        name=_required(chinese or english, "name"),
        english_name=english or None,
        sex=_sex(_field(text, 30, 2)),
        birth_date=_date(_field(text, 36, 16), "birth date"),
        number=_number(_field(text, 122, 36), (18,)),
        nation_code=nationality,
        nation=nationality,
        valid_from=_date(_field(text, 188, 16), "valid from"),
        valid_to=_valid_to(_field(text, 204, 16)),
    )


_DECODERS = {
    CardType.RESIDENT_ID: _resident,
    CardType.RESIDENCE_PERMIT: _resident,
    CardType.FOREIGN_PERMANENT_2017: _foreign_2017,
    CardType.FOREIGN_PERMANENT_2023: _foreign_2023,
}
