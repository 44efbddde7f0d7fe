"""Why a submission could not be stored, for the clerk (Chinese) and the log (English).

Each refusal happens before the receipt is printed and after the transaction rolled
back, so the clerk may simply submit again once the cause is fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from appliance import log
from appliance.hardware.key.port import KeyProblem
from appliance.store.db import StorageFull
from appliance.wording import text
from appliance.workflow.messages import UserFacingError
from appliance.workflow.signing import OtherOperatorKey

DISK_FULL = text("submission.disk_full")
KEY_GONE = text("submission.key_gone")
DRAFT_DISK_FULL = text("submission.draft_disk_full")
OTHER_KEY = text("submission.other_key")


@contextmanager
def submission_refusals() -> Iterator[None]:
    """Turn a failed store into a UserFacingError saying what to do next."""
    try:
        yield
    except StorageFull:
        _refused("disk_full")
        raise UserFacingError("disk full: submission not stored", DISK_FULL) from None
    except KeyProblem as problem:
        _refused("key_absent")
        raise UserFacingError(f"cannot sign: {problem}", KEY_GONE) from None
    except OtherOperatorKey:
        _refused("other_operator")
        raise UserFacingError("signed by another operator's key", OTHER_KEY) from None


@contextmanager
def draft_refusals() -> Iterator[None]:
    """Keeping the acceptance in progress failed for want of space: say so at that step,
    well before the clerk reaches 提交."""
    try:
        yield
    except StorageFull:
        raise UserFacingError("disk full: draft not kept", DRAFT_DISK_FULL) from None


def _refused(reason: str) -> None:
    log.event("submission.refused", logging.WARNING, outcome="failure", reason=reason)
