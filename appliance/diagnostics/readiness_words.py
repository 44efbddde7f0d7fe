"""The self-test's results in the words a clerk or branch IT reads on 系统诊断: one line
per check, 通过/失败/跳过 and the reason with what to do.

The checks report in English for the CLI and the log; each of their messages is matched
here. A message nothing matches still fails visibly, with the English detail kept.
"""

from __future__ import annotations

import re

from appliance.diagnostics.readiness import LABELS, CheckResult
from appliance.workflow.key_messages import NO_DRIVER, NOT_DETECTED, RENEW

OUTCOME_WORDS = {"ok": "通过", "FAIL": "失败", "skip": "跳过"}
CALL_IT = "请联系网建办"
PRINTER_FAULTS = {
    "paper_out": "打印机缺纸：请装入热敏纸",
    "cover_open": "打印机盖未关好：请合上",
    "offline": "打印机未连接：请检查打印机电源和USB线",
    "unknown": "打印机没有应答：请检查打印机电源和连接线",
    "fault": "打印机故障（切刀卡纸等）：请关闭打印机电源再打开",
}
KEY_READER_FAULTS = {
    "not_detected": NOT_DETECTED,
    "no_driver": f"{NO_DRIVER}：{CALL_IT}安装驱动",
    "expired": f"电子钥匙已过期：{RENEW}",
    "not_yet_valid": "电子钥匙证书尚未生效：请核对本机时间",
    "untrusted": f"电子钥匙证书不是由受信任的机构签发：{CALL_IT}",
    "no_certificate": f"电子钥匙中没有个人证书：{CALL_IT}",
    "pin_locked": "PIN码已锁定：请到网建办解锁电子钥匙",
    "reading": "电子钥匙仍在读取中：请稍后再运行自检",
}

# (check, pattern over the English detail, Chinese with the pattern's groups)
FAILURES: list[tuple[str, str, str]] = [
    ("font", r"", f"中文字体缺失，界面汉字无法显示：{CALL_IT}"),
    ("database", r"quick_check", f"数据库校验未通过，可能已损坏：{CALL_IT}"),
    ("key", r"no electronic key", NOT_DETECTED),
    ("key", r"expired on (\S+)", f"电子钥匙证书已于{{0}}过期：{RENEW}"),
    ("key", r"", f"读不出电子钥匙的证书：请重新插入电子钥匙，仍不行{CALL_IT}"),
    ("camera", r"no frame", "高拍仪没有画面：请检查高拍仪的USB线"),
    ("camera", r"no QR code", f"高拍仪有画面，但识别不出测试卡上的二维码：{CALL_IT}"),
    ("storage", r"([\d.]+) GB free", f"存储空间不足（剩余 {{0}} GB）：{CALL_IT}清理"),
    ("audit", r"at entry (\d+)", f"审计日志第 {{0}} 条起校验失败，可能被改动：{CALL_IT}"),
    ("branch_server", r"unreachable",
     "连不上分厅服务器：请检查网线；受理照常，办件保存在本机，恢复后自动同步"),
    ("branch_server", r"no token", f"分厅服务器拒绝本机的授权：{CALL_IT}"),
    ("branch_server", r"by ([+-]\d+) s", f"本机时间与分厅服务器相差 {{0}} 秒：{CALL_IT}校准时间"),
    ("backlog", r"([1-9]\d*) rejected", f"有 {{0}} 件办件被分厅服务器退回：{CALL_IT}"),
    ("backlog", r"audit refused", f"审计记录被分厅服务器拒收：{CALL_IT}"),
]
PASSES: list[tuple[str, str, str]] = [
    ("font", r"", "中文字体可用"),
    ("database", r"", "数据库校验正常"),
    ("key", r"valid until (\S+)", "电子钥匙证书有效，有效期至{0}"),
    ("key_reader", r"drivers loaded: ([^;]+)", "钥匙驱动已加载（{0}）"),
    ("camera", r"decoded", "高拍仪画面正常，识别出二维码"),
    ("camera", r"", "高拍仪画面正常"),
    ("printer", r"", "打印机就绪"),
    ("storage", r"([\d.]+) MB, ([\d.]+) GB free", "数据库 {0} MB，剩余空间 {1} GB"),
    ("audit", r"(\d+) entries", "审计日志完整，共 {0} 条"),
    ("branch_server", r"difference ([+-]\d+) s", "分厅服务器连接、授权正常，时间相差 {0} 秒"),
    ("branch_server", r"", "分厅服务器连接、授权正常"),
    ("backlog", r"(\d+) submission.*?(\d+) audit", "待同步办件 {0} 件，待上报审计记录 {1} 条"),
]


def reason(result: CheckResult) -> str:
    """The Chinese reason for one result; an unknown failure keeps its English detail."""
    if result.outcome == "skip":
        return "本机离线，未检查"
    detail = result.detail
    if result.name == "printer" and result.outcome == "FAIL":
        status = detail.rsplit(" ", 1)[-1]
        return PRINTER_FAULTS.get(status, f"打印机异常：{CALL_IT}")
    if result.name == "key_reader" and result.outcome == "FAIL":
        state = re.search(r"key state (\w+)", detail)
        return KEY_READER_FAULTS.get(state.group(1) if state else "", f"钥匙驱动异常：{CALL_IT}")
    table = PASSES if result.outcome == "ok" else FAILURES
    for name, pattern, chinese in table:
        if name == result.name and (found := re.search(pattern, detail)):
            return chinese.format(*found.groups())
    return "正常" if result.outcome == "ok" else f"{CALL_IT}（{detail}）"


def check_line(result: CheckResult) -> str:
    """一行：检查项：通过/失败 — 原因."""
    label = LABELS.get(result.name, result.name)
    return f"{label}：{OUTCOME_WORDS[result.outcome]} — {reason(result)}"


def verdict(results: list[CheckResult]) -> str:
    failed = sum(r.outcome == "FAIL" for r in results)
    return "自检结论：全部通过，可以受理" if not failed else f"自检结论：{failed} 项失败，见上"
