"""The sync worker: drains the outbox in order, pulls look-up data, keeps its state.

One loop, one thread. Idle, it looks for sendable rows and for the kiosk's online
appointment look-ups every ``poll_s`` (cheap indexed queries), so a new submission leaves
within a second and a look-up is asked at once, even during a backoff. Any failure
releases the batch, records the error for the kiosk and waits a capped, fully jittered
backoff (or the server's Retry-After). A rejected item is set aside; the rest flow on.
Deliveries and pulls count their failures apart: failed pulls put off the next pull, not
the next delivery, and a drain that went through (an empty one too) starts the delivery
backoff afresh.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from appliance import __version__, log
from appliance.store import outbox
from appliance.store.appointment_requests import has_pending
from appliance.store.audit_trail import audit_now
from appliance.store.device_health import read_health
from appliance.store.retention import purge_personal_fields
from appliance.store.sync_state import write_state
from appliance.sync.audit_delivery import deliver_audit
from appliance.sync.backoff import Backoff
from appliance.sync.client import BatchRefused, BranchClient, SyncProblem
from appliance.sync.lookups import answer_lookups
from appliance.sync.pulls import pull_appointments, pull_catalogue
from appliance.updates.status import read_status_file

HALL_TIME = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class WorkerSettings:
    batch_size: int = 100
    lease_s: float = 60.0
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 300.0
    pull_interval_s: float = 300.0
    retention_days: int = 30
    poll_s: float = 0.25
    device_id: str = "counter-box"
    # <data_dir>/updates: status.json of the root slots, written at boot (issue 16)
    updates_dir: Path | None = None


def wire_item(item: outbox.OutboxItem) -> dict[str, Any]:
    """The item as sent: its key and the stored submission (an envelope that already
    carries ``submission`` and its signature is sent as it is)."""
    body = json.loads(item.payload)
    envelope = body if "submission" in body else {"submission": body}
    return {"idempotency_key": item.idempotency_key, **envelope}


class SyncWorker:
    def __init__(
        self,
        db: sqlite_utils.Database,
        client: BranchClient,
        settings: WorkerSettings,
        now: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.settings = settings
        self.now = now or (lambda: datetime.now(UTC))
        self.rng = rng or random.Random()
        self.deliveries = Backoff(settings.backoff_base_s, settings.backoff_cap_s)
        self.pulls = Backoff(settings.backoff_base_s, settings.backoff_cap_s)

    def drain(self) -> int:
        """Deliver until nothing is sendable; return how many were delivered."""
        delivered = 0
        while batch := outbox.claim(
            self.db, self.settings.batch_size, self.settings.lease_s, self.now()
        ):
            delivered += self._send(batch)
        deliver_audit(self.db, self.client, self.now(), self.settings.batch_size)  # issue 9
        return delivered

    def _send(self, batch: list[outbox.OutboxItem]) -> int:
        started = time.monotonic()
        keys = [item.idempotency_key for item in batch]
        try:
            outcomes = self.client.submit([wire_item(item) for item in batch])
        except BatchRefused as refused:
            if len(batch) == 1:
                self._reject(batch[0].idempotency_key, str(refused))
                return 0
            return self._send_singly(batch)
        except BaseException as exc:
            outbox.release(self.db, keys, str(exc))
            raise
        outbox.mark_delivered(
            self.db, [o.idempotency_key for o in outcomes if o.delivered], self.now()
        )
        for outcome in outcomes:
            if not outcome.delivered:
                self._reject(outcome.idempotency_key, f"{outcome.status}: {outcome.reason}")
        delivered = sum(o.delivered for o in outcomes)
        if delivered:
            audit_now(
                self.db,
                self.now(),
                "sync.delivered",
                {"items": delivered, "keys": [o.idempotency_key for o in outcomes if o.delivered]},
            )
        log.event(
            "sync.batch",
            items=len(batch),
            delivered=delivered,
            rejected=len(batch) - delivered,
            ms=round((time.monotonic() - started) * 1000),
        )
        return delivered

    def _send_singly(self, batch: list[outbox.OutboxItem]) -> int:
        """After a refused batch, find the bad item by sending each on its own."""
        delivered = 0
        for index, item in enumerate(batch):
            try:
                delivered += self._send([item])
            except BaseException:
                outbox.release(
                    self.db, [i.idempotency_key for i in batch[index + 1 :]], "batch interrupted"
                )
                raise
        return delivered

    def _reject(self, key: str, reason: str) -> None:
        outbox.mark_rejected(self.db, key, reason)
        audit_now(self.db, self.now(), "sync.rejected", {"key": key, "reason": reason[:200]})
        log.event("sync.rejected", outcome="failure", key=key, reason=reason[:200])

    def pull(self) -> None:
        catalogue = pull_catalogue(self.db, self.client)
        appointments = pull_appointments(
            self.db, self.client, self.now().astimezone(HALL_TIME).date()
        )
        counts = outbox.counts(self.db)
        self.client.heartbeat(
            {
                "device_id": self.settings.device_id,
                "version": __version__,
                "backlog": counts.backlog,
                "rejected": counts.rejected,
                "health": read_health(self.db, self.now()),
                "update": (
                    read_status_file(self.settings.updates_dir)
                    if self.settings.updates_dir is not None
                    else None
                ),
                "sent_at": self.now().isoformat(timespec="seconds"),
            }
        )
        purged = purge_personal_fields(self.db, self.now(), self.settings.retention_days)
        log.event(
            "sync.pull", catalogue_changes=catalogue, appointments=appointments, purged=purged
        )

    def succeeded(self, pulls: bool = False) -> None:
        """A delivery (or with ``pulls``, a pull) went through: online, its backoff reset."""
        backoff = self.pulls if pulls else self.deliveries
        if failures := backoff.reset():
            log.event("sync.recovered", after_failures=failures, work=_work(pulls))
        write_state(self.db, online="1", last_success_at=outbox.stamp(self.now()))

    def failed(self, problem: SyncProblem, pulls: bool = False) -> float:
        """Record the failure for the kiosk and return how long to wait (before the next
        delivery, or with ``pulls`` before the next pull)."""
        backoff = self.pulls if pulls else self.deliveries
        delay = backoff.failed(problem.retry_after, self.rng)
        log.event(
            "sync.problem",
            outcome="failure",
            kind=problem.kind,
            detail=problem.detail[:200],
            work=_work(pulls),
            failures=backoff.failures,
            retry_in_s=round(delay, 2),
        )
        write_state(
            self.db,
            online="0",
            last_error=str(problem)[:300],
            last_error_at=outbox.stamp(self.now()),
        )
        return delay

    def run(self, stop: threading.Event) -> None:
        """Loop until ``stop`` is set."""
        next_pull = 0.0
        while not stop.is_set():
            self.answer_lookups()
            delay = self.deliver()
            if delay is not None:
                self._back_off(stop, delay)
                continue
            if time.monotonic() >= next_pull:
                next_pull = time.monotonic() + self.pull_or_delay()
            self._idle(stop, next_pull)

    def deliver(self) -> float | None:
        """Drain once: None when it went through, else how long to back off. A drain with
        nothing to send that went through resets the delivery backoff as well."""
        try:
            delivered = self.drain()
        except SyncProblem as problem:
            return self.failed(problem)
        if delivered:
            self.succeeded()
        elif failures := self.deliveries.reset():
            log.event("sync.recovered", after_failures=failures, work="delivery")
        return None

    def answer_lookups(self) -> bool | None:
        """The kiosk's online appointment look-ups: it waits on them, so they go first."""
        return answer_lookups(self.db, self.client, self.now)

    def _back_off(self, stop: threading.Event, delay: float) -> None:
        """Wait ``delay``; a look-up asked meanwhile is tried at once, and one the server
        answers ends the wait (the network is back, the outbox may go too)."""
        deadline = time.monotonic() + delay
        while not stop.wait(min(self.settings.poll_s, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                return
            if has_pending(self.db) and self.answer_lookups():
                return

    def pull_or_delay(self) -> float:
        """Pull now; return the seconds until the next pull (the pull backoff after a
        failure; deliveries go on meanwhile on their own backoff)."""
        try:
            self.pull()
        except SyncProblem as problem:
            return self.failed(problem, pulls=True)
        self.succeeded(pulls=True)
        return self.settings.pull_interval_s

    def _idle(self, stop: threading.Event, next_pull: float) -> None:
        while not stop.wait(self.settings.poll_s):
            if (
                time.monotonic() >= next_pull
                or outbox.has_sendable(self.db, self.now())
                or has_pending(self.db)
            ):
                return


def _work(pulls: bool) -> str:
    return "pull" if pulls else "delivery"
