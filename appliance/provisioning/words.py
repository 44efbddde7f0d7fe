"""Every sentence provisioning can say: the 设备初始化 screen's words, and each reason a
bundle is refused, in Chinese (on screen, for the clerk and 网建办) and English (logs,
the command line). A reviewer reads this one file and sees them all."""

from __future__ import annotations

from typing import NamedTuple


class Reason(NamedTuple):
    chinese: str
    english: str


REASONS: dict[str, Reason] = {
    "unreadable": Reason("无法读取初始化文件，请重新制作U盘",
                         "the bundle file cannot be read"),
    "malformed": Reason("初始化文件格式错误或已损坏，请联系网建办重新制作",
                        "the bundle is malformed or damaged"),
    "unsigned": Reason("初始化文件没有签名，已拒绝",
                       "the bundle is not signed"),
    "wrong_key": Reason("初始化文件不是用本机认可的密钥签名的，已拒绝",
                        "the bundle is signed with a key this box does not trust"),
    "bad_signature": Reason("初始化文件签名校验失败（文件可能被篡改），已拒绝",
                            "the bundle's signature does not match (tampered)"),
    "hash_mismatch": Reason("初始化文件内容与签名不符（文件可能被篡改），已拒绝",
                            "a file in the bundle does not match its signed hash (tampered)"),
    "not_newer": Reason("初始化文件不比本机已安装的新（旧文件或重复使用），已拒绝",
                        "the bundle's serial is not newer than the installed one"),
    "invalid_site": Reason("初始化文件中的配置不符合要求，请联系网建办",
                           "the bundle's site configuration fails the config schema"),
    "no_public_key": Reason("本机缺少初始化公钥，请联系网建办",
                            "this box has no provisioning public key"),
    "write_failed": Reason("初始化写入失败，请联系网建办",
                           "the provisioning files could not be written"),
}

TITLE = "设备初始化"
NOT_SET_UP = "本机尚未初始化，暂不能受理业务。"
INSTRUCTION = "请插入网建办提供的初始化U盘，设备将自动读取并完成初始化。"
DEVICES_HEADING = "设备状态："
REFUSED = "上次初始化未成功：{reason}"
APPLIED = "初始化完成（{hall} {window}号窗口），正在重新启动…"


def result_line(ok: bool, reason: str, hall: str = "", window: str = "") -> str:
    """The line under the instruction: how the last bundle went."""
    if ok:
        return APPLIED.format(hall=hall, window=window)
    words = REASONS.get(reason, REASONS["malformed"])
    return REFUSED.format(reason=words.chinese)
