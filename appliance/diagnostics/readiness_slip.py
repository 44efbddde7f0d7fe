"""The readiness slip (设备自检单): the self-test printed on the receipt printer, so
branch IT can read the result without a laptop."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from appliance.config import Config
from appliance.diagnostics.readiness import LABELS, CheckResult
from appliance.diagnostics.readiness_words import reason
from appliance.domain.receipt import Line, Separator, Text, Title, wrap
from appliance.hardware.printer.port import PrinterStatus
from appliance.wording import text

if TYPE_CHECKING:
    from appliance.wiring import Services

WORDS = {"ok": text("slip.ok"), "FAIL": text("slip.fail"), "skip": text("slip.skip")}


def slip_lines(
    results: list[CheckResult], config: Config, at: datetime, columns: int
) -> list[Line]:
    """设备自检单: one line per check, the failures' reasons in Chinese wrapped below them."""
    failed = [r for r in results if r.outcome == "FAIL"]
    lines: list[Line] = [Title(text("slip.title")), Separator(columns)]
    lines += [
        Text(row)
        for row in wrap(
            text("slip.window", hall=config.appliance.hall_name, window=config.appliance.window),
            columns,
        )
    ]
    lines.append(Text(text("slip.time", at=at)))
    lines.append(Separator(columns))
    for result in results:
        lines.append(
            Text(
                text(
                    "slip.check",
                    check=LABELS.get(result.name, result.name),
                    outcome=WORDS[result.outcome],
                )
            )
        )
        if result.outcome == "FAIL":
            lines += [Text(row) for row in wrap(reason(result), columns, indent=2)]
    lines.append(Separator(columns))
    lines.append(Text(text("slip.failed", failed=len(failed)) if failed else text("slip.ready")))
    return lines


def print_slip(services: Services, results: list[CheckResult], at: datetime) -> PrinterStatus:
    """Print the readiness slip when the printer is ready; return its status either way."""
    receipts = services.counter.receipts
    status = services.printer.status()
    if status is PrinterStatus.READY:
        lines = slip_lines(results, services.config, at, receipts.profile.columns)
        services.printer.print_job(receipts.job_bytes(lines))
    return status
