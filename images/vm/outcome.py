"""The verdict of a VM test: named checks, printed as they are made, and figures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Outcome:
    checks: list[tuple[str, bool, str]]
    figures: dict[str, float]

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))
        print(f"boot-test: {'ok  ' if ok else 'FAIL'} {name} {detail}", flush=True)
