"""What the login screen says about the key, in the manual's words, with what to do next.

The manual's three causes each have their own sentence: "未安装电子钥匙驱动" (naming the
vendor and the driver the box expected), "未检测到电子钥匙，请检查USB接口", and an expired
key that must be renewed by filing a 业务需求表 with 网建办. A driver that is installed
but fails to start says so, with the module's own error code.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from appliance.hardware.key.detection import Diagnosis, KeyState
from appliance.hardware.key.pkcs11_key import KeyUnusable
from appliance.hardware.key.port import KeyProblem
from appliance.wording import ZH, text
from appliance.workflow.messages import PIN_WARNINGS, key_message

HALL_TIME = ZoneInfo("Asia/Shanghai")

UNUSABLE_MESSAGES = {
    "key_mismatch": text("login.key_mismatch"),
    "no_private_key": text("login.no_private_key"),
    "no_certificate": text("login.no_certificate"),
    "unsupported_key": text("login.unsupported_key"),
    "sm2_only": text("key.sm2_only"),
    "choose": text("login.choose_first"),
}

STATUS_WORDS = {
    KeyState.READY: text("key.state_ready"),
    KeyState.EXPIRING: text("key.state_expiring"),
    KeyState.PIN_LOCKED: text("key.state_pin_locked"),
    KeyState.EXPIRED: text("key.state_expired"),
    KeyState.NOT_YET_VALID: text("key.state_not_yet_valid"),
    KeyState.UNTRUSTED: text("key.state_untrusted"),
    KeyState.NO_CERTIFICATE: text("key.state_no_certificate"),
    KeyState.READING: text("key.state_reading"),
    KeyState.NO_DRIVER: text("key.state_no_driver"),
    KeyState.NOT_DETECTED: text("key.state_not_detected"),
    KeyState.CHOOSE: text("key.state_choose"),
    KeyState.KEY_MISMATCH: text("key.state_key_mismatch"),
    KeyState.SM2_ONLY: text("key.state_sm2_only"),
    KeyState.DRIVER_FAILED: text("key.state_driver_failed"),
}


def status_text(state: KeyState | None) -> str:
    """The status bar's words for the key as detected, whatever the session is doing;
    ``None`` before the first scan has finished."""
    words = STATUS_WORDS[state] if state is not None else text("key.state_detecting")
    return text("key.status", state=words)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(HALL_TIME)


def diagnosis_message(diagnosis: Diagnosis) -> tuple[str, bool]:
    """The sentence for the key as detected, and whether it is a problem (shown in red)."""
    operator = diagnosis.operator
    vendor = diagnosis.vendor.label if diagnosis.vendor else ""
    state = diagnosis.state
    if state is KeyState.NOT_DETECTED:
        return text("key.not_detected"), True
    if state is KeyState.READING:
        return text("key.reading", vendor=vendor), False
    if state is KeyState.NO_DRIVER:
        if diagnosis.detail == "not_recognised":
            template = ZH["key.driver_not_recognised"]
        elif diagnosis.detail == "missing":
            template = ZH["key.driver_missing"]
        else:
            template = ZH["key.driver_unloadable"]
        return template.format(vendor=vendor, module=diagnosis.module), True
    if state is KeyState.DRIVER_FAILED:
        code = re.search(r"CKR_\w+", diagnosis.detail)
        error = code.group(0) if code else diagnosis.detail
        return text("key.driver_failed", vendor=vendor, module=diagnosis.module, error=error), True
    if state is KeyState.CHOOSE:
        return text("key.choose", count=len(diagnosis.choices)), False
    if state is KeyState.NO_CERTIFICATE:
        return UNUSABLE_MESSAGES["no_certificate"], True
    if state is KeyState.SM2_ONLY:
        return UNUSABLE_MESSAGES["sm2_only"], True
    if state is KeyState.KEY_MISMATCH:
        return UNUSABLE_MESSAGES["key_mismatch"], True
    assert operator is not None
    if state is KeyState.EXPIRED:
        return text("key.expired", until=_local(operator.not_after)), True
    if state is KeyState.NOT_YET_VALID:
        return text("key.not_yet_valid", since=_local(operator.not_before)), True
    if state is KeyState.UNTRUSTED:
        return text("key.untrusted", issuer=operator.issuer), True
    if state is KeyState.PIN_LOCKED:
        return text("key.pin_locked"), True
    warning = PIN_WARNINGS.get(diagnosis.pin_warning or "")
    if warning:
        return warning, True
    if state is KeyState.EXPIRING:
        return text(
            "key.expiring", until=_local(operator.not_after), days=diagnosis.days_left
        ), True
    return text("key.ready"), False


def choice_label(choice: Diagnosis) -> str:
    """One key of several that can log in, as the login screen's chooser names it."""
    operator = choice.operator
    vendor = choice.vendor.label if choice.vendor else ""
    if operator is None:
        return vendor
    return text("login.choice", name=operator.name, vendor=vendor, until=_local(operator.not_after))


def login_message(error: BaseException) -> str:
    """What a refused login means for the clerk."""
    if isinstance(error, KeyUnusable) and error.reason in UNUSABLE_MESSAGES:
        return UNUSABLE_MESSAGES[error.reason]
    if isinstance(error, KeyUnusable):
        return text("login.key_unusable")
    if isinstance(error, KeyProblem):
        return key_message(error)
    return text("login.failed")
