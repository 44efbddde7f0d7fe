"""Receipt lines to ESC/POS bytes for a Chinese thermal printer.

python-escpos builds the QR and cut commands; text is encoded here because its
automatic encoding prints "?" for full-width punctuation such as "：" and it has no
FS & / FS . (Chinese character mode) commands.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import segno
from escpos.constants import QR_ECLEVEL_M

from appliance.domain.receipt import Align, Line, QrCode, Separator, Text, Title

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
LF = b"\n"

INIT = ESC + b"@"
ALIGN = {Align.LEFT: ESC + b"a\x00", Align.CENTER: ESC + b"a\x01"}
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
RASTER_IMAGE = GS + b"v0\x00"

QR_MODULE_DOTS = 6
QR_QUIET_LINES = 1
TITLE_GAP_LINES = 1
TEAR_OFF_LINES = 6  # the same feed python-escpos puts before a cut
TITLE_SIZE = 0x11  # GS ! : double width (high nibble) and double height (low nibble)
NORMAL_SIZE = 0x00


def encode_receipt(
    lines: Sequence[Line],
    *,
    encoding: str = "gb18030",
    chinese_mode_commands: bool = True,
    native_qr: bool = True,
    cut: bool = True,
    full_cut: bool = False,
) -> bytes:
    """Encode a laid-out receipt as one complete print job.

    ``chinese_mode_commands=False`` suits printers that are always in Chinese mode and
    misread FS & / FS .; ``native_qr=False`` sends the QR as a raster image for
    printers without GS ( k; ``cut=False`` feeds to the tear bar of a printer without
    a cutter. Text that ``encoding`` cannot express raises UnicodeEncodeError rather
    than printing "?".
    """
    out = bytearray(INIT)
    for line in lines:
        if isinstance(line, Title):
            out += ALIGN[Align.CENTER] + _size(TITLE_SIZE)
            out += _text(line.text, encoding, chinese_mode_commands)
            out += _size(NORMAL_SIZE) + ALIGN[Align.LEFT] + _feed(TITLE_GAP_LINES)
        elif isinstance(line, Text):
            out += ALIGN[line.align]
            out += _text(line.text, encoding, chinese_mode_commands)
            out += ALIGN[Align.LEFT]
        elif isinstance(line, Separator):
            out += _text(line.text, encoding, chinese_mode_commands)
        elif isinstance(line, QrCode):
            out += ALIGN[Align.CENTER]
            out += _qr(line.data, native_qr)
            out += ALIGN[Align.LEFT]
        else:
            raise TypeError(f"not a receipt line: {line!r}")
    out += finish_job(cut, full_cut)
    return bytes(out)


def _dummy():
    """python-escpos' byte-collecting printer, imported on first use: loading its printer
    capability database costs about 0.2 s, which the kiosk should not pay at start-up."""
    from escpos.printer import Dummy

    return Dummy()


def finish_job(cut: bool, full_cut: bool = False) -> bytes:
    """Feed the slip past the cutter and cut it, or to the tear bar without a cutter."""
    if not cut:
        return _feed(TEAR_OFF_LINES)
    printer = _dummy()
    printer.cut(mode="FULL" if full_cut else "PART")
    return printer.output


def _size(value: int) -> bytes:
    return GS + b"!" + bytes([value])


def _text(text: str, encoding: str, chinese_mode_commands: bool) -> bytes:
    """One printed row: the row's bytes, wrapped in Chinese mode when they need it."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise ValueError(f"control character in receipt text {text!r}")
    data = text.encode(encoding)
    if chinese_mode_commands and not text.isascii():
        data = CHINESE_ON + data + CHINESE_OFF
    return data + LF


def _feed(lines: int) -> bytes:
    return ESC + b"d" + bytes([lines])


def _qr(data: str, native: bool) -> bytes:
    """A QR symbol with a blank line above and below as its quiet zone."""
    body = _native_qr(data) if native else _raster_qr(data)
    return _feed(QR_QUIET_LINES) + body + _feed(QR_QUIET_LINES)


def _native_qr(data: str) -> bytes:
    """GS ( k: model 2, module size, error correction M, store, print."""
    printer = _dummy()
    printer.qr(data, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS, native=True)
    return printer.output


def _raster_qr(data: str) -> bytes:
    """The QR as a GS v 0 raster image, for printers without native QR."""
    modules = np.array(segno.make_qr(data, error="m", boost_error=False).matrix, dtype=np.uint8)
    dots = modules.repeat(QR_MODULE_DOTS, axis=0).repeat(QR_MODULE_DOTS, axis=1)
    packed = np.packbits(dots, axis=1)
    height, width_bytes = packed.shape
    size = width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little")
    return RASTER_IMAGE + size + packed.tobytes()
