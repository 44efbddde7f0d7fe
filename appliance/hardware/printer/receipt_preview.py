"""The receipt as the configured printer would print it: the same job bytes, rendered."""

from __future__ import annotations

from collections.abc import Sequence

from appliance.domain.receipt import Line
from appliance.hardware.printer.escpos_preview import Preview, render_preview
from appliance.hardware.printer.profiles import PrinterProfile, RenderMode
from appliance.hardware.printer.receipt_job import build_job


def preview_job(job: bytes, profile: PrinterProfile) -> Preview:
    """Interpret a job the way a printer of ``profile`` would after power-on."""
    return render_preview(
        job,
        paper_width_mm=profile.paper_width_mm,
        encoding=profile.encoding,
        chinese_mode=profile.starts_in_chinese_mode,
        dots_per_line=profile.dots_per_line,
    )


def preview_receipt(
    lines: Sequence[Line], profile: PrinterProfile, mode: RenderMode | None = None
) -> Preview:
    return preview_job(build_job(lines, profile, mode), profile)
