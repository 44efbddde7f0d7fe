"""Every sentence about the root slots and updates: English for ``appliance update
status``, Chinese (from :mod:`appliance.wording`) for 系统诊断. Both read the status dict of
:func:`appliance.updates.status.current_status` (or status.json)."""

from __future__ import annotations

from typing import Any

from appliance.wording import ZH, text

STATE_EN = {"empty": "empty", "blessed": "blessed", "trial": "on trial", "failed": "failed"}
LAST_UPDATE_ZH = {
    "install": ZH["update.last_install"],
    "refused": ZH["update.last_refused"],
    "blessed": ZH["update.last_blessed"],
    "rollback": ZH["update.last_rollback"],
}


def _fields(record: dict[str, Any]) -> dict[str, str]:
    return {
        "version": str(record.get("version") or "?"),
        "slot": str(record.get("slot") or "?").upper(),
        "booted": str(record.get("booted") or "?").upper(),
        "reason": str(record.get("reason") or "?"),
        "at": str(record.get("at", ""))[:16].replace("T", " "),
    }


def english_lines(status: dict[str, Any]) -> list[str]:
    lines = []
    for name, slot in sorted(status["slots"].items()):
        words = [
            f"slot {name}:",
            slot.get("version") or "-",
            STATE_EN.get(slot["state"], slot["state"]),
        ]
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
        details = " ".join(
            f"{key}={value}" for key, value in last.items() if key not in ("event", "at")
        )
        lines.append(f"last update: {last['event']} at {last.get('at', '?')} {details}")
    return lines


def _slot_zh(slot: dict[str, Any]) -> str:
    name = slot["slot"].upper()
    state = slot["state"]
    if state == "empty":
        return text("update.slot_empty", slot=name)
    if state == "trial":
        return text(
            "update.slot_trial", slot=name, version=slot["version"], tries=slot["tries_left"]
        )
    sentence = {"blessed": ZH["update.slot_blessed"], "failed": ZH["update.slot_failed"]}[state]
    return sentence.format(slot=name, version=slot["version"])


def chinese_lines(status: dict[str, Any] | None) -> list[str]:
    """Two or three lines for 系统诊断: the running slot, the spare one, the last update."""
    if status is None:
        return [text("update.unknown")]
    slots = status["slots"]
    booted = status.get("booted")
    if booted in slots:
        spare = "b" if booted == "a" else "a"
        lines = [
            text("update.current", summary=_slot_zh(slots[booted])),
            text("update.spare", summary=_slot_zh(slots[spare])),
        ]
    else:
        lines = [
            text("update.not_from_slot"),
            *(text("update.slot_line", summary=_slot_zh(s)) for s in slots.values()),
        ]
    if status.get("next_boot") not in (None, booted):
        lines.append(text("update.next_boot", slot=str(status["next_boot"]).upper()))
    last = status.get("last_update")
    if last is None:
        lines.append(text("update.last_none"))
    else:
        sentence = LAST_UPDATE_ZH.get(last.get("event"), ZH["update.last_other"])
        lines.append(sentence.format(**_fields(last)))
    return lines
