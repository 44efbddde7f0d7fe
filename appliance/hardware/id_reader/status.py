"""The SAM module's status byte (SW3) and what each value means.

The names follow the SAM protocol documents' table. For some statuses (31, 41, 47, 81)
the documents write ``XX XX``: SW1 and SW2 then relay the card's own ISO 7816 status, so
only SW3 decides what happened here, and SW1 SW2 are kept for the detail.
"""

from __future__ import annotations

from enum import IntEnum


class SamStatus(IntEnum):
    SUCCESS = 0x90  # 操作成功
    NO_CONTENT = 0x91  # 证/卡中此项无内容
    CARD_FOUND = 0x9F  # 寻找证/卡成功
    CHECKSUM_ERROR = 0x10  # 接收业务终端数据的校验和错
    LENGTH_ERROR = 0x11  # 接收业务终端数据的长度错
    COMMAND_ERROR = 0x21  # 接收业务终端的命令错误
    NOT_PERMITTED = 0x23  # 越权操作
    UNRECOGNISED_ERROR = 0x24  # 无法识别的错误
    CARD_REJECTED_READER = 0x31  # 证/卡认证机具失败
    READER_REJECTED_CARD = 0x32  # 机具认证证/卡失败
    CHECK_FAILED = 0x33  # 信息验证错误
    UNKNOWN_CARD = 0x40  # 无法识别的证/卡类型
    READ_FAILED = 0x41  # 读证/卡操作失败
    RANDOM_FAILED = 0x47  # 取随机数失败
    SELF_CHECK_FAILED = 0x60  # SAM_V 自检失败，不能接收命令
    UNAUTHORISED = 0x66  # SAM_V 没经过授权，无法使用
    NO_CARD = 0x80  # 寻找证/卡失败
    SELECT_FAILED = 0x81  # 选取证/卡失败

    @property
    def meaning(self) -> str:
        return MEANINGS[self]

    @classmethod
    def of(cls, sw3: int) -> SamStatus | None:
        """The named status, or None for a value the documents do not list."""
        try:
            return cls(sw3)
        except ValueError:
            return None


MEANINGS: dict[SamStatus, str] = {
    SamStatus.SUCCESS: "success",
    SamStatus.NO_CONTENT: "the card holds no such item",
    SamStatus.CARD_FOUND: "card found",
    SamStatus.CHECKSUM_ERROR: "the module received a frame with a wrong checksum",
    SamStatus.LENGTH_ERROR: "the module received a frame with a wrong length",
    SamStatus.COMMAND_ERROR: "the module refused the command (value or order)",
    SamStatus.NOT_PERMITTED: "operation not permitted",
    SamStatus.UNRECOGNISED_ERROR: "unrecognised error",
    SamStatus.CARD_REJECTED_READER: "the card did not accept the reader",
    SamStatus.READER_REJECTED_CARD: "the reader did not accept the card",
    SamStatus.CHECK_FAILED: "information check failed",
    SamStatus.UNKNOWN_CARD: "card type not recognised",
    SamStatus.READ_FAILED: "reading the card failed",
    SamStatus.RANDOM_FAILED: "getting a random number from the card failed",
    SamStatus.SELF_CHECK_FAILED: "SAM self-check failed, no command accepted",
    SamStatus.UNAUTHORISED: "SAM not authorised, cannot be used",
    SamStatus.NO_CARD: "no card found",
    SamStatus.SELECT_FAILED: "selecting the card failed",
}

# The module is unusable whatever the card: every command answers these.
MODULE_FAULTS = frozenset({SamStatus.SELF_CHECK_FAILED, SamStatus.UNAUTHORISED})
# The module says the frame it received was damaged: sending the command again helps.
RESEND = frozenset({SamStatus.CHECKSUM_ERROR, SamStatus.LENGTH_ERROR})


def describe(sw1: int, sw2: int, sw3: int) -> str:
    """``00 00 41 (reading the card failed)``: for logs, errors and the command line."""
    named = SamStatus.of(sw3)
    meaning = named.meaning if named else "status not in the protocol documents"
    return f"{sw1:02X} {sw2:02X} {sw3:02X} ({meaning})"
