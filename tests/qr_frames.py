"""A clean QR code on a grey 720p frame, for tests of the decoders' text handling."""

from __future__ import annotations

import numpy as np
import segno


def clean_qr(text: str, eci: bool) -> np.ndarray:
    qr = segno.make(text, error="m", micro=False, encoding="utf-8", mode="byte", eci=eci)
    modules = np.array(list(qr.matrix_iter(scale=1, border=4)), dtype=np.uint8)
    image = np.kron(1 - modules, np.ones((4, 4), dtype=np.uint8)) * 200 + 30
    frame = np.full((720, 1280), 90, dtype=np.uint8)
    frame[100 : 100 + image.shape[0], 300 : 300 + image.shape[1]] = image
    return frame
