"""Turns the flow's draft into plain JSON and back, for :mod:`appliance.store.drafts`."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.id_card import CardReading, CardType, Validity
from appliance.domain.submission import (
    Applicant,
    IdentityCheck,
    IdSource,
    LookupMethod,
    Operator,
    Submission,
)
from appliance.workflow.acceptance import Draft, FlowState


def _item(raw: dict[str, Any] | None) -> ServiceItem | None:
    if raw is None:
        return None
    return ServiceItem(
        raw["code"],
        raw["name"],
        raw["department"],
        raw["promised_days"],
        ItemType(raw["default_type"]),
    )


def _applicant(raw: dict[str, Any] | None) -> Applicant | None:
    return Applicant(**raw) if raw else None


def _item_dict(item: ServiceItem | None) -> dict[str, Any] | None:
    return None if item is None else {**asdict(item), "default_type": item.default_type.value}


def _card_dict(card: CardReading | None) -> dict[str, Any] | None:
    if card is None:
        return None
    return {
        "card_type": card.card_type.value,
        "number": card.number,
        "valid_from": card.valid_from.isoformat(),
        "valid_to": card.valid_to.isoformat() if card.valid_to else None,
        "validity": card.validity.value,
        "number_ok": card.number_ok,
    }


def _card(raw: dict[str, Any] | None) -> CardReading | None:
    if raw is None:
        return None
    return CardReading(
        CardType(raw["card_type"]),
        raw["number"],
        date.fromisoformat(raw["valid_from"]),
        date.fromisoformat(raw["valid_to"]) if raw["valid_to"] else None,
        Validity(raw["validity"]),
        raw["number_ok"],
    )


def _identity_dict(identity: IdentityCheck | None) -> dict[str, Any] | None:
    if identity is None:
        return None
    validity = identity.card_validity
    return {
        "source": identity.source.value,
        "card_validity": validity.value if validity else None,
        "override": identity.override,
    }


def _identity(raw: dict[str, Any] | None) -> IdentityCheck | None:
    if raw is None:
        return None
    validity = raw["card_validity"]
    return IdentityCheck(
        IdSource(raw["source"]), Validity(validity) if validity else None, raw["override"]
    )


def _submission_dict(s: Submission | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "id": s.id,
        "receipt_number": s.receipt_number,
        "created_at": s.created_at.isoformat(),
        "hall_name": s.hall_name,
        "window": s.window,
        "operator": asdict(s.operator),
        "lookup_method": s.lookup_method.value,
        "item": _item_dict(s.item),
        "item_type": s.item_type.value,
        "applicant": asdict(s.applicant),
        "queue_number": s.queue_number,
        "appointment_number": s.appointment_number,
        "identity": _identity_dict(s.identity),
    }


def _submission(raw: dict[str, Any] | None) -> Submission | None:
    if raw is None:
        return None
    item, applicant = _item(raw["item"]), _applicant(raw["applicant"])
    assert item is not None and applicant is not None
    return Submission(
        id=raw["id"],
        receipt_number=raw["receipt_number"],
        created_at=datetime.fromisoformat(raw["created_at"]),
        hall_name=raw["hall_name"],
        window=raw["window"],
        operator=Operator(**raw["operator"]),
        lookup_method=LookupMethod(raw["lookup_method"]),
        item=item,
        item_type=ItemType(raw["item_type"]),
        applicant=applicant,
        queue_number=raw["queue_number"],
        appointment_number=raw["appointment_number"],
        identity=_identity(raw.get("identity")),
    )


def encode(state: FlowState, draft: Draft) -> dict[str, Any]:
    return {
        "state": state.name,
        "lookup_method": draft.lookup_method.value if draft.lookup_method else None,
        "item": _item_dict(draft.item),
        "queue_number": draft.queue_number,
        "appointment_number": draft.appointment_number,
        "known_applicant": asdict(draft.known_applicant) if draft.known_applicant else None,
        "item_type": draft.item_type.value if draft.item_type else None,
        "applicant": asdict(draft.applicant) if draft.applicant else None,
        "submission": _submission_dict(draft.submission),
        "copies_printed": draft.copies_printed,
        "form": dict(draft.form),
        "card": _card_dict(draft.card),
        "validity_override": draft.validity_override,
    }


def decode(raw: dict[str, Any]) -> tuple[FlowState, Draft]:
    method = raw.get("lookup_method")
    kind = raw.get("item_type")
    return FlowState[raw["state"]], Draft(
        lookup_method=LookupMethod(method) if method else None,
        item=_item(raw.get("item")),
        queue_number=raw.get("queue_number"),
        appointment_number=raw.get("appointment_number"),
        known_applicant=_applicant(raw.get("known_applicant")),
        item_type=ItemType(kind) if kind else None,
        applicant=_applicant(raw.get("applicant")),
        submission=_submission(raw.get("submission")),
        copies_printed=raw.get("copies_printed", 0),
        form=dict(raw.get("form") or {}),
        card=_card(raw.get("card")),
        validity_override=raw.get("validity_override", False),
    )
