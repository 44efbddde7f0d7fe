"""Fictional cards for the simulated ID card reader, and their 256 bytes of chip text.

Names, addresses and numbers are made up; each number is well formed (GB 11643 check
digit, a Zhongshan or Hong Kong region code, a birth date matching the card) so that
the applicant step's validation passes as it would for a real card. The layouts are the
ones :mod:`appliance.domain.id_card` decodes (fields of UCS-2 little-endian characters,
padded with spaces).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

LONG_TERM = "长期"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643(body: str) -> str:
    """The 17 digits with their ISO 7064 MOD 11-2 check character appended."""
    total = sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


@dataclass(frozen=True)
class SimCard:
    """One card's fields; ``flag`` is the chip's card-type flag (" ", J, I or Y)."""

    flag: str
    name: str
    number: str
    sex: str  # GB/T 2261.1: 1 male, 2 female
    birth: str  # YYYYMMDD
    valid_from: str
    valid_to: str  # YYYYMMDD or 长期
    nation: str = ""  # GB 3304 code (resident ID) or nationality code (foreign cards)
    address: str = ""
    issuer: str = ""
    english_name: str = ""
    permit_number: str = ""  # J: the 通行证 number
    issue_count: str = ""  # J: 签发次数

    def text(self) -> bytes:
        """The 256 bytes the SAM module returns for this card."""
        return encode_card(self)


RESIDENT = SimCard(
    flag=" ",
    name="林小满",
    number=gb11643("44200019900307031"),
    sex="2",
    birth="19900307",
    valid_from="20160521",
    valid_to="20360521",
    nation="01",
    address="广东省中山市石岐区演示路18号之3",
    issuer="中山市公安局石岐分局",
)
RESIDENT_LONG_TERM = replace(
    RESIDENT,
    name="欧阳长青",
    number=gb11643("44200019620815001"),
    sex="1",
    birth="19620815",
    valid_from="20120301",
    valid_to=LONG_TERM,
    address="广东省中山市东区样例街2号",
)
RESIDENT_EXPIRED = replace(
    RESIDENT,
    name="何旧卡",
    number=gb11643("44200019951102002"),
    birth="19951102",
    valid_from="20100601",
    valid_to="20200601",
)
RESIDENT_BAD_NUMBER = replace(
    RESIDENT,
    name="错号码",
    number=RESIDENT.number[:-1] + ("0" if RESIDENT.number[-1] != "0" else "1"),
)
RESIDENCE_PERMIT = SimCard(
    flag="J",
    name="陈家乐",
    number=gb11643("81000019950612002"),
    sex="1",
    birth="19950612",
    valid_from="20240104",
    valid_to="20290104",
    address="广东省中山市南区示例大道66号",
    issuer="中山市公安局",
    permit_number="H12345678",
    issue_count="01",
)
FOREIGN_2017 = SimCard(
    flag="I",
    name="",
    english_name="DOE, JANE",
    number="CAN440090010110",
    sex="2",
    birth="19880214",
    valid_from="20180705",
    valid_to="20280705",
    nation="CAN",
)
FOREIGN_2023 = SimCard(
    flag="Y",
    name="蒙嘉琳",
    english_name="MONTGOMERY-WHITFIELD, ALEXANDRA CATHERINE ELIZ",
    number=gb11643("94412419850214001"),
    sex="2",
    birth="19850214",
    valid_from="20240110",
    valid_to="20340110",
    nation="CAN",
)

CARDS: dict[str, SimCard] = {
    "resident_id": RESIDENT,
    "resident_long_term": RESIDENT_LONG_TERM,
    "resident_expired": RESIDENT_EXPIRED,
    "resident_bad_number": RESIDENT_BAD_NUMBER,
    "residence_permit": RESIDENCE_PERMIT,
    "foreign_2017": FOREIGN_2017,
    "foreign_2023": FOREIGN_2023,
}


def _field(value: str, size: int) -> bytes:
    raw = value.encode("utf-16-le")
    if len(raw) > size:
        raise ValueError(f"{value!r} does not fit {size} bytes")
    return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def encode_card(card: SimCard) -> bytes:
    if card.flag in (" ", "J"):
        text = (
            _field(card.name, 30)
            + _field(card.sex, 2)
            + _field(card.nation if card.flag == " " else "", 4)
            + _field(card.birth, 16)
            + _field(card.address, 70)
            + _field(card.number, 36)
            + _field(card.issuer, 30)
            + _field(card.valid_from, 16)
            + _field(card.valid_to, 16)
            + _field(card.permit_number, 18)
            + _field(card.issue_count, 4)
            + _field("", 6)
            + _field(card.flag, 2)
            + _field("", 6)
        )
    elif card.flag == "I":
        text = (
            _field(card.english_name, 120)
            + _field(card.sex, 2)
            + _field(card.number, 30)
            + _field(card.nation, 6)
            + _field(card.name, 30)
            + _field(card.valid_from, 16)
            + _field(card.valid_to, 16)
            + _field(card.birth, 16)
            + _field("01", 4)
            + _field("4400", 8)
            + _field("I", 2)
            + _field("", 6)
        )
    elif card.flag == "Y":
        english = card.english_name.ljust(46)
        text = (
            _field(card.name, 30)
            + _field(card.sex, 2)
            + _field("00", 4)
            + _field(card.birth, 16)
            + _field(english[:35], 70)
            + _field(card.number, 36)
            + _field("", 30)
            + _field(card.valid_from, 16)
            + _field(card.valid_to, 16)
            + _field(english[35:].rstrip(), 22)
            + _field(card.nation, 6)
            + _field("Y", 2)
            + _field("", 6)
        )
    else:
        raise ValueError(f"no layout for card flag {card.flag!r}")
    assert len(text) == 256, len(text)
    return text


def today_in_range(card: SimCard) -> date:
    """A day within the card's validity (tests check validity against it)."""
    start = card.valid_from
    return date(int(start[:4]) + 1, int(start[4:6]), int(start[6:]))
