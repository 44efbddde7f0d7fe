"""OpenCV's WeChat QR decoder (CNN detector and super-resolution), the scan's escalation.

The models are package data (``appliance/data/wechat_qrcode/``, Apache-2.0, origin in
the README there); their SHA-256s are recorded here and checked every time they load, so
a changed or truncated file stops the escalation with :class:`ModelFileError` instead
of feeding the network whatever is on disk.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from appliance.errors import ApplianceError
from appliance.scanning.port import Symbol

MODEL_DIR = Path(str(resources.files("appliance").joinpath("data/wechat_qrcode")))
# Upstream's bytes: WeChatCV's models at the opencv_3rdparty commit opencv_contrib names.
MODEL_SHA256: dict[str, str] = {
    "detect.prototxt": "e8acfc395caf443a47f15686a9b9207b36cb8f7e6ceb8fbaf6466665e68a9466",
    "detect.caffemodel": "cc49b8c9babaf45f3037610fe499df38c8819ebda29e90ca9f2e33270f6ef809",
    "sr.prototxt": "8ae41acba97e8b4a8e741ee350481e49b8e01d787193f470a4c95ee1c02d5b61",
    "sr.caffemodel": "e5d36889d8e6ef2f1c1f515f807cec03979320ac81792cd8fb927c31fd658ae3",
}


class ModelFileError(ApplianceError):
    """A WeChat model file is missing or differs from its recorded checksum.

    The kiosk goes on with zxing-cpp alone; reinstalling the appliance restores the file.
    """


def verified_models(model_dir: Path = MODEL_DIR) -> dict[str, Path]:
    """The four model paths, each checked against :data:`MODEL_SHA256`."""
    paths = {}
    for name, expected in MODEL_SHA256.items():
        path = model_dir / name
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise ModelFileError(f"{path}: cannot be read ({exc.strerror})") from exc
        if digest != expected:
            raise ModelFileError(f"{path}: SHA-256 {digest}, expected {expected}")
        paths[name] = path
    return paths


class WeChatDecoder:
    """``cv2.wechat_qrcode_WeChatQRCode`` with the verified models; QR codes only.

    Loading sets OpenCV to one thread (``cv2.setNumThreads(1)``, process-wide): the
    budget measures the escalation by its thread's CPU time, which is then all of it,
    and no OpenCV call fans out over the cores the UI and zxing-cpp need.
    """

    FORMAT = "QRCode"

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        paths = verified_models(model_dir)
        cv2.setNumThreads(1)
        self._detector = cv2.wechat_qrcode.WeChatQRCode(
            str(paths["detect.prototxt"]),
            str(paths["detect.caffemodel"]),
            str(paths["sr.prototxt"]),
            str(paths["sr.caffemodel"]),
        )

    def read(self, gray: np.ndarray) -> list[Symbol]:
        if gray.ndim != 2 or gray.dtype != np.uint8:
            raise ValueError(f"expected a 2-D uint8 image, got {gray.ndim}-D {gray.dtype}")
        texts, _points = self._detector.detectAndDecode(gray)
        return [Symbol(text, self.FORMAT) for text in texts if text]
