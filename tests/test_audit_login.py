"""Refused logins are audited with their reason, in the hash chain, without PIN or name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from appliance.hardware.key.detection import Diagnosis, KeyState
from appliance.hardware.key.pkcs11_key import KeyUnusable, failure_reason, pin_refusal
from appliance.hardware.key.port import KeyAbsent, PinLocked
from appliance.hardware.key.service import problem_for
from appliance.store.audit_check import verify_chain
from appliance.store.audit_trail import AuditTrail
from appliance.store.db import connect
from appliance.workflow.audited import AuditedSession

START = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
REFUSALS = [
    (pin_refusal(0, 1), "wrong_pin"),
    (PinLocked(), "pin_locked"),
    (problem_for(Diagnosis(KeyState.EXPIRED)), "expired"),
    (problem_for(Diagnosis(KeyState.NOT_YET_VALID)), "not_yet_valid"),
    (problem_for(Diagnosis(KeyState.UNTRUSTED)), "untrusted"),
    (problem_for(Diagnosis(KeyState.KEY_MISMATCH)), "key_mismatch"),
    (KeyUnusable("key_mismatch", "the key's private key does not match"), "key_mismatch"),
    (problem_for(Diagnosis(KeyState.SM2_ONLY)), "sm2_only"),
    (KeyAbsent(), "key_absent"),
]


@pytest.mark.parametrize(("error", "reason"), REFUSALS)
def test_each_refusal_has_its_reason(error: Exception, reason: str) -> None:
    assert failure_reason(error) == reason


def test_login_failures_are_audited_with_their_reason(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path / "appliance.db", lambda: START)
    session = AuditedSession(trail)
    session.key_present()
    for error, _reason in REFUSALS:
        session.pin_rejected(failure_reason(error))
    trail.flush()
    trail.close()
    db = connect(tmp_path / "appliance.db")
    rows = db.execute(
        "SELECT entry FROM audit_log WHERE action = 'login.failure' ORDER BY seq"
    ).fetchall()
    entries = [json.loads(row[0]) for row in rows]
    assert [e["reason"] for e in entries] == [reason for _error, reason in REFUSALS]
    assert [e["attempts"] for e in entries] == list(range(1, len(REFUSALS) + 1))
    assert all(set(e) == {"reason", "attempts"} for e in entries)  # no PIN, no name
    assert verify_chain(db).intact
