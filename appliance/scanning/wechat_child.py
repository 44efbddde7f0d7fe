"""The WeChat decoder's own process: frames in on stdin, one JSON line out for each.

Started by :class:`appliance.scanning.wechat_process.WeChatProcess` as
``python -m appliance.scanning.wechat_child MODEL_DIR``. It checks and loads the models,
says ``{"ready": true, "cpu_s": …}`` (its start-up CPU), then for every frame reads a
header line ``HEIGHT WIDTH`` and that many grey bytes, and answers ``{"texts": […],
"cpu_s": …}``. A failed load answers ``{"error": …, "message": …}`` and exits 1. Standard
input closed: it exits 0.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import BinaryIO

NICENESS = 10


def read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def answer(out: BinaryIO, message: dict) -> None:
    out.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
    out.flush()


def main(argv: list[str]) -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    os.nice(NICENESS)  # background work: the kiosk and zxing-cpp come first on a busy CPU
    try:
        import numpy as np

        from appliance.scanning.wechat import WeChatDecoder

        decoder = WeChatDecoder(Path(argv[0])) if argv else WeChatDecoder()
    except Exception as exc:  # noqa: BLE001 (reported to the parent, which logs it)
        answer(stdout, {"error": type(exc).__name__, "message": str(exc)})
        return 1
    answer(stdout, {"ready": True, "cpu_s": time.process_time()})
    while header := stdin.readline():
        height, width = (int(value) for value in header.split())
        data = read_exactly(stdin, height * width)
        if data is None:
            return 0
        started = time.process_time()
        gray = np.frombuffer(data, dtype=np.uint8).reshape(height, width)
        texts = [symbol.text for symbol in decoder.read(gray)]
        answer(stdout, {"texts": texts, "cpu_s": time.process_time() - started})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
