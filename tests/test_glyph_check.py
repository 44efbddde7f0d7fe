"""The screenshot glyph check itself: it must pass real glyphs and fail tofu."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tests.glyphs import glyph_problems

CJK_FONT = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)
LATIN_ONLY_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TEXT = "二维码扫描"


def render(font: ImageFont.FreeTypeFont) -> np.ndarray:
    left, top, right, bottom = font.getbbox(TEXT)
    image = Image.new("L", (right, bottom), 255)
    ImageDraw.Draw(image).text((0, 0), TEXT, font=font, fill=0)
    return np.asarray(image)


def test_real_chinese_glyphs_pass() -> None:
    font = ImageFont.truetype(CJK_FONT[0], 40, index=CJK_FONT[1])
    assert glyph_problems(render(font), TEXT) == []


def test_tofu_boxes_fail() -> None:
    font = ImageFont.truetype(LATIN_ONLY_FONT, 40)
    assert glyph_problems(render(font), TEXT)
