"""One receipt layout to the bytes of one print job, for a profile and a render mode."""

from __future__ import annotations

from collections.abc import Sequence

from appliance.domain.receipt import Line
from appliance.hardware.printer.escpos_encode import encode_receipt
from appliance.hardware.printer.profiles import PrinterProfile, RenderMode
from appliance.hardware.printer.raster_receipt import encode_raster_receipt


def build_job(
    lines: Sequence[Line], profile: PrinterProfile, mode: RenderMode | None = None
) -> bytes:
    """Text mode sends Chinese in the profile's encoding; raster mode sends only dots."""
    if (mode or profile.mode) is RenderMode.RASTER:
        return encode_raster_receipt(lines, profile)
    return encode_receipt(
        lines,
        encoding=profile.encoding,
        chinese_mode_commands=profile.chinese_mode_commands,
        native_qr=profile.native_qr,
        cut=profile.cutter != "none",
        full_cut=profile.cutter == "full",
    )
