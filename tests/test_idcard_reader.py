"""The real SAM protocol code (pyserial, frames, commands) against the simulated module on
a pseudo-terminal: every status a reader answers, damaged and slow answers, a silent or
unplugged reader, and finding the reader among the serial adapters."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from appliance_dev.sim.id_reader import DEMO_SAM_ID, SimulatedSamModule

from appliance.domain.id_card import CardType
from appliance.hardware.id_reader.discovery import SerialPortSeen, find_reader_port
from appliance.hardware.id_reader.frames import Answer, Command
from appliance.hardware.id_reader.port import (
    DamagedAnswer,
    NoAnswer,
    ReaderAbsent,
    ReaderAmbiguous,
    ReaderBusy,
    ReaderState,
    SamError,
)
from appliance.hardware.id_reader.reads import ReadFailure, classify, read_card
from appliance.hardware.id_reader.sam_reader import SamReader, open_sam_reader
from appliance.hardware.id_reader.service import report_for
from appliance.hardware.id_reader.status import SamStatus

TIMEOUT_S = 0.5


@pytest.fixture
def sim() -> Iterator[SimulatedSamModule]:
    module = SimulatedSamModule(None, read_delay_s=0.05)
    yield module
    module.close()


@pytest.fixture
def reader(sim: SimulatedSamModule) -> Iterator[SamReader]:
    opened = open_sam_reader(str(sim.device), 115200, TIMEOUT_S, 1.0)
    yield opened
    opened.close()


def failure_of(reader: SamReader) -> SamError:
    assert reader.find_card()
    with pytest.raises(SamError) as raised:
        read_card(reader)
    return raised.value


def test_a_ready_module_answers_90_and_its_sam_id(reader: SamReader) -> None:
    reader.sam_status()
    assert reader.sam_id() == DEMO_SAM_ID


def test_no_card_answers_80(reader: SamReader) -> None:
    assert reader.find_card() is False


def test_a_card_is_found_9f_selected_and_read_90(
    sim: SimulatedSamModule, reader: SamReader
) -> None:
    sim.place("resident_id")
    assert reader.find_card() is True
    record = read_card(reader)
    assert record.card_type is CardType.RESIDENT_ID and record.name == "林小满"
    assert sim.commands == ["20 01", "20 02", "30 01"]


def test_a_card_read_answers_no_card_until_it_is_laid_again(
    sim: SimulatedSamModule, reader: SamReader
) -> None:
    sim.place("residence_permit")
    assert reader.find_card()
    read_card(reader)
    assert reader.find_card() is False  # still on the reader, already read
    sim.remove()
    sim.place("residence_permit")
    assert reader.find_card() is True


def test_read_failed_41(sim: SimulatedSamModule, reader: SamReader) -> None:
    sim.place()
    sim.set_fault("read_failed")
    error = failure_of(reader)
    assert error.status is SamStatus.READ_FAILED and error.status_text == "00 00 41"
    assert classify(error) is ReadFailure.READ_FAILED


def test_check_failed_33(sim: SimulatedSamModule, reader: SamReader) -> None:
    sim.place()
    sim.set_fault("check_failed")
    error = failure_of(reader)
    assert error.status is SamStatus.CHECK_FAILED
    assert classify(error) is ReadFailure.CHECK_FAILED


def test_unknown_card_40(sim: SimulatedSamModule, reader: SamReader) -> None:
    sim.place()
    sim.set_fault("unknown_card")
    assert classify(failure_of(reader)) is ReadFailure.UNKNOWN_CARD


def test_a_card_pulled_mid_read_fails_41_with_the_cards_own_status(
    sim: SimulatedSamModule, reader: SamReader
) -> None:
    sim.place()
    sim.set_fault("pulled_mid_read", count=1)
    error = failure_of(reader)
    assert error.status is SamStatus.READ_FAILED and (error.sw1, error.sw2) == (0x6F, 0x00)
    assert sim.card is None
    assert reader.find_card() is False


@pytest.mark.parametrize(
    ("fault", "state", "status"),
    [
        ("self_check_failed", ReaderState.SELF_CHECK_FAILED, "00 00 60"),
        ("unauthorised", ReaderState.UNAUTHORISED, "00 00 66"),
    ],
)
def test_a_faulty_module_answers_every_command_with_its_fault(
    sim: SimulatedSamModule, reader: SamReader, fault: str, state: ReaderState, status: str
) -> None:
    sim.place()
    sim.set_fault(fault)
    for command in (reader.sam_status, reader.sam_id, reader.find_card):
        with pytest.raises(SamError) as raised:
            command()
        report = report_for(raised.value, reader.device)
        assert (report.state, report.status) == (state, status)


def test_one_damaged_answer_is_asked_for_again(sim: SimulatedSamModule, reader: SamReader) -> None:
    sim.set_fault("bad_checksum", count=1)
    assert reader.sam_id() == DEMO_SAM_ID
    assert sim.commands == ["12 FF", "12 FF"]


def test_answers_that_stay_damaged_are_reported_after_the_resends(
    sim: SimulatedSamModule, reader: SamReader
) -> None:
    sim.set_fault("bad_checksum")
    with pytest.raises(DamagedAnswer, match="checksum"):
        reader.sam_status()
    assert sim.commands == ["11 FF"] * 3


def test_noise_before_every_answer_is_skipped(sim: SimulatedSamModule, reader: SamReader) -> None:
    sim.set_fault("noise")
    sim.place("foreign_2023")
    reader.sam_status()
    assert reader.find_card()
    assert read_card(reader).card_type is CardType.FOREIGN_PERMANENT_2023


def test_a_slow_answer_within_the_timeout_is_waited_for(
    sim: SimulatedSamModule, reader: SamReader
) -> None:
    sim.slow_s = TIMEOUT_S / 2
    sim.set_fault("slow")
    assert reader.sam_id() == DEMO_SAM_ID


def test_an_answer_slower_than_the_timeout_is_no_answer(
    sim: SimulatedSamModule, reader: SamReader
) -> None:
    sim.slow_s = TIMEOUT_S * 2
    sim.set_fault("slow", count=1)
    with pytest.raises(NoAnswer):
        reader.sam_status()
    time.sleep(sim.slow_s)  # the late answer has arrived by now, unread
    reader.sam_status()  # and is dropped, not taken for the next command's


def test_a_silent_module_is_no_answer(sim: SimulatedSamModule, reader: SamReader) -> None:
    sim.set_fault("no_answer")
    with pytest.raises(NoAnswer):
        reader.find_card()
    assert report_for(NoAnswer("x"), reader.device).state is ReaderState.NO_ANSWER


def test_an_unplugged_reader_is_absent(sim: SimulatedSamModule, reader: SamReader) -> None:
    path = str(sim.device)
    sim.unplug()
    with pytest.raises(ReaderAbsent):
        reader.find_card()
    with pytest.raises(ReaderAbsent):
        open_sam_reader(path, 115200, TIMEOUT_S, 1.0)


def test_a_reader_open_elsewhere_is_busy(sim: SimulatedSamModule, reader: SamReader) -> None:
    with pytest.raises(ReaderBusy):
        open_sam_reader(str(sim.device), 115200, TIMEOUT_S, 1.0)


class FakeLink:
    device = "fake"

    def __init__(self, answers: list[Answer]) -> None:
        self.answers = answers
        self.sent: list[str] = []

    def exchange(self, command: Command, timeout_s: float) -> Answer:
        self.sent.append(str(command))
        return self.answers.pop(0)

    def close(self) -> None:
        pass


def test_a_module_that_received_a_damaged_command_is_sent_it_again() -> None:
    link = FakeLink([Answer(0, 0, 0x10), Answer(0, 0, 0x90)])
    SamReader(link).sam_status()
    assert link.sent == ["11 FF", "11 FF"]


PRINTER = SerialPortSeen("/dev/ttyUSB0", 0x0403, 0x6001)
READER = SerialPortSeen("/dev/ttyUSB1", 0x1A86, 0x7523)
MODEM = SerialPortSeen("/dev/ttyACM0", 0x1234, 0x5678)


def test_the_reader_is_the_one_adapter_of_a_common_chip() -> None:
    assert find_reader_port([MODEM, READER]) == "/dev/ttyUSB1"
    assert find_reader_port([PRINTER, READER], exclude=["/dev/ttyUSB0"]) == "/dev/ttyUSB1"
    with pytest.raises(ReaderAmbiguous) as ambiguous:
        find_reader_port([PRINTER, READER])
    assert ambiguous.value.devices == ["/dev/ttyUSB0", "/dev/ttyUSB1"]
    assert report_for(ambiguous.value, None).state is ReaderState.AMBIGUOUS
    with pytest.raises(ReaderAbsent, match="CH340"):
        find_reader_port([MODEM])
