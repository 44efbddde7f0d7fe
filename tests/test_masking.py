from __future__ import annotations

import pytest

from appliance.domain.masking import MASK, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张晓三", "张*三"),
        ("欧阳晓明", "欧**明"),
        ("司马相如明", "司***明"),
        ("王", "*"),
        ("  李四 ", "李*"),
        ("", ""),
    ],
)
def test_chinese_name_keeps_surname_and_last_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(("name", "masked"), [("John Smith", "J*"), ("Zoë", "Z*")])
def test_latin_name_keeps_only_first_letter(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_resident_id_keeps_four_characters_at_each_end() -> None:
    assert mask_id_number("44010119900101123X") == "4401**********123X"


def test_credit_code_is_masked_like_an_id_number() -> None:
    assert mask_id_number("91442000MA4UHQ1X2K") == "9144**********1X2K"


def test_short_document_keeps_two_characters_at_each_end() -> None:
    assert mask_id_number("E12345678") == "E1*****78"


def test_spaces_inside_a_document_number_are_ignored() -> None:
    assert mask_id_number(" 4401 0119 9001 0112 3X ") == "4401**********123X"


@pytest.mark.parametrize("length", range(1, 25))
def test_id_number_never_reveals_more_than_half(length: int) -> None:
    number = "ABCDEFGHJKLMNPQRTUWXY0123"[:length]
    masked = mask_id_number(number)
    assert len(masked) == length
    assert sum(ch != MASK for ch in masked) <= length / 2


def test_mobile_number_shows_prefix_and_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_other_phone_numbers_fall_back_to_the_document_rule() -> None:
    assert mask_phone("0760-88886666") == "07*********66"


def test_id_numbers_in_a_free_text_are_masked() -> None:
    from appliance.domain.masking import mask_id_numbers_in

    assert mask_id_numbers_in("证件号码：44200019900315123x，电话13800138000") == (
        "证件号码：4420**********123x，电话13800138000"
    )
    assert mask_id_numbers_in("旧证 442000900315123 预约 YY20261129000200") == (
        "旧证 44***********23 预约 YY20261129000200"
    )
