"""Masking of personal data before it is printed, shown or logged.

The receipt leaves the hall in the applicant's pocket and log lines are read by IT
staff, so neither may carry a full name, document number or phone number
(数据共享管理规范: personal data must not leak or be browsed without cause).
"""

from __future__ import annotations

import re
import unicodedata

MASK = "*"


def mask_name(name: str) -> str:
    """Keep the first and, from three characters on, the last character of a name.

    Chinese convention: 张三 → 张*, 张晓三 → 张*三, 欧阳晓明 → 欧**明. A Latin-script name
    keeps only its first letter (John Smith → J*): its last letter says little and its
    length would still give the name away.
    """
    name = name.strip()
    if not name:
        return ""
    if _is_latin(name):
        return name[0] + MASK
    if len(name) == 1:
        return MASK
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]


def mask_id_number(number: str) -> str:
    """Mask a document number, never revealing more than half of it.

    An 18-character resident ID or credit code keeps 4 characters at each end
    (440101199001011230 → 4401**********1230); shorter documents such as passports keep
    2 at each end, and very short ones fewer, so at most half is ever shown.
    """
    number = "".join(number.split())
    keep = 4 if len(number) >= 18 else 2
    keep = min(keep, len(number) // 4)
    return _keep_ends(number, keep, keep)


# A resident ID number (18 characters, the last a digit or X; or the old 15 digits)
# standing alone in a text.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")


def mask_id_numbers_in(text: str) -> str:
    """Every resident ID number in a free text masked (a label, a message, a dump):
    请核对 44200019900315123X → 请核对 4420**********123X."""
    return _ID_NUMBER.sub(lambda found: mask_id_number(found.group()), text)


def mask_phone(phone: str) -> str:
    """Mask a phone number the way Chinese services print it: 13812345678 → 138****5678.

    Numbers that are not 11-digit mobiles fall back to the document rule.
    """
    phone = "".join(phone.split())
    if len(phone) == 11 and phone.isdigit():
        return _keep_ends(phone, 3, 4)
    return mask_id_number(phone)


def mask_address(address: str) -> str:
    """Keep the beginning of an address (province and city, at most 6 characters and at
    most half of it): 广东省中山市石岐区演示路18号 → 广东省中山市**********."""
    address = address.strip()
    keep = min(6, len(address) // 2)
    return address[:keep] + MASK * (len(address) - keep)


def mask_birth_date(iso_date: str) -> str:
    """Keep the year of a YYYY-MM-DD date: 1990-03-07 → 1990-**-**."""
    return iso_date[:4] + "-**-**" if len(iso_date) == 10 else MASK * len(iso_date)


def _keep_ends(text: str, head: int, tail: int) -> str:
    middle = len(text) - head - tail
    if middle <= 0:
        return MASK * len(text)
    return text[:head] + MASK * middle + text[len(text) - tail :]


def _is_latin(name: str) -> bool:
    return all(ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") for ch in name)
