"""``make bench``: runs every ``bench/bench_*.py`` module's ``main()`` in turn.

Each module prints its own table and writes ``bench/results/<name>.json``. Pass module
names (e.g. ``startup``) to run only those.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main(selected: list[str]) -> int:
    sys.path.insert(0, str(BENCH_DIR))
    names = sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))
    failures = 0
    for name in names:
        if selected and name not in selected:
            continue
        print(f"\n== {name} ==")
        failures += importlib.import_module(f"bench_{name}").main() != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
