"""Receipt printing: time from receipt data to job bytes, per profile and render mode.

Baseline: text mode with the python-escpos-free encoder on the same profile, measured in
the same run; raster ratios say what drawing the whole slip costs on top. Transfer times
are estimates from the job size: USB full speed at ~1 MB/s of bulk payload (12 Mbit/s
less protocol overhead) and 9600 baud serial (8N1, 960 bytes/s).
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime

from results_file import write_results

from appliance.domain.receipt import ReceiptData, layout_receipt
from appliance.hardware.printer.profiles import RenderMode, shipped_profiles
from appliance.hardware.printer.receipt_job import build_job

RUNS = 30
USB_FULL_SPEED_BYTES_S = 1_000_000
SERIAL_9600_BYTES_S = 960
TARGET_MS = {RenderMode.TEXT: 20.0, RenderMode.RASTER: 150.0}
DEMO_RECEIPT = ReceiptData(
    hall_name="广东省网上办事大厅中山分厅",
    window="08",
    receipt_number="ZS-08-20250314-0001",
    item_name="个体工商户设立登记（含名称自主申报、经营范围规范表述）",
    item_code="11442000007176788Q4440112001000",
    item_type_label="中山分厅待办",
    applicant_name="张晓三",
    id_type_label="居民身份证",
    id_number="44200019900101123X",
    accepted_at=datetime(2025, 3, 14, 10, 32),
    operator_name="李梅",
    appointment_number="YY2025031400123",
    promised_date=date(2025, 3, 28),
    synced=False,
)


def time_job(profile_name: str, mode: RenderMode) -> tuple[list[float], int]:
    """Milliseconds from receipt data (layout included) to bytes, one sample per run."""
    profile = shipped_profiles()[profile_name]
    build_job(layout_receipt(DEMO_RECEIPT, profile.columns), profile, mode)  # warm caches
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        job = build_job(layout_receipt(DEMO_RECEIPT, profile.columns), profile, mode)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, len(job)


def main() -> int:
    rows = []
    for name in sorted(shipped_profiles()):
        base = statistics.median(time_job(name, RenderMode.TEXT)[0])
        for mode in RenderMode:
            samples, size = time_job(name, mode)
            median = statistics.median(samples)
            rows.append(
                {
                    "profile": name,
                    "mode": mode.value,
                    "median_ms": round(median, 2),
                    "max_ms": round(max(samples), 2),
                    "target_ms": TARGET_MS[mode],
                    "ratio_to_text": round(median / base, 1),
                    "bytes": size,
                    "usb_full_speed_ms": round(size / USB_FULL_SPEED_BYTES_S * 1000, 1),
                    "serial_9600_s": round(size / SERIAL_9600_BYTES_S, 1),
                    "meets_target": median <= TARGET_MS[mode],
                }
            )
    print(f"receipt data -> job bytes, {RUNS} runs each (demo receipt, layout included)")
    header = (
        f"{'profile':14} {'mode':7} {'median ms':>9} {'max ms':>7} {'target':>6} "
        f"{'x text':>6} {'bytes':>7} {'USB ms':>7} {'9600 s':>7}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['profile']:14} {r['mode']:7} {r['median_ms']:>9} {r['max_ms']:>7} "
            f"{r['target_ms']:>6} {r['ratio_to_text']:>6} {r['bytes']:>7} "
            f"{r['usb_full_speed_ms']:>7} {r['serial_9600_s']:>7}"
        )
    write_results("print", {"baseline": "text mode of the same profile", "rows": rows})
    return 0 if all(r["meets_target"] for r in rows) else 1
