"""Document numbers at the counter: what is accepted, what is refused, and what the clerk reads.

Check characters of made-up numbers are computed here from the ISO 7064 definitions
(weights as powers of 2 mod 11 and of 3 mod 31), not with the module's tables.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest

from appliance.domain.identity import (
    DocumentType,
    InvalidDocument,
    Sex,
    ValidDocument,
    validate_document,
)

TODAY = date(2025, 6, 15)

ID = DocumentType.RESIDENT_ID
CREDIT = DocumentType.CREDIT_CODE
HK_MACAO = DocumentType.HK_MACAO_PERMIT
TAIWAN = DocumentType.TAIWAN_PERMIT
PERMIT = DocumentType.RESIDENCE_PERMIT
FOREIGN = DocumentType.FOREIGN_PERMANENT_ID
PASSPORT = DocumentType.PASSPORT

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def mod11_2(body: str) -> str:
    """ISO 7064 MOD 11-2: the check value c makes Σ dᵢ·2ⁱ + c ≡ 1 (mod 11)."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(body))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def mod31_3(body: str) -> str:
    """GB 32100: the check value c makes Σ vᵢ·3ⁱ + c ≡ 0 (mod 31)."""
    total = sum(CREDIT_ALPHABET.index(char) * pow(3, i, 31) for i, char in enumerate(body))
    return CREDIT_ALPHABET[-total % 31]


def with_id_check(body: str) -> str:
    assert len(body) == 17
    return body + mod11_2(body)


def with_credit_check(body: str) -> str:
    assert len(body) == 17
    return body + mod31_3(body)


def refusal(doc_type: DocumentType, raw: str) -> InvalidDocument:
    with pytest.raises(InvalidDocument) as caught:
        validate_document(doc_type, raw, TODAY)
    return caught.value


# --- The check-character helpers agree with published numbers -------------------------


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "440524188001010014"],
)
def test_helper_reproduces_published_id_check_digits(number: str) -> None:
    assert mod11_2(number[:17]) == number[17]


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91440300MA5ELPB95W", "911000001000013428", "11100000000013127D"],
)
def test_helper_reproduces_published_credit_check_characters(code: str) -> None:
    assert mod31_3(code[:17]) == code[17]


# --- Labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc_type", "label"),
    [
        (ID, "居民身份证"),
        (CREDIT, "统一社会信用代码"),
        (HK_MACAO, "港澳居民来往内地通行证"),
        (TAIWAN, "台湾居民来往大陆通行证"),
        (PERMIT, "港澳台居民居住证"),
        (FOREIGN, "外国人永久居留身份证"),
        (PASSPORT, "护照"),
    ],
)
def test_document_type_shows_the_name_printed_on_the_document(
    doc_type: DocumentType, label: str
) -> None:
    assert doc_type.label == label


def test_every_document_type_has_a_label() -> None:
    assert len({doc_type.label for doc_type in DocumentType}) == len(DocumentType)


def test_sex_labels_are_the_words_on_the_card() -> None:
    assert (Sex.MALE.label, Sex.FEMALE.label) == ("男", "女")


# --- Accepted numbers, normalised ------------------------------------------------------

