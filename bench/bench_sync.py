"""Offline queue: durable enqueue latency and the drain rate to the dev branch server.

Enqueue: one accepted submission stored with its outbox row (WAL, synchronous=FULL,
BEGIN IMMEDIATE), against persist-queue's SQLiteAckQueue ``put`` (auto-commit) as the
baseline, both on the same disk in the same run. Drain: a 10,000 backlog delivered by
the sync worker to the dev server running as its own process on loopback.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_file import write_results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appliance.config import dev_config_text  # noqa: E402
from appliance.store import outbox  # noqa: E402
from appliance.store.db import connect  # noqa: E402
from appliance.sync.process import build_worker  # noqa: E402
from tests.sync_helpers import add_submissions, make_config  # noqa: E402

ENQUEUES = 1000
BACKLOG = 10_000


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _ours(folder: Path) -> list[float]:
    db = connect(folder / "ours.db")
    samples = []
    for _ in range(ENQUEUES):
        started = time.perf_counter()
        add_submissions(db, 1)
        samples.append(time.perf_counter() - started)
    return samples


def _persist_queue(folder: Path) -> list[float]:
    from persistqueue import SQLiteAckQueue

    queue = SQLiteAckQueue(str(folder / "pq"), auto_commit=True, multithreading=True)
    item = {
        "receipt_number": "ZS-08-20261127-0001",
        "item_code": "442000-SB-0310",
        "applicant_name": "张晓三",
        "id_number": "11010519491231002X",
    }
    samples = []
    for _ in range(ENQUEUES):
        started = time.perf_counter()
        queue.put(item)
        samples.append(time.perf_counter() - started)
    return samples


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _drain(folder: Path) -> tuple[float, int]:
    port = _free_port()
    config = make_config(folder / "box", url=f"http://127.0.0.1:{port}")
    config_file = folder / "appliance.toml"
    config_file.write_text(
        dev_config_text(folder / "box").replace("127.0.0.1:8750", f"127.0.0.1:{port}"),
        encoding="utf-8",
    )
    db = connect(config.data_dir / "appliance.db")
    add_submissions(db, BACKLOG)
    server = subprocess.Popen(
        [sys.executable, "-m", "appliance", "branch-server", "--config", str(config_file)],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("dev server did not start")
            time.sleep(0.05)
        worker = build_worker(config, db)
        started = time.perf_counter()
        delivered = worker.drain()
        elapsed = time.perf_counter() - started
        worker.client.close()
    finally:
        server.terminate()
        server.wait(10)
    assert outbox.counts(db).backlog == 0
    return elapsed, delivered


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    base = _persist_queue(folder)
    ours = _ours(folder)
    elapsed, delivered = _drain(folder)
    rows = []
    for case, samples in (
        ("persist-queue SQLiteAckQueue.put (baseline)", base),
        ("store_submission + outbox row", ours),
    ):
        rows.append(
            {
                "case": case,
                "p50_ms": round(statistics.median(samples) * 1000, 2),
                "p99_ms": round(_percentile(samples, 0.99) * 1000, 2),
                "p99_ratio_to_baseline": round(
                    _percentile(samples, 0.99) / _percentile(base, 0.99), 2
                ),
            }
        )
    rate = delivered / elapsed
    print(f"durable enqueue, {ENQUEUES} each, same disk ({folder})")
    print(f"{'case':46} {'p50 ms':>8} {'p99 ms':>8} {'p99 ratio':>10}")
    for row in rows:
        print(
            f"{row['case']:46} {row['p50_ms']:>8} {row['p99_ms']:>8} "
            f"{row['p99_ratio_to_baseline']:>10}"
        )
    print(
        f"drain: {delivered} submissions in {elapsed:.2f} s = {rate:.0f}/s "
        "(target >= 500/s; p99 target <= 20 ms)"
    )
    write_results(
        "sync",
        {
            "enqueue": rows,
            "drain": {
                "backlog": delivered,
                "seconds": round(elapsed, 2),
                "per_second": round(rate),
            },
        },
    )
    return 0
