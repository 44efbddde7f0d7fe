"""What the login screen says about the key, in the manual's words, with what to do next.

The manual's three causes each have their own sentence: "未安装电子钥匙驱动" (naming the
vendor and the driver the box expected), "未检测到电子钥匙，请检查USB接口", and an expired
key that must be renewed by filing a 业务需求表 with 网建办.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from appliance.hardware.key.detection import Diagnosis, KeyState
from appliance.hardware.key.pkcs11_key import KeyUnusable
from appliance.hardware.key.port import KeyProblem
from appliance.workflow.messages import PIN_WARNINGS, key_message

HALL_TIME = ZoneInfo("Asia/Shanghai")
NOT_DETECTED = "未检测到电子钥匙，请检查USB接口"
NO_DRIVER = "未安装电子钥匙驱动"
RENEW = "请向网建办提交业务需求表办理电子钥匙更新"

UNUSABLE_MESSAGES = {
    "key_mismatch": "电子钥匙中的私钥与证书不匹配，不能登录：请联系网建办",
    "no_private_key": "电子钥匙中没有与证书对应的私钥，不能登录：请联系网建办",
    "no_certificate": "电子钥匙中没有个人证书，不能登录：请联系网建办",
    "unsupported_key": "电子钥匙的证书类型不受支持：请联系网建办",
}

STATUS_WORDS = {
    KeyState.READY: "已插入",
    KeyState.EXPIRING: "即将过期",
    KeyState.PIN_LOCKED: "PIN已锁定",
    KeyState.EXPIRED: "已过期",
    KeyState.NOT_YET_VALID: "未生效",
    KeyState.UNTRUSTED: "不受信任",
    KeyState.NO_CERTIFICATE: "无证书",
    KeyState.READING: "读取中",
    KeyState.NO_DRIVER: "未安装驱动",
    KeyState.NOT_DETECTED: "未插入",
}


def status_text(state: KeyState | None) -> str:
    """The status bar's words for the key as detected, whatever the session is doing;
    ``None`` before the first scan has finished."""
    return f"电子钥匙：{STATUS_WORDS[state] if state is not None else '检测中'}"


def _day(moment: datetime) -> str:
    return moment.astimezone(HALL_TIME).strftime("%Y年%m月%d日")


def diagnosis_message(diagnosis: Diagnosis) -> tuple[str, bool]:
    """The sentence for the key as detected, and whether it is a problem (shown in red)."""
    operator = diagnosis.operator
    vendor = diagnosis.vendor.label if diagnosis.vendor else ""
    state = diagnosis.state
    if state is KeyState.NOT_DETECTED:
        return NOT_DETECTED, True
    if state is KeyState.READING:
        return f"检测到{vendor}电子钥匙，正在读取…", False
    if state is KeyState.NO_DRIVER:
        if diagnosis.detail == "not_recognised":
            reason = f"驱动 {diagnosis.module} 未能识别该钥匙"
        elif diagnosis.detail == "missing":
            reason = f"未找到驱动 {diagnosis.module}"
        else:
            reason = f"驱动 {diagnosis.module} 无法加载"
        return f"{NO_DRIVER}：检测到{vendor}电子钥匙，但{reason}。请联系网建办安装驱动", True
    if state is KeyState.NO_CERTIFICATE:
        return UNUSABLE_MESSAGES["no_certificate"], True
    assert operator is not None
    if state is KeyState.EXPIRED:
        return f"电子钥匙已过期（有效期至{_day(operator.not_after)}）：{RENEW}", True
    if state is KeyState.NOT_YET_VALID:
        return (f"电子钥匙证书尚未生效（{_day(operator.not_before)}起生效）："
                "请核对本机时间，或联系网建办"), True
    if state is KeyState.UNTRUSTED:
        return (f"电子钥匙证书不是由受信任的机构签发（签发者：{operator.issuer}），"
                "不能登录：请联系网建办"), True
    if state is KeyState.PIN_LOCKED:
        return "PIN码已锁定：请到网建办解锁电子钥匙", True
    warning = PIN_WARNINGS.get(diagnosis.pin_warning or "")
    if warning:
        return warning, True
    if state is KeyState.EXPIRING:
        return (f"电子钥匙将于{_day(operator.not_after)}过期（还剩{diagnosis.days_left}天）："
                f"{RENEW}"), True
    return "电子钥匙已插入，请输入PIN码", False


def login_message(error: BaseException) -> str:
    """What a refused login means for the clerk."""
    if isinstance(error, KeyUnusable) and error.reason in UNUSABLE_MESSAGES:
        return UNUSABLE_MESSAGES[error.reason]
    if isinstance(error, KeyUnusable):
        return "电子钥匙不能登录：请查看上方提示，或联系网建办"
    if isinstance(error, KeyProblem):
        return key_message(error)
    return "登录失败，请重试；如多次失败请联系网建办"
