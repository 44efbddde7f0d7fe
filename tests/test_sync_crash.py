"""Kill -9 the counter and the sync process at random moments, many times over: the
branch server must end up with exactly the accepted submissions, none missing, none twice.

Children come from a forkserver that has the appliance imported, so each of the hundreds
of restarts is a fork, not a fresh interpreter. ``SYNC_CRASH_ROUNDS`` makes it a soak.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import socket
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from appliance.store import outbox
from appliance.store.db import connect
from tests import sync_crash_children as children
from tests.sync_helpers import make_config

ROUNDS = int(os.environ.get("SYNC_CRASH_ROUNDS", "200"))
DRAIN_DEADLINE_S = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.sync_crash_children"])
    return ctx


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.join(5)


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise AssertionError("dev server did not start")


@pytest.mark.parametrize(
    "faults",
    [
        {"seed": 1},
        {"error_rate": 0.15, "throttle_rate": 0.1, "retry_after_s": 0, "drop_rate": 0.2, "seed": 2},
    ],
    ids=["clean-server", "faulty-server"],
)
def test_kill_9_loop_loses_nothing_and_duplicates_nothing(tmp_path: Path, faults: dict) -> None:
    ctx = _context()
    port = _free_port()
    config = make_config(
        tmp_path / "box",
        url=f"http://127.0.0.1:{port}",
        lease_s=1.0,
        batch_size=20,
        backoff_cap_s=0.2,
        read_timeout_s=5.0,
    )
    connect(config.data_dir / "appliance.db")  # migrate once, before the races
    server = ctx.Process(target=children.server, args=(config, tmp_path / "server", faults, port))
    server.start()
    _wait_for_port(port)
    rng = random.Random(ROUNDS)
    running = {
        name: ctx.Process(target=getattr(children, name), args=(config,))
        for name in ("counter", "sync")
    }
    for process in running.values():
        process.start()
    kills: Counter[str] = Counter()
    try:
        for _ in range(ROUNDS):
            time.sleep(rng.uniform(0.005, 0.06))
            victim = rng.choice(["counter", "sync"])
            _kill(running[victim])
            kills[victim] += 1
            running[victim] = ctx.Process(target=getattr(children, victim), args=(config,))
            running[victim].start()
        _kill(running.pop("counter"))
        db = connect(config.data_dir / "appliance.db")
        deadline = time.monotonic() + DRAIN_DEADLINE_S
        while outbox.counts(db).backlog and time.monotonic() < deadline:
            time.sleep(0.1)
        counts = outbox.counts(db)
    finally:
        for process in running.values():
            _kill(process)
        server.terminate()
        server.join(10)
    accepted = sorted(r[0] for r in db.execute("SELECT id FROM submissions"))
    with sqlite3.connect(tmp_path / "server" / "branch.db") as branch:
        stored = [r[0] for r in branch.execute("SELECT submission_id FROM submissions")]
    duplicated = [sid for sid, n in Counter(stored).items() if n > 1]
    assert kills["counter"] > 50 and kills["sync"] > 50
    assert len(accepted) > 100
    assert counts.backlog == 0 and counts.rejected == 0
    assert duplicated == []
    assert sorted(stored) == accepted
