"""Pinyin name entry: surnames first for the first character, given-name characters
after, prefixes, paging, and the "·" of minority names."""

from __future__ import annotations

from appliance.ui.name_composer import PAGE, NameComposer


def offered(pinyin: str, name_so_far: str = "") -> list[str]:
    composer = NameComposer()
    for letter in pinyin:
        composer.type_letter(letter)
    return composer.page_of(name_so_far)


def test_common_surnames_lead_for_the_first_character() -> None:
    assert offered("huang")[0] == "黄"
    assert offered("chen")[0] == "陈"
    assert offered("zh")[:3] == ["张", "赵", "周"]
    assert offered("ouyang"[:2])[0] == "欧"


def test_surname_readings_of_polyphonic_characters() -> None:
    assert "曾" in offered("zeng")[:2]
    assert "单" in offered("shan")[:2]
    assert "区" in offered("ou")[:2]


def test_given_name_characters_lead_after_the_surname() -> None:
    assert offered("ming", "黄志")[0] == "明"
    assert "伟" in offered("wei", "李")[:2]
    assert "婷" in offered("ting", "王")[:2]


def test_paging_and_choosing_end_the_syllable() -> None:
    composer = NameComposer()
    for letter in "li":
        composer.type_letter(letter)
    first = composer.page_of("阿")
    assert len(first) == PAGE and composer.has_next_page("阿")
    composer.turn(1, "阿")
    assert composer.page_of("阿")[0] not in first
    composer.turn(-5, "阿")
    assert composer.page == 0
    assert composer.choose(1, "阿") == first[1]
    assert composer.pinyin == "" and composer.page_of("阿") == []


def test_backspace_drops_letters_then_reports_nothing_left() -> None:
    composer = NameComposer()
    composer.type_letter("X")
    assert composer.pinyin == "x"
    assert composer.backspace() is True and composer.backspace() is False


def test_only_letters_compose() -> None:
    composer = NameComposer()
    for char in "1·-黄":
        composer.type_letter(char)
    assert composer.pinyin == ""
