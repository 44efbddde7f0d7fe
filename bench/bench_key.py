"""Key login and lock: PIN accepted → home screen drawn, key pulled → login screen drawn.

Runs the real kiosk under a virtual display with a SoftHSM2 test key on the fake USB bus
(``appliance_dev.demo.key_driver --bench``). The login figure starts when the key worker hands
back the accepted PIN (C_Login and the challenge signature already done, so the token's
own signing time is excluded) and ends at the first frame showing the home screen. The
removal figure starts at the write that pulls the key from the bus and ends at the first
frame showing the login screen. The issue names budgets, not a baseline program, so the
ratio column is each median against its budget (300 ms and 1 s): below 1 is within it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from results_file import write_results

RUNS = 10
BUDGETS_MS = {"login_to_home_ms": 300.0, "removal_to_locked_ms": 1000.0}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-key-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_NO_ARGS"] = "1"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "appliance_dev.demo.key_driver",
            "--work",
            str(work),
            "--bench",
            str(RUNS),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    if result.returncode != 0:
        print(result.stderr[-2000:])
        return 1
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    rows = [
        {
            "case": case,
            "median_ms": round(figures[case]["median"]),
            "max_ms": round(figures[case]["max"]),
            "budget_ms": round(budget),
            "ratio_to_budget": round(figures[case]["median"] / budget, 2),
        }
        for case, budget in BUDGETS_MS.items()
    ]
    print(f"key login and lock, {RUNS} runs each, real Kivy under Xvfb, SoftHSM2 RSA key")
    print(f"{'case':24} {'median ms':>10} {'max ms':>8} {'budget ms':>10} {'ratio':>6}")
    for row in rows:
        print(
            f"{row['case']:24} {row['median_ms']:>10} {row['max_ms']:>8} "
            f"{row['budget_ms']:>10} {row['ratio_to_budget']:>6}"
        )
    write_results("key", {"poll_interval_s": 0.5, "rows": rows})
    return 0
