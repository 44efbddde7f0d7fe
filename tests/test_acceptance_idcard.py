"""A card read at the applicant step, without a screen: an expired card goes on only by
the clerk's explicit choice, what was decided is stored with the submission and sent to
the branch server, and nothing of the read stays once the acceptance is submitted or
abandoned."""

from __future__ import annotations

import json

import pytest
import sqlite_utils
from appliance_dev.devserver.validate import REQUIRED_TEXT, item_problem
from appliance_dev.sim.id_cards import CARDS

from appliance.domain.catalogue import ItemType
from appliance.domain.id_card import CardReading, check_card, decode_base_info
from appliance.domain.identity import DocumentType
from appliance.domain.submission import IdentityCheck, IdSource
from appliance.store.appointments import Appointment, seed_appointments
from appliance.store.drafts import load_draft
from appliance.workflow.acceptance import FlowState
from appliance.workflow.counter import Counter
from appliance.workflow.machine import InvalidTransition
from appliance.workflow.messages import UserFacingError
from tests.test_acceptance_counter import GOOD, TODAY, counter


@pytest.fixture
def booked(db: sqlite_utils.Database) -> sqlite_utils.Database:
    seed_appointments(db, [Appointment("YYOK", "442000-SB-0310", TODAY, GOOD, False)])
    return db


def read(card: str) -> tuple[str, CardReading]:
    """The name and the reading of a fictional card laid on the reader today."""
    record = decode_base_info(CARDS[card].text())
    return record.name, CardReading.of(record, check_card(record, TODAY))


def at_applicant_step(desk: Counter) -> None:
    desk.choose_item(desk.catalogue.by_code("442000-SB-0310"))
    desk.choose_type(ItemType.BRANCH)


def enter(desk: Counter, card: str, **kwargs: bool) -> None:
    name, reading = read(card)
    desk.card_read(reading)
    desk.enter_applicant(name, reading.document_type, reading.number, **kwargs)


def stored(db: sqlite_utils.Database) -> tuple:
    return db.execute(
        "SELECT id_source, card_validity, validity_override FROM submissions"
    ).fetchone()


