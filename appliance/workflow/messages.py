"""What the clerk reads when something goes wrong: Chinese, with what to do next."""

from __future__ import annotations

from appliance.hardware.key.port import KeyAbsent, KeyProblem, PinLocked, WrongPin
from appliance.hardware.printer.port import PrinterStatus

PRINTER_MESSAGES: dict[PrinterStatus, str] = {
    PrinterStatus.PAPER_OUT: "打印机缺纸：请装入热敏纸后点击“打印回执”重新打印",
    PrinterStatus.COVER_OPEN: "打印机盖未关好：请合上后点击“打印回执”重新打印",
    PrinterStatus.OFFLINE: "打印机未连接：请检查打印机电源和USB线",
    PrinterStatus.UNKNOWN: "无法读取打印机状态：请检查打印机后重试",
    PrinterStatus.READY: "打印机就绪",
    PrinterStatus.FAULT: "打印机故障（切刀卡纸等）：请关闭打印机电源再打开，然后重新打印",
}
# Receipt printing (issue 6): a job cut short leaves part of a slip in the printer.
PRINT_INTERRUPTED = "回执未打印完整，请撕下不完整的回执；"


def printer_message(status: PrinterStatus, interrupted: bool) -> str:
    """The clerk's message for a failed print; a job cut short says so first."""
    return (PRINT_INTERRUPTED if interrupted else "") + PRINTER_MESSAGES[status]

PIN_WARNINGS: dict[str, str] = {
    "count_low": "PIN 即将锁定：已多次输错，请确认后再输入",
    "final_try": "PIN 即将锁定：再输错一次电子钥匙将被锁定",
}


def key_message(error: KeyProblem) -> str:
    if isinstance(error, WrongPin):
        warning = PIN_WARNINGS.get(error.warning or "")
        return "PIN码错误，请重新输入" + (f"（{warning}）" if warning else "")
    if isinstance(error, PinLocked):
        return "PIN码已锁定：请联系网建办解锁电子钥匙"
    if isinstance(error, KeyAbsent):
        return "未检测到电子钥匙，请检查USB接口"
    return "电子钥匙无法使用，请联系网建办"


class UserFacingError(Exception):
    """An error with the clerk's Chinese message beside the English one for logs."""

    def __init__(self, english: str, chinese: str) -> None:
        super().__init__(english)
        self.chinese = chinese
