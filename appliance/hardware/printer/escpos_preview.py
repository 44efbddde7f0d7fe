"""A strict ESC/POS interpreter that draws what a thermal printer would print.

It understands exactly the commands :mod:`appliance.hardware.printer.escpos_encode` emits and
rejects every other byte with its offset, so a preview that renders is also proof that
the job is well formed. Cells follow the printer's fonts: 12×24 dots for ASCII, 24×24
for every multi-byte character in Chinese mode.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont

PAPER_DOTS = {58: 384, 80: 576}
FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
# Noto Sans Mono CJK SC: its Latin is exactly half a hanzi wide, like the printer's fonts.
FONT_INDEX = 7
CELL_HEIGHT = 24
HALF_CELL = 12
FULL_CELL = 24
BASELINE = 21  # the CJK em box (ascender 0.88 em) fills the 24-dot cell
LINE_PITCH = 30  # the printer's default line spacing at 203 dpi
CUT_MARK_GREY = 150

ESC, GS, FS, LF = 0x1B, 0x1D, 0x1C, 0x0A
QR_LEVELS = {48: "l", 49: "m", 50: "q", 51: "h"}
QR_MODEL_2 = 50
ALIGNMENTS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
FULL_CUTS = {0, 48}
PARTIAL_CUTS = {1, 49}
FEED_AND_CUTS = {65, 66}


class EscPosError(ValueError):
    """The job holds a byte sequence this printer subset does not understand."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(f"offset {offset}: {message}")
        self.offset = offset


@dataclass(frozen=True)
class Preview:
    """The rendered slip, the text of each printed row, and how many cuts it had."""

    image: Image.Image
    text_lines: tuple[str, ...]
    cuts: int


def render_preview(
    job: bytes,
    *,
    paper_width_mm: int = 80,
    encoding: str = "gb18030",
    chinese_mode: bool = False,
    font_path: Path = FONT_PATH,
    font_index: int = FONT_INDEX,
    dots_per_line: int | None = None,
) -> Preview:
    """Interpret ``job`` and draw it at the paper's dot width.

    ``chinese_mode`` is the state after power-on and ESC @: most printers sold in
    China start with it on, then multi-byte text needs no FS &. ``dots_per_line``
    overrides the paper's usual width (an Epson TM-T88 prints 512 dots on 80 mm).
    """
    if paper_width_mm not in PAPER_DOTS:
        raise ValueError(f"paper width must be one of {sorted(PAPER_DOTS)} mm")
    interpreter = _Interpreter(
        job,
        dots_per_line or PAPER_DOTS[paper_width_mm],
        encoding,
        chinese_mode,
        str(font_path),
        font_index,
    )
    interpreter.run()
    return interpreter.preview()


@dataclass(frozen=True)
class _Glyph:
    char: str
    width: int
    height: int
    scale_x: int
    scale_y: int