ACCEPTED = [
    # 居民身份证
    (ID, "11010519491231002X", "11010519491231002X"),
    (ID, "11010519491231002x", "11010519491231002X"),
    (ID, "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
    (ID, "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
    (ID, "  110105 19491231 002X\t", "11010519491231002X"),
    (ID, "\u3000110105\u300019491231\u3000002x\n", "11010519491231002X"),
    (ID, with_id_check("44200019900101123"), with_id_check("44200019900101123")),
    (ID, with_id_check("65010220000229002"), with_id_check("65010220000229002")),
    (ID, with_id_check("11010119000101001"), with_id_check("11010119000101001")),
    # 统一社会信用代码
    (CREDIT, "91350100M000100Y43", "91350100M000100Y43"),
    (CREDIT, "91440300MA5ELPB95W", "91440300MA5ELPB95W"),
    (CREDIT, "91440300ma5elpb95w", "91440300MA5ELPB95W"),
    (CREDIT, "９１４４０３００ＭＡ５ＥＬＰＢ９５Ｗ", "91440300MA5ELPB95W"),
    (CREDIT, " 91440300 MA5ELPB95W ", "91440300MA5ELPB95W"),
    (CREDIT, "911000001000013428", "911000001000013428"),
    (CREDIT, "11100000000013127D", "11100000000013127D"),
    # 港澳居民来往内地通行证
    (HK_MACAO, "H12345678", "H12345678"),
    (HK_MACAO, "M87654321", "M87654321"),
    (HK_MACAO, "h12345678", "H12345678"),
    (HK_MACAO, "Ｈ１２３４５６７８", "H12345678"),
    (HK_MACAO, "H1234567801", "H1234567801"),
    (HK_MACAO, "m 1234 5678 02", "M1234567802"),
    # 台湾居民来往大陆通行证
    (TAIWAN, "12345678", "12345678"),
    (TAIWAN, "０１２３４５６７", "01234567"),
    (TAIWAN, " 1234 5678 ", "12345678"),
    # 港澳台居民居住证
    (PERMIT, with_id_check("81000019900101123"), with_id_check("81000019900101123")),
    (PERMIT, with_id_check("82000019850615002"), with_id_check("82000019850615002")),
    (PERMIT, with_id_check("83000020010101004"), with_id_check("83000020010101004")),
    # 外国人永久居留身份证
    (FOREIGN, "USA110175090012", "USA110175090012"),
    (FOREIGN, "usa110175090012", "USA110175090012"),
    (FOREIGN, with_id_check("94484019850315001"), with_id_check("94484019850315001")),
    # 护照
    (PASSPORT, "E12345678", "E12345678"),
    (PASSPORT, "EA1234567", "EA1234567"),
    (PASSPORT, "G12345678", "G12345678"),
    (PASSPORT, "12345", "12345"),
    (PASSPORT, "A" * 17, "A" * 17),
    (PASSPORT, "e 1234 5678", "E12345678"),
    (PASSPORT, "Ｅ１２３４５６７８", "E12345678"),
]


@pytest.mark.parametrize(("doc_type", "raw", "number"), ACCEPTED)
def test_accepted_number_is_returned_normalised(
    doc_type: DocumentType, raw: str, number: str
) -> None:
    document = validate_document(doc_type, raw, TODAY)
    assert (document.doc_type, document.number) == (doc_type, number)


@pytest.mark.parametrize(
    ("doc_type", "number", "birth_date", "sex"),
    [
        (ID, "11010519491231002X", date(1949, 12, 31), Sex.FEMALE),
        (ID, with_id_check("44200019900101123"), date(1990, 1, 1), Sex.MALE),
        (ID, with_id_check("65010220000229002"), date(2000, 2, 29), Sex.FEMALE),
        (PERMIT, with_id_check("81000019900101123"), date(1990, 1, 1), Sex.MALE),
        (PERMIT, with_id_check("83000020010101004"), date(2001, 1, 1), Sex.FEMALE),
        (FOREIGN, with_id_check("94484019850315001"), date(1985, 3, 15), None),
        (FOREIGN, "USA110175090012", None, None),
        (CREDIT, "91440300MA5ELPB95W", None, None),
        (PASSPORT, "E12345678", None, None),
    ],
)
def test_what_the_number_says_about_the_holder(
    doc_type: DocumentType, number: str, birth_date: date | None, sex: Sex | None
) -> None:
    document = validate_document(doc_type, number, TODAY)
    assert (document.birth_date, document.sex) == (birth_date, sex)


@pytest.mark.parametrize("digit", "0123456789")
def test_sex_is_read_from_the_seventeenth_digit(digit: str) -> None:
    document = validate_document(ID, with_id_check(f"4420001990010112{digit}"), TODAY)
    assert document.sex is (Sex.MALE if int(digit) % 2 else Sex.FEMALE)


def test_person_born_today_is_accepted() -> None:
    number = with_id_check(f"442000{TODAY:%Y%m%d}001")
    assert validate_document(ID, number, TODAY).birth_date == TODAY


@pytest.mark.parametrize(
    ("authority", "types"),
    [
        ("1", "1239"),
        ("2", "19"),
        ("3", "123459"),
        ("4", "19"),
        ("5", "1239"),
        ("6", "129"),
        ("7", "129"),
        ("8", "19"),
        ("9", "123"),
        ("A", "19"),
        ("N", "1239"),
        ("Y", "1"),
    ],
)
def test_every_published_registration_authority_and_organisation_type_is_accepted(
    authority: str, types: str
) -> None:
    for organisation_type in types:
        code = with_credit_check(f"{authority}{organisation_type}442000MA4UJ1K30")
        assert validate_document(CREDIT, code, TODAY).number == code


# --- Refused numbers: part and message -------------------------------------------------

ID_BODY = "11010519491231002"
ID_VALID = "11010519491231002X"
CREDIT_VALID = "91440300MA5ELPB95W"
FOREIGN_VALID = with_id_check("94484019850315001")
TOMORROW = TODAY + timedelta(days=1)

REFUSED = [
    # 居民身份证
    (ID, "", "empty", "请输入证件号码"),
    (ID, " \t\u3000", "empty", "请输入证件号码"),
    (ID, ID_VALID[:17], "length", "证件号码长度应为18位，当前为17位"),
    (ID, ID_VALID + "1", "length", "证件号码长度应为18位，当前为19位"),
    (ID, "11010549123100X", "length", "证件号码长度应为18位，当前为15位"),
    (ID, "110105491231002", "old_format", "这是15位旧身份证号码，请使用18位新号码"),
    (ID, "１１０１０５４９１２３１００２", "old_format", "这是15位旧身份证号码，请使用18位新号码"),
    (ID, "1101A519491231002X", "charset", "证件号码第5位“A”无效：前17位应为数字"),
    (ID, "1101051949123100X2", "charset", "证件号码第17位“X”无效：前17位应为数字"),
    (ID, "11010519491231002Y", "charset", "证件号码第18位“Y”无效：最后一位应为数字或X"),
    (ID, "110105194912310-2X", "charset", "证件号码第16位“-”无效：前17位应为数字"),
    (ID, "1101051949123100²X", "charset", "证件号码第17位“²”无效：前17位应为数字"),
    (ID, "1101051949123100٢X", "charset", "证件号码第17位“٢”无效：前17位应为数字"),
    (ID, "1101051949123100\x002", "charset", "证件号码第17位“U+0000”无效：前17位应为数字"),
    (ID, "11010519491231002号", "charset", "证件号码第18位“号”无效：最后一位应为数字或X"),
    (
        ID,
        with_id_check("00010519491231002"),
        "region",
        "地址码无效：前两位“00”不是省级行政区划代码",
    ),
    (
        ID,
        with_id_check("71010519491231002"),
        "region",
        "地址码无效：前两位“71”不是省级行政区划代码",
    ),
    (
        ID,
        with_id_check("16010519491231002"),
        "region",
        "地址码无效：前两位“16”不是省级行政区划代码",
    ),
    (
        ID,
        with_id_check("81000019900101123"),
        "doc_type",
        "这是港澳台居民居住证号码，请将证件类型改选为“港澳台居民居住证”",
    ),
    (
        ID,
        with_id_check("83000019900101123"),
        "doc_type",
        "这是港澳台居民居住证号码，请将证件类型改选为“港澳台居民居住证”",
    ),
    (
        ID,
        FOREIGN_VALID,
        "doc_type",
        "这是外国人永久居留身份证号码，请将证件类型改选为“外国人永久居留身份证”",
    ),
    (ID, with_id_check("11010519901332002"), "birth_date", "出生日期无效：19901332"),
    (ID, with_id_check("11010519900001002"), "birth_date", "出生日期无效：19900001"),
    (ID, with_id_check("11010519900100002"), "birth_date", "出生日期无效：19900100"),
    (ID, with_id_check("11010519990229002"), "birth_date", "出生日期无效：19990229"),
    (ID, with_id_check("11010519000229002"), "birth_date", "出生日期无效：19000229"),
    (ID, with_id_check("11010519900431002"), "birth_date", "出生日期无效：19900431"),
    (ID, with_id_check("11010500000101002"), "birth_date", "出生日期无效：00000101"),
    (
        ID,
        with_id_check(f"110105{TOMORROW:%Y%m%d}002"),
        "birth_date",
        "出生日期不能晚于今天",
    ),
    (ID, with_id_check("11010530000101002"), "birth_date", "出生日期不能晚于今天"),
    (
        ID,
        with_id_check("11010518991231002"),
        "birth_date",
        "出生日期不能早于1900年：18991231",
    ),
    # The GB 11643 worked example: its check digit is right, but 1880 is before 1900.
    (ID, "440524188001010014", "birth_date", "出生日期不能早于1900年：18800101"),
    (ID, ID_BODY + "1", "check_digit", "校验位错误：最后一位应为X，请逐位核对证件号码"),
    (ID, "110105194912310020", "check_digit", "校验位错误：最后一位应为X，请逐位核对证件号码"),
    (ID, "11010519491231003X", "check_digit", "校验位错误：最后一位应为8，请逐位核对证件号码"),
    # 港澳台居民居住证
    (PERMIT, "", "empty", "请输入证件号码"),
    (PERMIT, "81000019900101123", "length", "证件号码长度应为18位，当前为17位"),
    (PERMIT, "8100001990010112A4", "charset", "证件号码第17位“A”无效：前17位应为数字"),
    (
        PERMIT,
        ID_VALID,
        "doc_type",
        "这是居民身份证号码，请将证件类型改选为“居民身份证”",
    ),
    (
        PERMIT,
        with_id_check("81010019900101123"),
        "region",
        "地址码无效：港澳台居民居住证号码应以810000（香港）、820000（澳门）或830000（台湾）开头",
    ),
    (
        PERMIT,
        with_id_check("84000019900101123"),
        "region",
        "地址码无效：港澳台居民居住证号码应以810000（香港）、820000（澳门）或830000（台湾）开头",
    ),
    (PERMIT, with_id_check("82000019990229002"), "birth_date", "出生日期无效：19990229"),
    (
        PERMIT,
        with_id_check(f"820000{TOMORROW:%Y%m%d}002"),
        "birth_date",
        "出生日期不能晚于今天",
    ),
    (
        PERMIT,
        with_id_check("81000019900101123")[:17] + "Y",
        "charset",
        "证件号码第18位“Y”无效：最后一位应为数字或X",
    ),
    # 统一社会信用代码
    (CREDIT, "", "empty", "请输入证件号码"),
    (CREDIT, CREDIT_VALID[:17], "length", "证件号码长度应为18位，当前为17位"),
    (CREDIT, CREDIT_VALID + "0", "length", "证件号码长度应为18位，当前为19位"),
    *[
        (
            CREDIT,
            CREDIT_VALID[:8] + letter + CREDIT_VALID[9:],
            "charset",
            f"证件号码第9位“{letter}”无效：统一社会信用代码只用数字和大写字母，不用I、O、S、V、Z",
        )
        for letter in "IOSVZ"
    ],
    (
        CREDIT,
        "91440300ma5elpb9o" + "W",
        "charset",
        "证件号码第17位“O”无效：统一社会信用代码只用数字和大写字母，不用I、O、S、V、Z",
    ),
    (
        CREDIT,
        "914403-0MA5ELPB95W",
        "charset",
        "证件号码第7位“-”无效：统一社会信用代码只用数字和大写字母，不用I、O、S、V、Z",
    ),
    (
        CREDIT,
        with_credit_check("B1440300MA5ELPB95"),
        "registration_authority",
        "登记管理部门代码（第1位）无效：B",
    ),
    (
        CREDIT,
        with_credit_check("01440300MA5ELPB95"),
        "registration_authority",
        "登记管理部门代码（第1位）无效：0",
    ),
    (
        CREDIT,
        with_credit_check("94440300MA5ELPB95"),
        "organisation_type",
        "机构类别代码（第2位）无效：登记管理部门代码为9时应为1、2、3",
    ),
    (
        CREDIT,
        with_credit_check("99440300MA5ELPB95"),
        "organisation_type",
        "机构类别代码（第2位）无效：登记管理部门代码为9时应为1、2、3",
    ),
    (
        CREDIT,
        with_credit_check("Y2440300MA5ELPB95"),
        "organisation_type",
        "机构类别代码（第2位）无效：登记管理部门代码为Y时应为1",
    ),
    (
        CREDIT,
        with_credit_check("5A440300MA5ELPB95"),
        "organisation_type",
        "机构类别代码（第2位）无效：登记管理部门代码为5时应为1、2、3、9",
    ),
    (
        CREDIT,
        with_credit_check("9144A300MA5ELPB95"),
        "region",
        "登记管理机关行政区划码（第3至8位）无效：44A300",
    ),
    (
        CREDIT,
        with_credit_check("91990300MA5ELPB95"),
        "region",
        "登记管理机关行政区划码（第3至8位）无效：990300",
    ),
    (
        CREDIT,
        with_credit_check("91810000MA5ELPB95"),
        "region",
        "登记管理机关行政区划码（第3至8位）无效：810000",
    ),
    (
        CREDIT,
        "91440300MA5ELPB95X",
        "check_digit",
        "校验位错误：最后一位应为W，请逐位核对证件号码",
    ),
    (
        CREDIT,
        "91440300MA5ELPB96W",
        "check_digit",
        f"校验位错误：最后一位应为{mod31_3('91440300MA5ELPB96')}，请逐位核对证件号码",
    ),
    # 港澳居民来往内地通行证
    (HK_MACAO, "", "empty", "请输入证件号码"),
    (
        HK_MACAO,
        "12345678",
        "format",
        "港澳居民来往内地通行证号码应以H（香港）或M（澳门）开头",
    ),
    (
        HK_MACAO,
        "C12345678",
        "format",
        "港澳居民来往内地通行证号码应以H（香港）或M（澳门）开头",
    ),
    (HK_MACAO, "H1234567", "length", "证件号码长度应为9位或11位，当前为8位"),
    (HK_MACAO, "H123456789", "length", "证件号码长度应为9位或11位，当前为10位"),
    (HK_MACAO, "H123456789012", "length", "证件号码长度应为9位或11位，当前为13位"),
    (HK_MACAO, "H1234567A", "charset", "证件号码第9位“A”无效：H或M之后应为数字"),
    (HK_MACAO, "HM12345678", "length", "证件号码长度应为9位或11位，当前为10位"),
    (HK_MACAO, "HM123456789", "charset", "证件号码第2位“M”无效：H或M之后应为数字"),
    # 台湾居民来往大陆通行证
    (TAIWAN, "", "empty", "请输入证件号码"),
    (TAIWAN, "1234567", "length", "证件号码长度应为8位，当前为7位"),
    (TAIWAN, "123456789", "length", "证件号码长度应为8位，当前为9位"),
    (TAIWAN, "1234567A", "charset", "证件号码第8位“A”无效：台胞证号码应为8位数字"),
    (TAIWAN, "T1234567", "charset", "证件号码第1位“T”无效：台胞证号码应为8位数字"),
    *[
        (
            TAIWAN,
            raw,
            "old_format",
            "这是已停用的旧版本式台胞证号码，请使用卡式台胞证上的8位号码（不含签发次数）",
        )
        for raw in ("1234567890", "1234567890(B)", "1234567890（b）", "1234567890 (B)")
    ],
    # 外国人永久居留身份证
    (FOREIGN, "", "empty", "请输入证件号码"),
    (FOREIGN, "USA11017509001", "length", "证件号码长度应为18位或15位，当前为14位"),
    (FOREIGN, "USA1101750900123", "length", "证件号码长度应为18位或15位，当前为16位"),
    (
        FOREIGN,
        "US1110175090012",
        "charset",
        "证件号码第3位“1”无效：旧版号码前3位应为字母（国籍代码）",
    ),
    (
        FOREIGN,
        "USA11017509001A",
        "charset",
        "证件号码第15位“A”无效：旧版号码后12位应为数字",
    ),
    (
        FOREIGN,
        "9448401985031500A" + "1",
        "charset",
        "证件号码第17位“A”无效：前17位应为数字",
    ),
    (
        FOREIGN,
        ID_VALID,
        "doc_type",
        "这是居民身份证号码，请将证件类型改选为“居民身份证”",
    ),
    (
        FOREIGN,
        with_id_check("84484019850315001"),
        "format",
        "18位外国人永久居留身份证号码应以9开头",
    ),
    (
        FOREIGN,
        with_id_check("99984019850315001"),
        "region",
        "受理地代码（第2至3位）无效：99",
    ),
    (
        FOREIGN,
        with_id_check("98184019850315001"),
        "region",
        "受理地代码（第2至3位）无效：81",
    ),
    (FOREIGN, with_id_check("94484019850230001"), "birth_date", "出生日期无效：19850230"),
    (
        FOREIGN,
        with_id_check(f"944840{TOMORROW:%Y%m%d}001"),
        "birth_date",
        "出生日期不能晚于今天",
    ),
    (
        FOREIGN,
        FOREIGN_VALID[:17] + ("1" if FOREIGN_VALID[17] != "1" else "2"),
        "check_digit",
        f"校验位错误：最后一位应为{FOREIGN_VALID[17]}，请逐位核对证件号码",
    ),
    # 护照
    (PASSPORT, "", "empty", "请输入证件号码"),
    (PASSPORT, "E123", "length", "证件号码长度应为5至17位，当前为4位"),
    (PASSPORT, "E" * 18, "length", "证件号码长度应为5至17位，当前为18位"),
    (PASSPORT, "E1234-567", "charset", "证件号码第6位“-”无效：护照号码只能包含字母和数字"),
    (PASSPORT, "E1234567号", "charset", "证件号码第9位“号”无效：护照号码只能包含字母和数字"),
    (PASSPORT, "É12345678", "charset", "证件号码第1位“É”无效：护照号码只能包含字母和数字"),
]


@pytest.mark.parametrize(("doc_type", "raw", "part", "message"), REFUSED)
def test_refused_number_names_the_part_in_chinese(
    doc_type: DocumentType, raw: str, part: str, message: str
) -> None:
    error = refusal(doc_type, raw)
    assert (error.part, error.message) == (part, message)


# Each part code has the words the clerk looks for in its message.
PART_WORDS = {
    "empty": "请输入",
    "doc_type": "证件类型",
    "length": "长度",
    "charset": "位“",
    "format": "开头",
    "old_format": "旧",
    "region": "码",
    "registration_authority": "登记管理部门代码",
    "organisation_type": "机构类别代码",
    "birth_date": "出生日期",
    "check_digit": "校验位",
}


@pytest.mark.parametrize(("doc_type", "raw", "part", "message"), REFUSED)
def test_every_message_is_a_chinese_sentence_about_its_part(
    doc_type: DocumentType, raw: str, part: str, message: str
) -> None:
    assert re.search(r"[\u4e00-\u9fff]", message)
    assert PART_WORDS[part] in message


def test_refusal_table_covers_every_part() -> None:
    assert {part for _, _, part, _ in REFUSED} == set(PART_WORDS)


@pytest.mark.parametrize("doc_type", list(DocumentType))
def test_blank_input_is_refused_for_every_type(doc_type: DocumentType) -> None:
    assert refusal(doc_type, " \u3000\t\n").part == "empty"


# --- Error detection by the check characters ------------------------------------------

VALID_IDS = [
    ID_VALID,
    with_id_check("44200019900101123"),
    with_id_check("44200019851231997"),
]


@pytest.mark.parametrize("number", VALID_IDS)
@pytest.mark.parametrize("position", range(18))
def test_every_single_character_substitution_of_an_id_number_is_refused(
    number: str, position: int
) -> None:
    accepted = [
        changed
        for char in "0123456789X"
        if char != number[position]
        for changed in [number[:position] + char + number[position + 1 :]]
        if _is_accepted(ID, changed)
    ]
    assert accepted == []


@pytest.mark.parametrize("number", VALID_IDS)
def test_every_adjacent_transposition_of_an_id_number_is_refused(number: str) -> None:
    swapped = [
        number[:i] + number[i + 1] + number[i] + number[i + 2 :]
        for i in range(17)
        if number[i] != number[i + 1]
    ]
    assert [changed for changed in swapped if _is_accepted(ID, changed)] == []


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300MA5ELPB95W"])
@pytest.mark.parametrize("position", range(18))
def test_every_single_character_substitution_of_a_credit_code_is_refused(
    code: str, position: int
) -> None:
    accepted = [
        changed
        for char in CREDIT_ALPHABET
        if char != code[position]
        for changed in [code[:position] + char + code[position + 1 :]]
        if _is_accepted(CREDIT, changed)
    ]
    assert accepted == []


def _is_accepted(doc_type: DocumentType, raw: str) -> bool:
    try:
        validate_document(doc_type, raw, TODAY)
    except InvalidDocument:
        return False
    return True


# --- Personal data stays out of logs and tracebacks -----------------------------------


def test_refusal_prints_as_its_part_code_only() -> None:
    error = refusal(ID, with_id_check("11010519901332002"))
    assert str(error) == "birth_date"
    assert "19901332" not in repr(error)


def test_accepted_document_repr_hides_the_number_and_birth_date() -> None:
    document = validate_document(ID, ID_VALID, TODAY)
    assert ID_VALID not in repr(document)
    assert "1949" not in repr(document)


def test_accepted_document_is_immutable() -> None:
    document = validate_document(ID, ID_VALID, TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.number = "110105194912310021"  # type: ignore[misc]


def test_refusal_is_a_value_error() -> None:
    assert isinstance(refusal(PASSPORT, "E1"), ValueError)


def test_valid_document_compares_by_value() -> None:
    expected = ValidDocument(ID, ID_VALID, date(1949, 12, 31), Sex.FEMALE)
    assert validate_document(ID, ID_VALID.lower(), TODAY) == expected
