"""The operator session and the acceptance flow, as the manual describes them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.submission import (
    Applicant,
    LookupMethod,
    Operator,
    Submission,
)
from appliance.workflow.acceptance import FLOW_TRANSITIONS, AcceptanceFlow, FlowState
from appliance.workflow.machine import InvalidTransition
from appliance.workflow.session import OperatorSession, SessionState

ITEM = ServiceItem("442000-GA-0101", "居民身份证换领", "中山市公安局", 20, ItemType.BRANCH)
APPLICANT = Applicant("张晓三", "resident_id", "11010519491231002X")
OPERATOR = Operator("陈晓明", "1A2B")


def submission() -> Submission:
    return Submission(
        id="s1",
        receipt_number="ZS-08-20261129-0001",
        created_at=datetime(2026, 11, 27, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        hall_name="中山分厅",
        window="08",
        operator=OPERATOR,
        lookup_method=LookupMethod.QR,
        item=ITEM,
        item_type=ItemType.BRANCH,
        applicant=APPLICANT,
    )


def test_session_starts_locked_and_needs_a_key_before_a_pin() -> None:
    session = OperatorSession()
    assert session.state is SessionState.LOCKED
    with pytest.raises(InvalidTransition):
        session.pin_accepted(OPERATOR)


def test_wrong_pin_stays_in_pin_entry_and_counts_attempts() -> None:
    session = OperatorSession()
    session.key_present()
    session.pin_rejected()
    session.pin_rejected()
    assert session.state is SessionState.PIN_ENTRY
    assert session.failed_attempts == 2
    session.pin_accepted(OPERATOR)
    assert session.state is SessionState.LOGGED_IN
    assert session.operator == OPERATOR
    assert session.failed_attempts == 0


@pytest.mark.parametrize("logged_in", [True, False])
def test_pulled_key_locks_the_session(logged_in: bool) -> None:
    session = OperatorSession()
    session.key_present()
    if logged_in:
        session.pin_accepted(OPERATOR)
    session.key_removed()
    assert session.state is SessionState.LOCKED
    assert session.operator is None


def test_pulled_key_while_locked_is_harmless() -> None:
    session = OperatorSession()
    session.key_removed()
    assert session.state is SessionState.LOCKED


def test_lock_clears_the_operator() -> None:
    session = OperatorSession()
    session.key_present()
    session.pin_accepted(OPERATOR)
    session.lock()
    assert session.state is SessionState.LOCKED and session.operator is None


def walk_to_submitted(flow: AcceptanceFlow) -> None:
    flow.item_found(ITEM, LookupMethod.QR, queue_number="A023")
    flow.choose_type(ItemType.BRANCH)
    flow.enter_applicant(APPLICANT)
    flow.stored(submission())


def test_full_acceptance_goes_from_lookup_to_printed_receipt() -> None:
    flow = AcceptanceFlow()
    assert flow.state is FlowState.LOOKUP
    walk_to_submitted(flow)
    assert flow.state is FlowState.SUBMITTED
    flow.printed(copies=1)
    assert flow.state is FlowState.RECEIPT_PRINTED
    assert flow.draft.queue_number == "A023"
    assert flow.draft.item_type is ItemType.BRANCH


def test_failed_print_keeps_the_submission_and_allows_a_retry() -> None:
    flow = AcceptanceFlow()
    walk_to_submitted(flow)
    flow.print_failed("paper_out")
    assert flow.state is FlowState.SUBMITTED
    assert flow.draft.submission is not None
    assert flow.draft.print_error == "paper_out"
    flow.printed(copies=1)
    assert flow.draft.print_error is None


def test_reprint_stays_on_the_success_page() -> None:
    flow = AcceptanceFlow()
    walk_to_submitted(flow)
    flow.printed(copies=1)
    flow.printed(copies=2)
    assert flow.state is FlowState.RECEIPT_PRINTED
    assert flow.draft.copies_printed == 2


def test_back_keeps_the_draft_until_reset() -> None:
    flow = AcceptanceFlow()
    flow.item_found(ITEM, LookupMethod.SEARCH)
    flow.choose_type(ItemType.DEPARTMENT)
    flow.back()
    assert flow.state is FlowState.ITEM_SHOWN
    assert flow.draft.item == ITEM
    flow.reset()
    assert flow.state is FlowState.LOOKUP
    assert flow.draft.item is None


def test_cannot_submit_without_an_applicant_or_skip_the_item_type() -> None:
    flow = AcceptanceFlow()
    flow.item_found(ITEM, LookupMethod.QR)
    with pytest.raises(InvalidTransition):
        flow.enter_applicant(APPLICANT)
    with pytest.raises(InvalidTransition):
        flow.stored(submission())


def test_cannot_go_back_after_submitting() -> None:
    flow = AcceptanceFlow()
    walk_to_submitted(flow)
    with pytest.raises(InvalidTransition):
        flow.back()


def test_every_state_can_start_a_new_acceptance() -> None:
    assert {state for state, _ in FLOW_TRANSITIONS} == set(FlowState)