class _Interpreter:
    def __init__(
        self,
        job: bytes,
        dots: int,
        encoding: str,
        chinese_default: bool,
        font_path: str,
        font_index: int,
    ) -> None:
        self.job = job
        self.dots = dots
        self.encoding = encoding
        self.chinese_default = chinese_default
        self.font_path = font_path
        self.font_index = font_index
        self.pos = 0
        self.bands: list[Image.Image] = []
        self.cut_marks: list[int] = []
        self.text_lines: list[str] = []
        self._reset()

    def _reset(self) -> None:
        self.align = "left"
        self.scale_x = self.scale_y = 1
        self.chinese = self.chinese_default
        self.line: list[_Glyph] = []
        self.qr_size = 3
        self.qr_level = "l"
        self.qr_data: bytes | None = None
        self.graphic: np.ndarray | None = None

    def run(self) -> None:
        while self.pos < len(self.job):
            start = self.pos
            byte = self._take(1)[0]
            if byte == ESC:
                self._esc(start)
            elif byte == GS:
                self._gs(start)
            elif byte == FS:
                self._fs(start)
            elif byte == LF:
                self._print_line(record_empty=True)
            elif 0x20 <= byte < 0x7F:
                self._add(chr(byte), HALF_CELL)
            elif byte >= 0x80 and self.chinese:
                self._add(self._multibyte(start), FULL_CELL)
            else:
                raise EscPosError(start, f"unexpected byte 0x{byte:02x}")
        if self.line:
            raise EscPosError(len(self.job), "text left in the buffer: the job never prints it")

    def preview(self) -> Preview:
        height = max(1, sum(band.height for band in self.bands))
        image = Image.new("L", (self.dots, height), 255)
        y = 0
        for band in self.bands:
            image.paste(band, (0, y))
            y += band.height
        draw = ImageDraw.Draw(image)
        for mark in self.cut_marks:
            row = min(mark, height - 1)
            for x in range(0, self.dots, 12):
                draw.line([(x, row), (x + 5, row)], fill=CUT_MARK_GREY)
        return Preview(image, tuple(self.text_lines), len(self.cut_marks))

    def _take(self, count: int) -> bytes:
        if self.pos + count > len(self.job):
            raise EscPosError(self.pos, f"job ends inside a command ({count} byte(s) expected)")
        chunk = self.job[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def _esc(self, start: int) -> None:
        command = self._take(1)
        if command == b"@":
            self._reset()
        elif command == b"a":
            value = self._take(1)[0]
            if value not in ALIGNMENTS:
                raise EscPosError(start, f"ESC a with unknown alignment {value}")
            self.align = ALIGNMENTS[value]
        elif command == b"d":
            lines = self._take(1)[0]
            if self.line:
                self._print_line(record_empty=False)
                lines -= 1
            self._blank(max(0, lines) * LINE_PITCH)
        else:
            raise EscPosError(start, f"unsupported command ESC 0x{command[0]:02x}")

    def _gs(self, start: int) -> None:
        command = self._take(1)
        if command == b"!":
            size = self._take(1)[0]
            if size & 0x88:
                raise EscPosError(start, f"GS ! with invalid size 0x{size:02x}")
            self.scale_x, self.scale_y = (size >> 4) + 1, (size & 0x07) + 1
        elif command == b"(":
            self._gs_paren(start)
        elif command == b"V":
            self._cut(start)
        elif command == b"v":
            self._raster(start)
        else:
            raise EscPosError(start, f"unsupported command GS 0x{command[0]:02x}")

    def _fs(self, start: int) -> None:
        command = self._take(1)
        if command == b"&":
            self.chinese = True
        elif command == b".":
            self.chinese = False
        else:
            raise EscPosError(start, f"unsupported command FS 0x{command[0]:02x}")

    def _multibyte(self, start: int) -> str:
        """Decode one character from its lead byte (already taken) and up to 3 more."""
        decoder = codecs.getincrementaldecoder(self.encoding)()
        chunk = self.job[start : start + 1]
        for _ in range(3):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise EscPosError(start, f"invalid {self.encoding} sequence") from error
            if text:
                return text
            chunk = self._take(1)
        try:
            return decoder.decode(chunk, final=True)
        except UnicodeDecodeError as error:
            raise EscPosError(start, f"invalid {self.encoding} sequence") from error

    def _gs_paren(self, start: int) -> None:
        function = self._take(1)
        if function == b"k":
            self._qr(start)
        elif function == b"L":
            self._graphics(start)
        else:
            raise EscPosError(start, "unsupported GS ( function: only k (QR) and L are known")

    def _graphics(self, start: int) -> None:
        """GS ( L: store a monochrome raster graphic (fn 112), print the stored one (fn 50)."""
        body = self._take(int.from_bytes(self._take(2), "little"))
        if body == b"02":
            if self.graphic is None:
                raise EscPosError(start, "GS ( L print without a stored graphic")
            if self.line:
                raise EscPosError(start, "graphic print with text in the buffer")
            self._image(start, self.graphic)
            self.graphic = None
            return
        if len(body) < 10 or body[:6] != b"0p0\x01\x011":
            raise EscPosError(start, "unsupported GS ( L function or its arguments")
        width = int.from_bytes(body[6:8], "little")
        height = int.from_bytes(body[8:10], "little")
        width_bytes = (width + 7) // 8
        if len(body) - 10 != width_bytes * height:
            raise EscPosError(start, "GS ( L graphic size does not match its data")
        data = np.frombuffer(body[10:], dtype=np.uint8).reshape(height, width_bytes)
        self.graphic = np.unpackbits(data, axis=1)[:, :width]

    def _qr(self, start: int) -> None:
        length = int.from_bytes(self._take(2), "little")
        if length < 2:
            raise EscPosError(start, "GS ( k too short")
        body = self._take(length)
        symbol, function, args = body[0], body[1], body[2:]
        if symbol != 0x31:
            raise EscPosError(start, f"GS ( k symbol type {symbol} is not QR (49)")
        if function == 0x41 and len(args) == 2:
            if args[0] != QR_MODEL_2:
                raise EscPosError(start, f"QR model {args[0] - 48} is not supported")
        elif function == 0x43 and len(args) == 1 and 1 <= args[0] <= 16:
            self.qr_size = args[0]
        elif function == 0x45 and len(args) == 1 and args[0] in QR_LEVELS:
            self.qr_level = QR_LEVELS[args[0]]
        elif function == 0x50 and args[:1] == b"0" and len(args) > 1:
            self.qr_data = bytes(args[1:])
        elif function == 0x51 and args == b"0":
            self._print_qr(start)
        else:
            raise EscPosError(start, f"unsupported GS ( k function {function} or its arguments")

    def _print_qr(self, start: int) -> None:
        if self.qr_data is None:
            raise EscPosError(start, "QR print without stored data")
        if self.line:
            raise EscPosError(start, "QR print with text in the buffer")
        qr = segno.make_qr(self.qr_data, error=self.qr_level, boost_error=False)
        modules = np.array(qr.matrix, dtype=np.uint8)
        self._image(start, modules.repeat(self.qr_size, 0).repeat(self.qr_size, 1))

    def _raster(self, start: int) -> None:
        if self._take(2) not in (b"0\x00", b"00"):
            raise EscPosError(start, "unsupported GS v mode: only GS v 0 normal is known")
        width_bytes = int.from_bytes(self._take(2), "little")
        height = int.from_bytes(self._take(2), "little")
        data = np.frombuffer(self._take(width_bytes * height), dtype=np.uint8)
        if self.line:
            raise EscPosError(start, "raster image with text in the buffer")
        self._image(start, np.unpackbits(data.reshape(height, width_bytes), axis=1))

    def _image(self, start: int, dots: np.ndarray) -> None:
        height, width = dots.shape
        if width > self.dots:
            raise EscPosError(start, f"image {width} dots wide does not fit {self.dots} dots")
        band = Image.new("L", (self.dots, height), 255)
        band.paste(Image.fromarray(((1 - dots) * 255).astype(np.uint8)), (self._x(width), 0))
        self.bands.append(band)

    def _cut(self, start: int) -> None:
        mode = self._take(1)[0]
        if mode in FEED_AND_CUTS:
            self._blank(self._take(1)[0])
        elif mode not in FULL_CUTS | PARTIAL_CUTS:
            raise EscPosError(start, f"GS V with unknown cut mode {mode}")
        if self.line:
            raise EscPosError(start, "cut with text in the buffer")
        self.cut_marks.append(sum(band.height for band in self.bands))

    def _add(self, char: str, cell: int) -> None:
        glyph = _Glyph(
            char, cell * self.scale_x, CELL_HEIGHT * self.scale_y, self.scale_x, self.scale_y
        )
        if sum(g.width for g in self.line) + glyph.width > self.dots:
            self._print_line(record_empty=False)
        self.line.append(glyph)

    def _blank(self, height: int) -> None:
        if height:
            self.bands.append(Image.new("L", (self.dots, height), 255))

    def _print_line(self, record_empty: bool) -> None:
        """Print the buffer as one row; a row too wide was already wrapped, like the printer."""
        if not self.line and not record_empty:
            return
        text_height = max((g.height for g in self.line), default=CELL_HEIGHT)
        band = Image.new("L", (self.dots, max(LINE_PITCH, text_height)), 255)
        x = self._x(sum(g.width for g in self.line))
        for glyph in self.line:
            band.paste(self._draw(glyph), (x, text_height - glyph.height))
            x += glyph.width
        self.bands.append(band)
        self.text_lines.append("".join(g.char for g in self.line))
        self.line = []

    def _x(self, width: int) -> int:
        if self.align == "center":
            return (self.dots - width) // 2
        if self.align == "right":
            return self.dots - width
        return 0

    def _draw(self, glyph: _Glyph) -> Image.Image:
        """A cell drawn at the line's height, stretched sideways for unequal scales."""
        scale = glyph.scale_y
        cell = Image.new("L", (glyph.width // glyph.scale_x * scale, glyph.height), 255)
        ImageDraw.Draw(cell).text(
            (0, BASELINE * scale),
            glyph.char,
            fill=0,
            font=_font(self.font_path, self.font_index, CELL_HEIGHT * scale),
            anchor="ls",
        )
        if cell.width != glyph.width:
            cell = cell.resize((glyph.width, glyph.height))
        return cell


@lru_cache(maxsize=8)
def _font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)
