"""Finds a Chinese phrase on a screenshot taken from outside the box.

The phrase is drawn with the box's own font (Noto Sans CJK SC) at a range of sizes and
searched for with normalised cross-correlation, in both polarities (dark on light and
light on dark). A font without CJK glyphs draws boxes that do not correlate with the
real strokes, so a match proves the text is on screen and really rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_FACE = 2  # Noto Sans CJK SC inside the collection
SIZES_PX = range(20, 66, 2)
MATCH = 0.80


@dataclass(frozen=True)
class Found:
    text: str
    score: float
    size_px: int
    x: int
    y: int


def rendered(text: str, size_px: int) -> np.ndarray:
    """``text`` in black on white, cropped to its ink."""
    font = ImageFont.truetype(str(FONT), size_px, index=SC_FACE)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right - left + 8, bottom - top + 8), 255)
    ImageDraw.Draw(image).text((4 - left, 4 - top), text, font=font, fill=0)
    return np.asarray(image)


def find_text(screen: np.ndarray, text: str) -> Found:
    """The best match of ``text`` in the grey ``screen`` over every size and polarity."""
    best = Found(text, -1.0, 0, 0, 0)
    for size in SIZES_PX:
        template = rendered(text, size)
        if template.shape[0] > screen.shape[0] or template.shape[1] > screen.shape[1]:
            break
        for candidate in (template, 255 - template):
            scores = cv2.matchTemplate(screen, candidate, cv2.TM_CCOEFF_NORMED)
            _, score, _, (x, y) = cv2.minMaxLoc(scores)
            if score > best.score:
                best = Found(text, float(score), size, x, y)
    return best


def load_grey(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"))


def shows(screen: np.ndarray, *texts: str) -> list[Found]:
    """The texts that are *not* on the screen (empty when all are)."""
    return [found for text in texts if (found := find_text(screen, text)).score < MATCH]
