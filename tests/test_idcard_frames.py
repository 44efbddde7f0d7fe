"""SAM frames (GA 467): the bytes the readers on sale send and expect, and finding good
frames again in a stream that is cut, noisy or damaged."""

from __future__ import annotations

import pytest

from appliance.hardware.id_reader.frames import (
    Answer,
    Command,
    Damaged,
    Frame,
    FrameReader,
    answer_frame,
    command_frame,
)
from appliance.hardware.id_reader.port import DamagedAnswer
from appliance.hardware.id_reader.sam_reader import (
    FIND_CARD,
    READ_BASE_INFO,
    SAM_ID,
    SAM_STATUS,
    SELECT_CARD,
    base_info_text,
    format_sam_id,
    sam_id_bytes,
)
from appliance.hardware.id_reader.status import SamStatus, describe


def hexes(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.mark.parametrize(
    ("command", "wire"),
    [
        (SAM_STATUS, "AA AA AA 96 69 00 03 11 FF ED"),
        (SAM_ID, "AA AA AA 96 69 00 03 12 FF EE"),
        (FIND_CARD, "AA AA AA 96 69 00 03 20 01 22"),
        (SELECT_CARD, "AA AA AA 96 69 00 03 20 02 21"),
        (READ_BASE_INFO, "AA AA AA 96 69 00 03 30 01 32"),
    ],
)
def test_commands_are_the_bytes_readers_expect(command: Command, wire: str) -> None:
    assert command.frame() == hexes(wire)


@pytest.mark.parametrize(
    ("answer", "wire"),
    [
        (answer_frame(0, 0, 0x9F, bytes(4)), "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"),
        (answer_frame(0, 0, 0x80), "AA AA AA 96 69 00 04 00 00 80 84"),
        (answer_frame(0, 0, 0x41), "AA AA AA 96 69 00 04 00 00 41 45"),
        (
            answer_frame(0, 0, 0x90, bytes(8)),
            "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C",
        ),
    ],
)
def test_answers_match_captured_exchanges(answer: bytes, wire: str) -> None:
    assert answer == hexes(wire)
    [frame] = FrameReader().feed(answer)
    assert isinstance(frame, Frame)
    assert Answer.from_payload(frame.payload).status_text == " ".join(wire.split()[7:10])


def test_a_frame_split_byte_by_byte_is_found_once() -> None:
    reader = FrameReader()
    wire = answer_frame(0, 0, 0x90, b"\x01\x02\x03")
    found = [item for byte in wire for item in reader.feed(bytes([byte]))]
    assert found == [Frame(b"\x00\x00\x90\x01\x02\x03")]
    assert reader.pending == 0


def test_noise_and_broken_preambles_before_a_frame_are_skipped() -> None:
    wire = b"\x00\xaa\xaa\x96\xaa\xaa\xaa\x96\x13" + answer_frame(0, 0, 0x9F, bytes(4))
    found = FrameReader().feed(wire)
    assert [type(item) for item in found][-1] is Frame
    assert all(isinstance(item, Damaged) and item.reason == "noise" for item in found[:-1])
    assert sum(item.discarded for item in found[:-1]) == 9


def test_a_wrong_checksum_is_dropped_and_the_next_frame_found() -> None:
    bad = bytearray(answer_frame(0, 0, 0x90, b"abc"))
    bad[-1] ^= 0xFF
    good = answer_frame(0, 0, 0x80)
    found = FrameReader().feed(bytes(bad) + good)
    assert found[0] == Damaged("checksum", 1)
    assert found[-1] == Frame(b"\x00\x00\x80")


def test_a_cut_frame_does_not_stall_the_good_one_behind_it() -> None:
    cut = answer_frame(0, 0, 0x90, bytes(40))[:20]  # claims 44 bytes, 13 arrived
    good = answer_frame(0, 0, 0x9F, bytes(4))
    found = FrameReader().feed(cut + good)
    assert found[0] == Damaged("truncated", 20)
    assert found[-1] == Frame(b"\x00\x00\x9f" + bytes(4))


def test_an_impossible_length_is_damage_not_a_wait() -> None:
    bogus = b"\xaa\xaa\xaa\x96\x69\xff\xff\x00"
    found = FrameReader().feed(bogus + answer_frame(0, 0, 0x80))
    assert found[0] == Damaged("length", 1)
    assert found[-1] == Frame(b"\x00\x00\x80")


def test_a_frame_left_incomplete_is_given_up_when_the_line_is_quiet() -> None:
    reader = FrameReader()
    assert reader.feed(answer_frame(0, 0, 0x90, bytes(100))[:50]) == []
    assert reader.pending == 50
    assert reader.give_up()[0] == Damaged("truncated", 1)
    assert reader.pending == 0


def test_the_module_side_reads_commands() -> None:
    [frame] = FrameReader(min_length=3).feed(command_frame(0x20, 0x01))
    assert isinstance(frame, Frame)
    assert str(Command.from_payload(frame.payload)) == "20 01"


def test_statuses_are_named_as_the_protocol_documents_name_them() -> None:
    assert SamStatus.of(0x66) is SamStatus.UNAUTHORISED
    assert SamStatus.of(0x60) is SamStatus.SELF_CHECK_FAILED
    assert SamStatus.of(0x33) is SamStatus.CHECK_FAILED
    assert SamStatus.of(0x41) is SamStatus.READ_FAILED
    assert SamStatus.of(0x9F) is SamStatus.CARD_FOUND
    assert SamStatus.of(0x80) is SamStatus.NO_CARD
    assert SamStatus.of(0x77) is None
    assert describe(0x6F, 0x00, 0x41) == "6F 00 41 (reading the card failed)"
    assert all(status.meaning for status in SamStatus)


def test_sam_id_is_shown_as_reader_utilities_print_it() -> None:
    data = (
        bytes([5, 0, 1, 0])
        + (20200101).to_bytes(4, "little")
        + (1).to_bytes(4, "little")
        + (123456789).to_bytes(4, "little")
    )
    assert format_sam_id(data) == "05.01-20200101-0000000001-0123456789"
    assert sam_id_bytes("05.01-20200101-0000000001-0123456789") == data


def test_read_base_information_keeps_the_text_and_drops_the_photo() -> None:
    text = bytes(range(256))
    data = b"\x01\x00\x04\x00" + text + b"\xee" * 1024
    assert base_info_text(data) == text
    with pytest.raises(DamagedAnswer):
        base_info_text(b"\x00\x01\x04\x00" + text + b"\xee" * 1024)  # little-endian lengths
    with pytest.raises(DamagedAnswer):
        base_info_text(b"\x01\x00\x04\x00" + text)  # the photo missing
