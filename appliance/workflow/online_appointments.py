"""Appointments the local cache lacks, asked online through the sync process.

The kiosk process has no IP networking (its unit allows only AF_UNIX and AF_NETLINK), so
a cache miss becomes a request row in the shared database; the sync process asks the
branch server and answers in that row. The counter waits a few seconds at most: a
clerk with an applicant in front of them is better served by "check the number, or
search by item" than by a spinner.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime

import sqlite_utils

from appliance import log
from appliance.store.appointment_requests import RequestState, answer, answer_of, ask
from appliance.store.appointments import Appointment, find_appointment
from appliance.store.sync_state import read_state
from appliance.wording import text

LOOKUP_WAIT_S = 5.0
POLL_S = 0.1
NUMBER = re.compile(r"^[A-Za-z0-9-]{1,40}$")  # what the branch server's path accepts
WAITING_MESSAGE = text("appointment.waiting")
OFFLINE_MESSAGE = text("appointment.offline")


class LookupOffline(Exception):
    """No answer from the branch server. ``reason``: the sync problem's kind (network,
    timeout, server …), ``wait_timeout`` (no answer in time) or ``no_sync`` (no sync
    process has ever run on this box, so nobody would answer)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"online look-up unavailable: {reason}")
        self.reason = reason


class OnlineAppointments:
    def __init__(
        self,
        db: sqlite_utils.Database,
        now: Callable[[], datetime],
        wait_s: float = LOOKUP_WAIT_S,
        poll_s: float = POLL_S,
    ) -> None:
        self.db = db
        self.now = now
        self.wait_s = wait_s
        self.poll_s = poll_s
        self.on_wait: Callable[[str], None] | None = None  # the UI shows WAITING_MESSAGE

    def fetch(self, number: str) -> Appointment | None:
        """The appointment from the branch server (now also cached), None when the server
        does not know the number; raises :class:`LookupOffline` when it cannot tell."""
        if not NUMBER.match(number):
            return None
        started = time.monotonic()
        if read_state(self.db).get("online") is None:
            self._log_offline("no_sync", started)
            raise LookupOffline("no_sync")
        ask(self.db, number, self.now())
        if self.on_wait:
            self.on_wait(WAITING_MESSAGE)
        while True:
            reply = answer_of(self.db, number)
            state = reply.state if reply else RequestState.FAILED
            if state is RequestState.FOUND:
                self._log_answer("found", started)
                return find_appointment(self.db, number)
            if state is RequestState.NOT_FOUND:
                self._log_answer("not_found", started)
                return None
            if state is RequestState.FAILED:
                reason = (reply.detail if reply else None) or "failed"
                self._log_offline(reason, started)
                raise LookupOffline(reason)
            if time.monotonic() - started >= self.wait_s:
                answer(self.db, number, RequestState.FAILED, self.now(), "wait_timeout")
                continue  # read whichever answer came first: ours or the sync process's
            time.sleep(self.poll_s)

    def _log_answer(self, result: str, started: float) -> None:
        log.event(
            "appointment.online",
            outcome="success",
            answer=result,
            ms=round((time.monotonic() - started) * 1000),
        )

    def _log_offline(self, reason: str, started: float) -> None:
        log.event(
            "appointment.online",
            outcome="failure",
            answer="offline",
            reason=reason,
            ms=round((time.monotonic() - started) * 1000),
        )
