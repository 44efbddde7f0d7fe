"""Raster mode: the whole slip drawn here with the CJK font and sent as an image.

For printers without a Chinese font (or with one that prints garbage), nothing but
dots reaches the printer, so no encoding can go wrong. The geometry follows the
printer's own text mode (24-dot cells, 30-dot line pitch, double-size title), so a slip
looks the same in both modes. The image goes out in fragments of the profile's height:
printers with small buffers garble a large image sent in one command.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont

from appliance.domain.receipt import (
    TITLE_SCALE,
    Align,
    Line,
    QrCode,
    Separator,
    Text,
    Title,
    display_width,
)
from appliance.hardware.printer.escpos_encode import (
    GS,
    INIT,
    QR_MODULE_DOTS,
    QR_QUIET_LINES,
    TITLE_GAP_LINES,
    finish_job,
)
from appliance.hardware.printer.profiles import CELL_DOTS, PrinterProfile

FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_INDEX = 7  # Noto Sans Mono CJK SC: Latin exactly half a hanzi, like printer fonts
CELL_HEIGHT = 24
BASELINE = 21
LINE_PITCH = 30
GS_L_HEADER = 10  # m fn a bx by c xL xH yL yH
GS_L_MAX_DATA = 0xFFFF - GS_L_HEADER


def render_slip(
    lines: Sequence[Line],
    profile: PrinterProfile,
    font_path: Path = FONT_PATH,
    font_index: int = FONT_INDEX,
) -> np.ndarray:
    """The slip as dots (True = black), ``profile.dots_per_line`` wide."""
    bands = [_band(line, profile, str(font_path), font_index) for line in lines]
    return np.vstack(bands)


def encode_raster_receipt(
    lines: Sequence[Line],
    profile: PrinterProfile,
    font_path: Path = FONT_PATH,
    font_index: int = FONT_INDEX,
) -> bytes:
    """One complete raster job: reset, the slip in fragments, then feed and cut."""
    dots = render_slip(lines, profile, font_path, font_index)
    packed = np.packbits(dots, axis=1)
    out = bytearray(INIT)
    step = profile.raster_fragment_rows
    if profile.raster_command == "gs_l":
        step = min(step, GS_L_MAX_DATA // packed.shape[1])
    for top in range(0, packed.shape[0], step):
        fragment = packed[top : top + step]
        out += _gs_l(fragment) if profile.raster_command == "gs_l" else _gs_v_0(fragment)
    out += finish_job(profile.cutter != "none", profile.cutter == "full")
    return bytes(out)


def _gs_v_0(fragment: np.ndarray) -> bytes:
    """GS v 0: raster bit image, normal density, printed at once."""
    height, width_bytes = fragment.shape
    size = width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little")
    return GS + b"v0\x00" + size + fragment.tobytes()


def _gs_l(fragment: np.ndarray) -> bytes:
    """GS ( L: store a monochrome graphic in the print buffer (fn 112), then print it (fn 50)."""
    height, width_bytes = fragment.shape
    data = fragment.tobytes()
    header = (
        b"0p0\x01\x011" + (width_bytes * 8).to_bytes(2, "little") + height.to_bytes(2, "little")
    )
    store = GS + b"(L" + (len(header) + len(data)).to_bytes(2, "little") + header + data
    return store + GS + b"(L\x02\x0002"


def _band(line: Line, profile: PrinterProfile, font_path: str, font_index: int) -> np.ndarray:
    width = profile.dots_per_line
    if isinstance(line, QrCode):
        return _qr_band(line.data, width)
    if isinstance(line, Title):
        text, scale, align, gap = line.text, TITLE_SCALE, Align.CENTER, TITLE_GAP_LINES
    elif isinstance(line, Text):
        text, scale, align, gap = line.text, 1, line.align, 0
    elif isinstance(line, Separator):
        text, scale, align, gap = line.text, 1, Align.LEFT, 0
    else:
        raise TypeError(f"not a receipt line: {line!r}")
    text_height = CELL_HEIGHT * scale
    image = Image.new("1", (width, max(LINE_PITCH, text_height) + gap * LINE_PITCH), 1)
    text_width = display_width(text) * CELL_DOTS * scale
    x = (width - text_width) // 2 if align is Align.CENTER else 0
    ImageDraw.Draw(image).text(
        (x, BASELINE * scale),
        text,
        fill=0,
        font=_font(font_path, font_index, CELL_HEIGHT * scale),
        anchor="ls",
    )
    return ~np.asarray(image, dtype=bool)


def _qr_band(data: str, width: int) -> np.ndarray:
    """The QR symbol centred, with a blank line above and below as its quiet zone."""
    modules = np.array(segno.make_qr(data, error="m", boost_error=False).matrix, dtype=bool)
    symbol = modules.repeat(QR_MODULE_DOTS, axis=0).repeat(QR_MODULE_DOTS, axis=1)
    quiet = QR_QUIET_LINES * LINE_PITCH
    band = np.zeros((symbol.shape[0] + 2 * quiet, width), dtype=bool)
    left = (width - symbol.shape[1]) // 2
    band[quiet : quiet + symbol.shape[0], left : left + symbol.shape[1]] = symbol
    return band


@lru_cache(maxsize=4)
def _font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)
