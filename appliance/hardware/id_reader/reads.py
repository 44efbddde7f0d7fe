"""One read of the card on the reader, shared by the kiosk's worker and ``appliance idcard
read``: select, read the text, decode; why a read failed; what the audit trail keeps.

Reading a card is an access to personal data: each read (one per card laid on the reader,
whatever the retries) is one audit entry with the reader's SAM id, the outcome and the
number masked. Log lines carry the outcome, the card type and the reason, never a field
of the card.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Protocol

from appliance.domain.id_card import IdCardRecord, UnreadableCard, decode_base_info
from appliance.domain.masking import mask_id_number
from appliance.hardware.id_reader.port import (
    DamagedAnswer,
    IdReader,
    NoAnswer,
    ReaderError,
    SamError,
)
from appliance.hardware.id_reader.status import SamStatus

AUDIT_ACTION = "idcard.read"


class ReadFailure(Enum):
    """Why a card found on the reader was not read."""

    READ_FAILED = "read_failed"  # 41 (the card left mid-read), 81, 47
    CHECK_FAILED = "check_failed"  # 33, 31, 32: the card and the module did not agree
    UNKNOWN_CARD = "unknown_card"  # 40: not a card this reader knows
    UNREADABLE = "unreadable"  # read, but the text does not decode
    NO_ANSWER = "no_answer"  # the module went silent mid-read
    DAMAGED = "damaged"  # only damaged frames came back, after the resends
    OTHER = "other"  # another status


def read_card(reader: IdReader) -> IdCardRecord:
    """Select the card just found and read its text; raises ReaderError or UnreadableCard."""
    reader.select_card()
    return decode_base_info(reader.read_base_info())


def classify(error: Exception) -> ReadFailure:
    if isinstance(error, UnreadableCard):
        return ReadFailure.UNREADABLE
    if isinstance(error, NoAnswer):
        return ReadFailure.NO_ANSWER
    if isinstance(error, DamagedAnswer):
        return ReadFailure.DAMAGED
    if isinstance(error, SamError):
        status = error.status
        if status in (
            SamStatus.READ_FAILED,
            SamStatus.SELECT_FAILED,
            SamStatus.RANDOM_FAILED,
            SamStatus.NO_CARD,
        ):
            return ReadFailure.READ_FAILED
        if status in (
            SamStatus.CHECK_FAILED,
            SamStatus.CARD_REJECTED_READER,
            SamStatus.READER_REJECTED_CARD,
        ):
            return ReadFailure.CHECK_FAILED
        if status is SamStatus.UNKNOWN_CARD:
            return ReadFailure.UNKNOWN_CARD
    return ReadFailure.OTHER


def is_read_failure(error: Exception) -> bool:
    """A failure of this card's read, as opposed to the reader going away or broken."""
    if isinstance(error, UnreadableCard | NoAnswer | DamagedAnswer):
        return True
    return isinstance(error, SamError) and error.status not in (
        SamStatus.SELF_CHECK_FAILED,
        SamStatus.UNAUTHORISED,
    )


def detail(error: Exception) -> str:
    """English, no card data (ReaderError and UnreadableCard messages hold none)."""
    if isinstance(error, ReaderError | UnreadableCard):
        return str(error)
    return type(error).__name__


class AuditSink(Protocol):
    """Where reads are recorded: the kiosk's AuditTrail (``record(action, **entry)``)."""

    def record(self, action: str, **entry: Any) -> object: ...


def audit_entry(
    reader: str | None, record: IdCardRecord | None, failure: ReadFailure | None, **extra: Any
) -> dict[str, Any]:
    """One read as the audit trail keeps it: the number masked, nothing else of the card."""
    entry: dict[str, Any] = {
        "reader": reader,
        "outcome": "success" if record is not None else "failure",
        "card_type": record.card_type.value if record is not None else None,
        "id_number": mask_id_number(record.number) if record is not None else None,
    }
    if failure is not None:
        entry["reason"] = failure.value
    return {**entry, **extra}
