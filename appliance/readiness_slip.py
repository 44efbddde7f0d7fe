"""The readiness slip (设备自检单): the self-test printed on the receipt printer, so
branch IT can read the result without a laptop."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from appliance.config import Config
from appliance.domain.receipt import Line, Separator, Text, Title, wrap
from appliance.hardware.printer import PrinterStatus
from appliance.readiness import LABELS, CheckResult
from appliance.readiness_words import reason

if TYPE_CHECKING:
    from appliance.wiring import Services

WORDS = {"ok": "正常", "FAIL": "故障", "skip": "跳过"}


def slip_lines(results: list[CheckResult], config: Config, at: datetime,
               columns: int) -> list[Line]:
    """设备自检单: one line per check, the failures' reasons in Chinese wrapped below them."""
    failed = [r for r in results if r.outcome == "FAIL"]
    lines: list[Line] = [Title("设备自检单"), Separator(columns)]
    lines += [Text(row) for row in wrap(f"{config.appliance.hall_name} 窗口"
                                        f"{config.appliance.window}", columns)]
    lines.append(Text(f"时间：{at:%Y-%m-%d %H:%M}"))
    lines.append(Separator(columns))
    for result in results:
        lines.append(Text(f"{LABELS.get(result.name, result.name)}：{WORDS[result.outcome]}"))
        if result.outcome == "FAIL":
            lines += [Text(row) for row in wrap(reason(result), columns, indent=2)]
    lines.append(Separator(columns))
    verdict = "可以受理" if not failed else f"有{len(failed)}项故障，请联系网建办"
    lines.append(Text(f"结论：{verdict}"))
    return lines


def print_slip(services: Services, results: list[CheckResult], at: datetime) -> PrinterStatus:
    """Print the readiness slip when the printer is ready; return its status either way."""
    receipts = services.counter.receipts
    status = services.printer.status()
    if status is PrinterStatus.READY:
        lines = slip_lines(results, services.config, at, receipts.profile.columns)
        services.printer.print_job(receipts.job_bytes(lines))
    return status
