"""Every sentence provisioning can say: the 设备初始化 screen's words, and each reason a
bundle is refused, in Chinese (on screen, for the clerk and 网建办; kept in
:mod:`appliance.wording`) and English (logs, the command line)."""

from __future__ import annotations

from typing import NamedTuple

from appliance.wording import text


class Reason(NamedTuple):
    chinese: str
    english: str


REASONS: dict[str, Reason] = {
    "unreadable": Reason(text("provisioning.unreadable"), "the bundle file cannot be read"),
    "malformed": Reason(text("provisioning.malformed"), "the bundle is malformed or damaged"),
    "unsigned": Reason(text("provisioning.unsigned"), "the bundle is not signed"),
    "wrong_key": Reason(
        text("provisioning.wrong_key"), "the bundle is signed with a key this box does not trust"
    ),
    "bad_signature": Reason(
        text("provisioning.bad_signature"), "the bundle's signature does not match (tampered)"
    ),
    "hash_mismatch": Reason(
        text("provisioning.hash_mismatch"),
        "a file in the bundle does not match its signed hash (tampered)",
    ),
    "not_newer": Reason(
        text("provisioning.not_newer"), "the bundle's serial is not newer than the installed one"
    ),
    "invalid_site": Reason(
        text("provisioning.invalid_site"), "the bundle's site configuration fails the config schema"
    ),
    "no_public_key": Reason(
        text("provisioning.no_public_key"), "this box has no provisioning public key"
    ),
    "write_failed": Reason(
        text("provisioning.write_failed"), "the provisioning files could not be written"
    ),
}

TITLE = text("provisioning.title")
NOT_SET_UP = text("provisioning.not_set_up")
INSTRUCTION = text("provisioning.instruction")
DEVICES_HEADING = text("provisioning.devices")


def result_line(ok: bool, reason: str, hall: str = "", window: str = "") -> str:
    """The line under the instruction: how the last bundle went."""
    if ok:
        return text("provisioning.applied", hall=hall, window=window)
    words = REASONS.get(reason, REASONS["malformed"])
    return text("provisioning.refused", reason=words.chinese)
