"""Answering the kiosk's online appointment look-ups (the kiosk has no network itself).

A found appointment is stored in the local cache before the request is answered, so the
kiosk reads it where it reads every other appointment. A used mark made on this box is
kept. When the server cannot be reached, every pending request is answered ``failed``
at once: the next one would only wait for the same timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import sqlite_utils

from appliance import log
from appliance.store import appointment_requests as requests
from appliance.store.appointment_requests import RequestState
from appliance.store.appointments import find_appointment, save_appointments
from appliance.sync.client import BranchClient, SyncProblem
from appliance.sync.pulls import appointment_from_wire


def answer_lookups(
    db: sqlite_utils.Database, client: BranchClient, now: Callable[[], datetime]
) -> bool | None:
    """Answer the pending requests: True when the server answered them, False when it
    could not be reached, None when nothing was asked."""
    asked = requests.pending(db)
    for number in asked:
        started = time.monotonic()
        try:
            state = _look_up(db, client, number)
        except SyncProblem as problem:
            for failed in requests.pending(db):
                requests.answer(db, failed, RequestState.FAILED, now(), problem.kind)
            log.event(
                "appointment.lookup",
                outcome="failure",
                answer="failed",
                kind=problem.kind,
                detail=problem.detail[:200],
                ms=round((time.monotonic() - started) * 1000),
            )
            return False
        requests.answer(db, number, state, now())
        log.event(
            "appointment.lookup",
            outcome="success",
            answer=state.value,
            ms=round((time.monotonic() - started) * 1000),
        )
    return True if asked else None


def _look_up(db: sqlite_utils.Database, client: BranchClient, number: str) -> RequestState:
    raw = client.appointment(number)
    if raw is None:
        return RequestState.NOT_FOUND
    try:
        appointment = appointment_from_wire(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncProblem("protocol", f"appointment unusable: {exc}") from None
    if appointment.number != number:
        raise SyncProblem("protocol", "the server answered another appointment")
    local = find_appointment(db, number)
    if local is not None and local.used:
        appointment = replace(appointment, used=True)
    save_appointments(db, [appointment])
    return RequestState.FOUND
