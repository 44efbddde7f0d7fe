"""The acceptance flow: look-up → item → item type → applicant → submitted → printed.

States carry a draft of what the clerk has confirmed so far; going back keeps it, a new
acceptance clears it. A failed print leaves the submission stored (it is never lost)
and the flow where it was, so "打印回执" can be tapped again.

A card read on the ID card reader at the applicant step is kept in the draft
(:class:`~appliance.domain.id_card.CardReading`) with the clerk's choice to accept a
card that is not valid today, and dropped as soon as the acceptance is submitted (the
submission records what was decided, :class:`~appliance.domain.submission.IdentityCheck`)
or abandoned (back to the look-up, or a new acceptance).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, auto

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.id_card import CardReading
from appliance.domain.identity import DocumentType
from appliance.domain.submission import (
    Applicant,
    IdentityCheck,
    IdSource,
    LookupMethod,
    Submission,
)
from appliance.workflow.machine import InvalidTransition, StateMachine


class FlowState(Enum):
    LOOKUP = auto()
    ITEM_SHOWN = auto()
    TYPE_CHOSEN = auto()
    APPLICANT_ENTERED = auto()
    SUBMITTED = auto()
    RECEIPT_PRINTED = auto()


class FlowEvent(Enum):
    ITEM_FOUND = auto()
    CHOOSE_TYPE = auto()
    CARD_READ = auto()
    ENTER_APPLICANT = auto()
    STORED = auto()
    PRINTED = auto()
    PRINT_FAILED = auto()
    BACK = auto()
    RESET = auto()


S, E = FlowState, FlowEvent
FLOW_TRANSITIONS: dict[tuple[FlowState, FlowEvent], FlowState] = {
    (S.LOOKUP, E.ITEM_FOUND): S.ITEM_SHOWN,
    (S.ITEM_SHOWN, E.CHOOSE_TYPE): S.TYPE_CHOSEN,
    (S.TYPE_CHOSEN, E.CHOOSE_TYPE): S.TYPE_CHOSEN,
    (S.TYPE_CHOSEN, E.CARD_READ): S.TYPE_CHOSEN,
    (S.TYPE_CHOSEN, E.ENTER_APPLICANT): S.APPLICANT_ENTERED,
    (S.APPLICANT_ENTERED, E.CHOOSE_TYPE): S.APPLICANT_ENTERED,
    (S.APPLICANT_ENTERED, E.STORED): S.SUBMITTED,
    (S.SUBMITTED, E.PRINTED): S.RECEIPT_PRINTED,
    (S.SUBMITTED, E.PRINT_FAILED): S.SUBMITTED,
    (S.RECEIPT_PRINTED, E.PRINTED): S.RECEIPT_PRINTED,
    (S.RECEIPT_PRINTED, E.PRINT_FAILED): S.RECEIPT_PRINTED,
    (S.ITEM_SHOWN, E.BACK): S.LOOKUP,
    (S.TYPE_CHOSEN, E.BACK): S.ITEM_SHOWN,
    (S.APPLICANT_ENTERED, E.BACK): S.TYPE_CHOSEN,
    **{(state, E.RESET): S.LOOKUP for state in FlowState},
}


@dataclass
class Draft:
    """What the clerk has confirmed so far in this acceptance."""

    lookup_method: LookupMethod | None = None
    item: ServiceItem | None = None
    queue_number: str | None = None
    appointment_number: str | None = None
    known_applicant: Applicant | None = None
    item_type: ItemType | None = None
    applicant: Applicant | None = None
    submission: Submission | None = None
    copies_printed: int = 0
    print_error: str | None = None
    form: dict[str, str] = field(default_factory=dict)  # applicant fields as typed so far
    card: CardReading | None = None  # the last card read at the applicant step
    validity_override: bool = False  # 仍然受理: that card accepted though not valid today

    def identity_check(self) -> IdentityCheck:
        """How the applicant entered was established: the card read when its type and
        number are the ones entered, else the booked applicant's, else typed."""
        applicant, card = self.applicant, self.card
        assert applicant is not None
        doc_type = DocumentType(applicant.id_type)
        if card is not None and card.matches(doc_type, applicant.id_number):
            return IdentityCheck(
                IdSource.CARD, card.validity, override=self.validity_override and not card.valid
            )
        known = self.known_applicant
        if known is not None and (known.id_type, known.id_number) == (
            applicant.id_type,
            applicant.id_number,
        ):
            return IdentityCheck(IdSource.APPOINTMENT)
        return IdentityCheck(IdSource.TYPED)


class AcceptanceFlow(StateMachine[FlowState, FlowEvent]):
    def __init__(self) -> None:
        super().__init__(FlowState.LOOKUP, FLOW_TRANSITIONS)
        self.draft = Draft()

    def item_found(
        self,
        item: ServiceItem,
        method: LookupMethod,
        *,
        queue_number: str | None = None,
        appointment_number: str | None = None,
        known_applicant: Applicant | None = None,
    ) -> None:
        self.fire(FlowEvent.ITEM_FOUND)
        self.draft = Draft(
            lookup_method=method,
            item=item,
            queue_number=queue_number,
            appointment_number=appointment_number,
            known_applicant=known_applicant,
        )

    def choose_type(self, item_type: ItemType) -> None:
        self.fire(FlowEvent.CHOOSE_TYPE)
        self.draft.item_type = item_type

    def card_read(self, card: CardReading) -> None:
        """A card read at the applicant step; a new card needs its own choice."""
        self.fire(FlowEvent.CARD_READ)
        self.draft.card = card
        self.draft.validity_override = False

    def enter_applicant(self, applicant: Applicant, *, validity_override: bool = False) -> None:
        self.fire(FlowEvent.ENTER_APPLICANT)
        self.draft.applicant = applicant
        self.draft.validity_override = validity_override

    def stored(self, submission: Submission) -> None:
        self.fire(FlowEvent.STORED)
        self.draft.submission = submission
        self._forget_card()

    def _forget_card(self) -> None:
        self.draft.card = None
        self.draft.validity_override = False

    def printed(self, copies: int) -> None:
        self.fire(FlowEvent.PRINTED)
        self.draft.copies_printed = copies
        self.draft.print_error = None

    def print_failed(self, message: str) -> None:
        self.fire(FlowEvent.PRINT_FAILED)
        self.draft.print_error = message

    def back(self) -> None:
        """One step back; back to the look-up abandons the acceptance's card read."""
        self.fire(FlowEvent.BACK)
        if self.state is FlowState.LOOKUP:
            self._forget_card()

    def restore(self, state: FlowState, draft: Draft) -> None:
        """Resume a kept draft after a restart; only from a fresh flow."""
        if self.state is not FlowState.LOOKUP:
            raise InvalidTransition(self.state, FlowEvent.RESET)
        self._state = state
        self.draft = draft

    def reset(self) -> None:
        """Start the next acceptance ("下一位"); a stored submission stays stored."""
        self.fire(FlowEvent.RESET)
        self.draft = Draft()
