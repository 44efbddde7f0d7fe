"""Tells rendered Chinese glyphs from tofu boxes in a screenshot.

Full-width characters have equal advances, so a run of N CJK characters splits into N
equal cells. Real glyphs give N different cells with ink; a font without CJK draws the
same box N times (or nothing).
"""

from __future__ import annotations

import numpy as np

INK_STD = 12.0  # a cell with glyph strokes varies this much in grey level
DISTINCT = 6.0  # mean absolute difference between two different glyphs


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def cells(crop: np.ndarray, count: int) -> list[np.ndarray]:
    width = crop.shape[1] // count
    return [crop[:, i * width : (i + 1) * width].astype(np.float32) for i in range(count)]


def glyph_problems(crop: np.ndarray, text: str) -> list[str]:
    """Empty when ``crop`` (grey, exactly the text's box) shows ``text`` as real glyphs."""
    parts = cells(crop, len(text))
    problems = [
        f"cell {i} ({text[i]}) has no ink" for i, c in enumerate(parts) if c.std() < INK_STD
    ]
    for i in range(len(parts)):
        for j in range(i + 1, len(parts)):
            if text[i] != text[j] and np.abs(parts[i] - parts[j]).mean() < DISTINCT:
                problems.append(f"{text[i]} and {text[j]} look the same (tofu?)")
    return problems