def test_a_valid_card_is_recorded_as_read_from_the_card(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    at_applicant_step(desk)
    enter(desk, "resident_id")
    assert desk.flow.draft.identity_check() == IdentityCheck(
        IdSource.CARD, read("resident_id")[1].validity
    )
    desk.submit()
    assert stored(booked) == ("card", "valid", 0)


def test_an_expired_card_needs_the_clerks_explicit_choice_which_is_recorded(
    booked, tmp_path
) -> None:
    desk = counter(booked, tmp_path)
    at_applicant_step(desk)
    with pytest.raises(UserFacingError) as refused:
        enter(desk, "resident_expired")
    assert refused.value.chinese == (
        "证件已过期（有效期至2020年06月01日）：请核对证件，如确需受理请点击“仍然受理”"
    )
    assert desk.flow.state is FlowState.TYPE_CHOSEN
    name, reading = read("resident_expired")
    desk.enter_applicant(name, DocumentType.RESIDENT_ID, reading.number, accept_invalid_card=True)
    desk.flow.back()  # 返回修改: the choice stays with this card
    desk.enter_applicant(name, DocumentType.RESIDENT_ID, reading.number)
    submission = desk.submit()
    assert stored(booked) == ("card", "expired", 1)
    payload = json.loads(
        booked.execute(
            "SELECT payload FROM outbox WHERE submission_id = ?", [submission.id]
        ).fetchone()[0]
    )
    assert (payload["id_source"], payload["card_validity"], payload["validity_override"]) == (
        "card",
        "expired",
        True,
    )
    assert item_problem({"idempotency_key": "k", "submission": payload}, False) is None
    entry = json.loads(
        booked.execute(
            "SELECT entry FROM audit_log WHERE action = 'submission.created'"
        ).fetchone()[0]
    )
    assert entry["card_validity"] == "expired" and entry["validity_override"] is True


def test_a_new_card_laid_needs_its_own_choice(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    at_applicant_step(desk)
    enter(desk, "resident_expired", accept_invalid_card=True)
    desk.flow.back()
    with pytest.raises(UserFacingError, match="card expired"):
        enter(desk, "resident_expired")  # laid again: asked again


def test_a_number_typed_over_the_cards_is_recorded_as_typed(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    at_applicant_step(desk)
    name, reading = read("resident_expired")
    desk.card_read(reading)
    desk.enter_applicant(name, DocumentType.RESIDENT_ID, "442000198511204567")
    desk.submit()
    assert stored(booked) == ("typed", None, 0)


def test_a_card_whose_number_fails_is_not_taken(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    at_applicant_step(desk)
    name, reading = read("resident_bad_number")
    assert not reading.number_ok
    desk.card_read(reading)
    with pytest.raises(UserFacingError, match="check_digit"):
        desk.enter_applicant(name, DocumentType.RESIDENT_ID, reading.number)


def test_a_booked_identity_is_recorded_as_the_appointments(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    desk.find_by_appointment("YYOK")
    desk.prefill_booked()
    desk.submit()
    assert stored(booked) == ("appointment", None, 0)


def test_a_card_is_read_only_at_the_applicant_step(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    with pytest.raises(InvalidTransition):
        desk.card_read(read("resident_id")[1])
    desk.choose_item(desk.catalogue.by_code("442000-SB-0310"))
    with pytest.raises(InvalidTransition):
        desk.card_read(read("resident_id")[1])


def test_the_read_is_kept_across_a_restart_until_submitted(booked, tmp_path) -> None:
    desk = counter(booked, tmp_path)
    at_applicant_step(desk)
    name, reading = read("resident_expired")
    desk.card_read(reading)
    desk.save_draft()
    again = counter(booked, tmp_path)
    again.restore_draft()
    assert again.flow.draft.card == reading  # a restart does not skip the choice
    with pytest.raises(UserFacingError, match="card expired"):
        again.enter_applicant(name, DocumentType.RESIDENT_ID, reading.number)
    again.enter_applicant(name, DocumentType.RESIDENT_ID, reading.number, accept_invalid_card=True)
    again.submit()
    again.save_draft()
    assert again.flow.draft.card is None and not again.flow.draft.validity_override
    kept = load_draft(booked)
    assert kept is not None and kept["card"] is None
    assert reading.valid_to is not None and reading.valid_to.isoformat() not in json.dumps(kept)


@pytest.mark.parametrize("abandon", ["back_to_lookup", "new_acceptance"])
def test_an_abandoned_acceptance_keeps_nothing_of_the_read(booked, tmp_path, abandon) -> None:
    desk = counter(booked, tmp_path)
    at_applicant_step(desk)
    desk.card_read(read("resident_id")[1])
    if abandon == "back_to_lookup":
        desk.flow.back()
        desk.flow.back()
    else:
        desk.new_acceptance()
    desk.save_draft()
    assert desk.flow.state is FlowState.LOOKUP and desk.flow.draft.card is None
    assert load_draft(booked) is None


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"id_source": "camera"}, "submission.id_source"),
        ({"id_source": "typed", "card_validity": "expired"}, "only for an id_source of card"),
        ({"id_source": "card", "card_validity": "valid", "validity_override": True}, "expired"),
        ({"validity_override": "yes"}, "a boolean"),
        ({"id_source": "card", "card_validity": "expired", "validity_override": True}, None),
        ({"id_source": None, "card_validity": None, "validity_override": None}, None),
    ],
)
def test_the_branch_server_checks_the_identity_fields(fields: dict, problem: str | None) -> None:
    submission = {
        **dict.fromkeys(REQUIRED_TEXT, "x"),
        "lookup_method": "search",
        "item_type": "branch",
        **fields,
    }
    found = item_problem({"idempotency_key": "k", "submission": submission}, False)
    assert (found is None) if problem is None else (found is not None and problem in found)
