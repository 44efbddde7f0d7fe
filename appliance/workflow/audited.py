"""The operator session and the acceptance flow, audited where their actions happen.

Both state machines already see every login, pulled key, lock, look-up and print, in
the kiosk and in plain tests alike, so the audit hooks live in subclasses of them, which
the counter uses when it is given an audit trail. The flow also notes when an
acceptance's first look-up happened, for the handling time (first look-up to submit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlite_utils

from appliance.domain.catalogue import ServiceItem
from appliance.domain.masking import mask_id_number
from appliance.domain.submission import Applicant, LookupMethod, Operator, Submission
from appliance.store.audit_trail import AuditTrail
from appliance.store.statistics import record_handling_time
from appliance.workflow.acceptance import AcceptanceFlow, Draft, FlowState
from appliance.workflow.session import OperatorSession, SessionState


def _serial(operator: Operator | None) -> str | None:
    return operator.serial if operator else None


class AuditedSession(OperatorSession):
    def __init__(self, trail: AuditTrail) -> None:
        super().__init__()
        self.trail = trail

    def pin_accepted(self, operator: Operator) -> None:
        super().pin_accepted(operator)
        self.trail.record("login.success", operator=operator.serial)

    def pin_rejected(self, reason: str = "wrong_pin") -> None:
        super().pin_rejected(reason)
        self.trail.record("login.failure", reason=reason, attempts=self.failed_attempts)

    def key_removed(self) -> None:
        before, operator = self.state, self.operator
        super().key_removed()
        if before is not SessionState.LOCKED:
            self.trail.record("key.pulled", operator=_serial(operator), during=before.name)

    def lock(self) -> None:
        operator = self.operator
        super().lock()
        self.trail.record("session.locked", operator=_serial(operator))


class AuditedFlow(AcceptanceFlow):
    def __init__(self, trail: AuditTrail, operator: Callable[[], Operator | None]) -> None:
        super().__init__()
        self.trail = trail
        self.operator = operator
        self.looked_up_at: datetime | None = None

    def item_found(
        self,
        item: ServiceItem,
        method: LookupMethod,
        *,
        queue_number: str | None = None,
        appointment_number: str | None = None,
        known_applicant: Applicant | None = None,
    ) -> None:
        super().item_found(
            item,
            method,
            queue_number=queue_number,
            appointment_number=appointment_number,
            known_applicant=known_applicant,
        )
        if self.looked_up_at is None:
            self.looked_up_at = self.trail.now()
        if known_applicant is not None:
            self.trail.record(
                "lookup.personal",
                operator=_serial(self.operator()),
                method=method.value,
                appointment=appointment_number,
                item=item.code,
                id_number=mask_id_number(known_applicant.id_number),
            )

    def stored(self, submission: Submission) -> None:
        super().stored(submission)
        started = self.looked_up_at
        if started is not None:
            self.trail.write(lambda db: _handling(db, submission, started))

    def printed(self, copies: int) -> None:
        super().printed(copies)
        submission = self.draft.submission
        self.trail.record(
            "receipt.printed" if copies == 1 else "receipt.reprinted",
            operator=_serial(self.operator()),
            copies=copies,
            submission=submission.id if submission else None,
            receipt=submission.receipt_number if submission else None,
        )

    def reset(self) -> None:
        super().reset()
        self.looked_up_at = None

    def restore(self, state: FlowState, draft: Draft) -> None:
        """A resumed acceptance has no known first look-up: no handling time for it."""
        super().restore(state, draft)
        self.looked_up_at = None


def _handling(db: sqlite_utils.Database, submission: Submission, started: datetime) -> None:
    record_handling_time(db, submission.id, started, submission.created_at)
