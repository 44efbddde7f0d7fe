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
from appliance.workflow.messages import UserFacingError
from appliance.workflow.signing import OtherOperatorKey

DISK_FULL = "本机存储空间已满，本件未提交、未打印回执：请联系网建办清理存储空间后再提交"
KEY_GONE = "电子钥匙无法签名，本件未提交、未打印回执：请插好电子钥匙重新登录后再提交"
DRAFT_DISK_FULL = "本机存储空间已满，无法保存受理进度、不能提交：请联系网建办清理存储空间"
OTHER_KEY = "插入的电子钥匙不是当前登录的操作员，本件未提交：请用本人电子钥匙重新登录后再提交"


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
