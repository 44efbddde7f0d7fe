"""Every sentence about the root slots and updates: English for ``appliance update
status``, Chinese for 系统诊断. Both read the status dict of
:func:`appliance.updates.status.current_status` (or status.json)."""

from __future__ import annotations

from typing import Any

STATE_EN = {"empty": "empty", "blessed": "blessed", "trial": "on trial", "failed": "failed"}
OUTCOME_ZH = {
    "install": "版本 {version} 已写入 {SLOT} 槽，重启后试用",
    "refused": "更新包被拒绝：{reason}",
    "blessed": "版本 {version} 已确认（{SLOT} 槽）",
    "rollback": "版本 {version} 启动失败，已自动回到 {BOOTED} 槽",
}


def _fields(record: dict[str, Any]) -> dict[str, str]:
    return {"version": str(record.get("version") or "?"),
            "SLOT": str(record.get("slot") or "?").upper(),
            "BOOTED": str(record.get("booted") or "?").upper(),
            "reason": str(record.get("reason") or "?")}


def english_lines(status: dict[str, Any]) -> list[str]:
    lines = []
    for name, slot in sorted(status["slots"].items()):
        words = [f"slot {name}:", slot.get("version") or "-", STATE_EN.get(slot["state"],
                                                                         slot["state"])]
        if slot["state"] in ("trial", "failed"):
            words.append(f"({slot['tries_left']} tries left, {slot['tries_done']} done)")
        if slot.get("booted"):
            words.append("- booted")
        if slot.get("next_boot"):
            words.append("- boots next")
        lines.append(" ".join(words))
    last = status.get("last_update")
    if last is None:
        lines.append("last update: none")
    else:
        details = " ".join(f"{key}={value}" for key, value in last.items()
                           if key not in ("event", "at"))
        lines.append(f"last update: {last['event']} at {last.get('at', '?')} {details}")
    return lines


def _slot_zh(slot: dict[str, Any]) -> str:
    name = slot["slot"].upper()
    state = slot["state"]
    if state == "empty":
        return f"{name} 槽 空"
    words = {"blessed": "已确认", "failed": "启动失败，已停用",
             "trial": f"试用中，还可试 {slot['tries_left']} 次"}[state]
    return f"{name} 槽 {slot['version']}（{words}）"


def chinese_lines(status: dict[str, Any] | None) -> list[str]:
    """Two or three lines for 系统诊断: the running slot, the spare one, the last update."""
    if status is None:
        return ["系统更新状态：未知（本次启动尚未记录）"]
    slots = status["slots"]
    booted = status.get("booted")
    if booted in slots:
        spare = "b" if booted == "a" else "a"
        lines = [f"当前系统：{_slot_zh(slots[booted])}", f"备用系统：{_slot_zh(slots[spare])}"]
    else:
        lines = ["当前系统：未从 A/B 槽启动", *(f"系统槽：{_slot_zh(s)}" for s in slots.values())]
    if status.get("next_boot") not in (None, booted):
        lines.append(f"下次启动：{str(status['next_boot']).upper()} 槽")
    last = status.get("last_update")
    if last is None:
        lines.append("上次更新：无")
    else:
        sentence = OUTCOME_ZH.get(last.get("event"), "{version}").format(**_fields(last))
        lines.append(f"上次更新：{sentence}　{str(last.get('at', ''))[:16].replace('T', ' ')}")
    return lines
