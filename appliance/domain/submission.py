"""An accepted application (办件) as it is stored, printed and synced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.id_card import Validity


class LookupMethod(Enum):
    """How the clerk found the item: the three entries of the 窗口受理 screen."""

    QR = "qr"
    APPOINTMENT = "appointment"
    SEARCH = "search"


@dataclass(frozen=True)
class Applicant:
    """办事人: identity already validated by :mod:`appliance.domain.identity`."""

    name: str
    id_type: str
    id_number: str
    phone: str | None = None


class IdSource(Enum):
    """Where the document number submitted came from; values are stable codes (storage,
    the branch server's ``id_source``)."""

    TYPED = "typed"  # typed by the clerk (or corrected by hand after a read)
    CARD = "card"  # read from the card on the ID card reader, unchanged
    APPOINTMENT = "appointment"  # the booked applicant's, unchanged


@dataclass(frozen=True)
class IdentityCheck:
    """How the applicant's identity was established, recorded with the submission.

    ``card_validity`` is the card's validity on the day it was read (only with
    ``source`` CARD); ``override`` is the clerk's explicit choice to accept a card that
    was not valid that day (仍然受理). The card's dates are not kept.
    """

    source: IdSource
    card_validity: Validity | None = None
    override: bool = False


@dataclass(frozen=True)
class Operator:
    name: str
    serial: str


@dataclass(frozen=True)
class Submission:
    id: str
    receipt_number: str
    created_at: datetime
    hall_name: str
    window: str
    operator: Operator
    lookup_method: LookupMethod
    item: ServiceItem
    item_type: ItemType
    applicant: Applicant
    queue_number: str | None = None
    appointment_number: str | None = None
    identity: IdentityCheck | None = None  # None: stored before the box recorded it

    @property
    def promised_date(self) -> date | None:
        """Promised completion: ``promised_days`` working days after acceptance."""
        if self.item.promised_days is None:
            return None
        return add_working_days(self.created_at.date(), self.item.promised_days)


def add_working_days(start: date, days: int) -> date:
    """Count forward over Monday–Friday (public holidays are not known on the box yet)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def receipt_number(window: str, day: date, sequence: int) -> str:
    """``ZS-<window>-<yyyymmdd>-<nnnn>``: unique per box, readable over the phone."""
    return f"ZS-{window}-{day:%Y%m%d}-{sequence:04d}"
