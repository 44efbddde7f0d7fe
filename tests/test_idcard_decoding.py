"""The card's 256 bytes of text, decoded: each card that shares the reader (居民身份证,
港澳台居民居住证 J, 外国人永久居留身份证 2017 I and 2023 Y), mapped to the document type the
applicant step validates, checked against today, and kept out of repr and logs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from appliance_dev.sim.id_cards import (
    FOREIGN_2017,
    FOREIGN_2023,
    RESIDENCE_PERMIT,
    RESIDENT,
    RESIDENT_BAD_NUMBER,
    RESIDENT_EXPIRED,
    RESIDENT_LONG_TERM,
    encode_card,
)

from appliance.domain.id_card import (
    CardType,
    UnreadableCard,
    Validity,
    check_card,
    decode_base_info,
    nation_names,
    validity,
)
from appliance.domain.identity import DocumentType, Sex

TODAY = date(2026, 12, 2)


def test_resident_id_card_reads_every_field() -> None:
    record = decode_base_info(RESIDENT.text())
    assert record.card_type is CardType.RESIDENT_ID
    assert record.document_type is DocumentType.RESIDENT_ID
    assert (record.name, record.sex, record.nation_code, record.nation) == (
        "林小满",
        Sex.FEMALE,
        "01",
        "汉",
    )
    assert record.birth_date == date(1990, 3, 7)
    assert record.address == "广东省中山市石岐区演示路18号之3"
    assert record.number == RESIDENT.number
    assert record.issuer == "中山市公安局石岐分局"
    assert (record.valid_from, record.valid_to) == (date(2016, 5, 21), date(2036, 5, 21))
    assert record.english_name is None


def test_a_long_term_card_has_no_end() -> None:
    record = decode_base_info(RESIDENT_LONG_TERM.text())
    assert record.valid_to is None
    assert validity(record, date(2099, 1, 1)) is Validity.VALID


def test_residence_permit_j_is_the_residence_permit_document() -> None:
    record = decode_base_info(RESIDENCE_PERMIT.text())
    assert record.card_type is CardType.RESIDENCE_PERMIT
    assert record.card_type.flag == "J"
    assert record.document_type is DocumentType.RESIDENCE_PERMIT
    assert record.number.startswith("810000")
    assert (record.nation, record.nation_code) == (None, None)  # reserved on J cards
    assert record.name == "陈家乐" and record.sex is Sex.MALE
    assert check_card(record, TODAY).acceptable


def test_2017_permanent_residence_card_i_has_an_english_name_and_15_characters() -> None:
    record = decode_base_info(FOREIGN_2017.text())
    assert record.card_type is CardType.FOREIGN_PERMANENT_2017
    assert record.document_type is DocumentType.FOREIGN_PERMANENT_ID
    assert record.english_name == "DOE, JANE"
    assert record.name == "DOE, JANE"  # no Chinese name on this card: the English one
    assert record.number == "CAN440090010110" and len(record.number) == 15
    assert record.nation == "CAN"
    assert record.birth_date == date(1988, 2, 14)
    assert (record.address, record.issuer) == (None, None)
    assert check_card(record, TODAY).acceptable


def test_2023_permanent_residence_card_y_has_18_digits_starting_with_9() -> None:
    record = decode_base_info(FOREIGN_2023.text())
    assert record.card_type is CardType.FOREIGN_PERMANENT_2023
    assert record.document_type is DocumentType.FOREIGN_PERMANENT_ID
    assert record.number.startswith("9") and len(record.number) == 18
    assert record.name == "蒙嘉琳"
    # 46 characters: the first 35 in one field, the rest in the second
    assert record.english_name == "MONTGOMERY-WHITFIELD, ALEXANDRA CATHERINE ELIZ"
    assert record.nation == "CAN"
    assert check_card(record, TODAY).acceptable


def test_a_short_english_name_on_a_2023_card_is_not_padded() -> None:
    card = replace(FOREIGN_2023, english_name="LI, ANNA")
    assert decode_base_info(card.text()).english_name == "LI, ANNA"


@pytest.mark.parametrize(
    ("flag", "expected"),
    [(" ", CardType.RESIDENT_ID), ("\x00", CardType.RESIDENT_ID), ("J", CardType.RESIDENCE_PERMIT)],
)
def test_the_resident_card_flag_may_be_a_space_or_nothing(flag: str, expected: CardType) -> None:
    text = bytearray(RESIDENT.text())
    text[248:250] = flag.encode("utf-16-le")
    assert decode_base_info(bytes(text)).card_type is expected


def test_an_expired_card_reads_but_is_reported_expired() -> None:
    record = decode_base_info(RESIDENT_EXPIRED.text())
    check = check_card(record, TODAY)
    assert check.validity is Validity.EXPIRED
    assert check.problem is None and not check.acceptable
    assert validity(record, date(2020, 6, 1)) is Validity.VALID  # the last day counts
    assert validity(record, date(2010, 5, 31)) is Validity.NOT_YET_VALID


def test_a_number_failing_gb11643_is_reported_not_accepted() -> None:
    check = check_card(decode_base_info(RESIDENT_BAD_NUMBER.text()), TODAY)
    assert check.problem is not None and check.problem.part == "check_digit"
    assert check.document is None and not check.acceptable


def test_unknown_flags_bad_dates_and_short_text_are_unreadable() -> None:
    text = bytearray(RESIDENT.text())
    text[248:250] = "Q".encode("utf-16-le")
    with pytest.raises(UnreadableCard, match="card type"):
        decode_base_info(bytes(text))
    with pytest.raises(UnreadableCard, match="birth date"):
        decode_base_info(encode_card(replace(RESIDENT, birth="19901340")))
    with pytest.raises(UnreadableCard, match="number"):
        decode_base_info(encode_card(replace(RESIDENT, number="4420001990")))
    with pytest.raises(UnreadableCard, match="text"):
        decode_base_info(RESIDENT.text()[:200])


def test_sex_codes_other_than_male_and_female_are_unknown() -> None:
    assert decode_base_info(encode_card(replace(RESIDENT, sex="9"))).sex is None


def test_nation_names_follow_gb_3304() -> None:
    names = nation_names()
    assert len(names) == 58
    assert (names["01"], names["56"], names["97"], names["98"]) == (
        "汉",
        "基诺",
        "其他",
        "外国血统中国籍人士",
    )


def test_nothing_personal_in_repr_and_the_counter_keeps_the_minimum() -> None:
    record = decode_base_info(RESIDENT.text())
    shown = repr(record) + repr(check_card(record, TODAY))
    for value in (record.name, record.number, record.address, record.issuer, "1990"):
        assert value and value not in shown
    kept = record.minimised()
    assert (kept.address, kept.nation, kept.nation_code, kept.issuer) == (None,) * 4
    assert (kept.name, kept.number, kept.document_type) == (
        record.name,
        record.number,
        DocumentType.RESIDENT_ID,
    )
