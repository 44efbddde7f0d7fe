"""Checks on what a box sends, item by item, as the OpenAPI document describes it.

A bad item is answered "invalid" with a reason and does not spoil its batch.
"""

from __future__ import annotations

from typing import Any

import rfc8785

from appliance.sync.canonical import canonical, verify_signature

REQUIRED_TEXT = (
    "id",
    "receipt_number",
    "created_at",
    "window",
    "item_code",
    "item_name",
    "operator_name",
    "applicant_name",
    "id_type",
    "id_number",
)
OPTIONAL_TEXT = (
    "hall_name",
    "operator_serial",
    "queue_number",
    "appointment_number",
    "promised_date",
    "phone",
)
LOOKUP_METHODS = ("qr", "appointment", "search")
ID_SOURCES = ("typed", "card", "appointment")
CARD_VALIDITIES = ("valid", "expired", "not_yet_valid")
ITEM_TYPES = ("branch", "department")
MAX_KEY_LENGTH = 100
MAX_COUNT = 2**63 - 1  # a heartbeat's counters, as a 64-bit integer


def item_problem(item: Any, require_signature: bool) -> str | None:
    """What is wrong with one wire item, or None."""
    if not isinstance(item, dict):
        return "item is not an object"
    submission = item.get("submission")
    if not isinstance(submission, dict):
        return "submission: an object is required"
    for name in REQUIRED_TEXT:
        value = submission.get(name)
        if not isinstance(value, str) or not value:
            return f"submission.{name}: a non-empty string is required"
    for name in OPTIONAL_TEXT:
        if submission.get(name) is not None and not isinstance(submission[name], str):
            return f"submission.{name}: a string or null is required"
    if submission.get("lookup_method") not in LOOKUP_METHODS:
        return f"submission.lookup_method: one of {', '.join(LOOKUP_METHODS)} is required"
    if submission.get("item_type") not in ITEM_TYPES:
        return f"submission.item_type: one of {', '.join(ITEM_TYPES)} is required"
    if problem := _identity_problem(submission):
        return problem
    try:
        canonical(item)
    except rfc8785.CanonicalizationError as exc:
        return f"not representable as canonical JSON (RFC 8785): {exc}"
    return _signature_problem(item, submission, require_signature)


def _identity_problem(submission: dict[str, Any]) -> str | None:
    """id_source, card_validity and validity_override: each optional, and consistent."""
    source = submission.get("id_source")
    validity = submission.get("card_validity")
    override = submission.get("validity_override")
    if source is not None and source not in ID_SOURCES:
        return f"submission.id_source: one of {', '.join(ID_SOURCES)} or null"
    if validity is not None and validity not in CARD_VALIDITIES:
        return f"submission.card_validity: one of {', '.join(CARD_VALIDITIES)} or null"
    if override is not None and not isinstance(override, bool):
        return "submission.validity_override: a boolean or null is required"
    if validity is not None and source != "card":
        return "submission.card_validity: only for an id_source of card"
    if override and validity not in ("expired", "not_yet_valid"):
        return "submission.validity_override: only for a card expired or not yet valid"
    return None


HEARTBEAT_TYPES: dict[str, type | tuple[type, ...]] = {
    "device_id": str,
    "version": str,
    "backlog": int,
    "rejected": int,
    "health": dict,
    "sent_at": str,
    "update": (dict, type(None)),
}


def heartbeat_problem(body: dict[str, Any]) -> str | None:
    for name, kind in HEARTBEAT_TYPES.items():
        if name not in body:
            continue
        value = body[name]
        if kind is int and isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON Schema counts 3.0 as an integer
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"{name}: wrong type"
        if kind is int and isinstance(value, int) and not 0 <= value <= MAX_COUNT:
            return f"{name}: from 0 to {MAX_COUNT}"
    health = body.get("health") or {}
    if not all(isinstance(v, str) for v in health.values()):
        return "health: every value must be a string"
    return None


def _signature_problem(
    item: dict[str, Any], submission: dict[str, Any], require_signature: bool
) -> str | None:
    certificate, signature = item.get("operator_certificate"), item.get("signature")
    if certificate is None and signature is None:
        return "signature: the operator's signature is required" if require_signature else None
    if not isinstance(certificate, str) or not isinstance(signature, str):
        return "signature: operator_certificate and signature must both be strings"
    try:
        signer = verify_signature(submission, certificate, signature)
    except ValueError as exc:
        return f"signature: {exc}"
    if signer != submission.get("operator_serial"):
        return "signature: signed with another certificate than the operator_serial named"
    return None


def key_of(item: Any) -> str | None:
    """The item's idempotency key when it is usable, else None (the batch is refused)."""
    if not isinstance(item, dict):
        return None
    key = item.get("idempotency_key")
    if isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH:
        return key
    return None
