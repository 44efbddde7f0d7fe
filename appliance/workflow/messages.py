"""What the clerk reads when something goes wrong: Chinese, with what to do next."""

from __future__ import annotations

from appliance.hardware.key.port import KeyAbsent, KeyProblem, PinLocked, WrongPin
from appliance.hardware.printer.port import PrinterStatus
from appliance.wording import ZH, text

# Templates: {button} is the button that prints again on the clerk's screen.
PRINTER_MESSAGES: dict[PrinterStatus, str] = {
    PrinterStatus.PAPER_OUT: ZH["print.paper_out"],
    PrinterStatus.COVER_OPEN: ZH["print.cover_open"],
    PrinterStatus.OFFLINE: ZH["printer.offline"],
    PrinterStatus.UNKNOWN: ZH["print.unknown"],
    PrinterStatus.READY: ZH["printer.ready"],
    PrinterStatus.FAULT: ZH["print.fault"],
}


def printer_message(status: PrinterStatus, interrupted: bool, reprint: bool = False) -> str:
    """The clerk's message for a failed print; a job cut short says so first. ``reprint``:
    the screen's button is 重新打印 (待打印回执) rather than 打印回执."""
    button = text("print.button_reprint") if reprint else text("print.button_print")
    problem = PRINTER_MESSAGES[status].format(button=button)
    # Receipt printing (issue 6): a job cut short leaves part of a slip in the printer.
    return text("print.interrupted", problem=problem) if interrupted else problem


PIN_WARNINGS: dict[str, str] = {
    "count_low": text("key.pin_count_low"),
    "final_try": text("key.pin_final_try"),
}


def key_message(error: KeyProblem) -> str:
    if isinstance(error, WrongPin):
        warning = PIN_WARNINGS.get(error.warning or "")
        if error.tries_left is not None and error.warning != "final_try":
            return text("login.wrong_pin_tries", tries=error.tries_left)
        if warning:
            return text("login.wrong_pin_warning", warning=warning)
        return text("login.wrong_pin")
    if isinstance(error, PinLocked):
        return text("login.pin_locked")
    if isinstance(error, KeyAbsent):
        return text("key.not_detected")
    return text("login.key_broken")


class UserFacingError(Exception):
    """An error with the clerk's Chinese message beside the English one for logs."""

    def __init__(self, english: str, chinese: str) -> None:
        super().__init__(english)
        self.chinese = chinese
