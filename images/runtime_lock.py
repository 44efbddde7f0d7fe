"""The runtime part of requirements.lock: what the box's venv installs, hashes included.

requirements.lock (pip-compile, every extra) is the one lock of the project; the image
needs only the closure of pyproject.toml's runtime dependencies, so no pytest or ruff.
The closure is walked over the build venv's metadata, which `make bootstrap` installed
from the same lock, so names and versions agree; a lock entry whose version differs from
the venv's stops the build (run make bootstrap).

    .venv/bin/python images/runtime_lock.py requirements.lock > runtime.lock
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
# The target venv brings its own installer.
PROVIDED_BY_VENV = frozenset({"pip"})
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def runtime_closure(pyproject: Path = PYPROJECT) -> dict[str, str]:
    """Name → version of every distribution the project needs at run time (no extras)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    found: dict[str, str] = {}
    pending = [Requirement(r) for r in project["dependencies"]]
    while pending:
        requirement = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name in found or name in PROVIDED_BY_VENV:
            continue
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            raise SystemExit(
                f"runtime_lock: {requirement.name} is required but not installed "
                "in the build venv (run make bootstrap)"
            ) from None
        found[name] = dist.version
        pending += [Requirement(r) for r in dist.requires or []]
    return found


def lock_entries(lock_text: str) -> dict[str, tuple[str, str]]:
    """Name → (version, the entry's lines with its hashes, comments dropped)."""
    entries: dict[str, tuple[str, str]] = {}
    name = ""
    for line in lock_text.splitlines():
        if match := ENTRY.match(line):
            name = canonicalize_name(match.group(1))
            entries[name] = (match.group(2), line + "\n")
        elif line.startswith("    --hash") and name:
            version, text = entries[name]
            entries[name] = (version, text + line + "\n")
        elif not line.startswith(" "):
            name = ""
    return entries


def runtime_lock(lock_text: str, closure: dict[str, str]) -> str:
    entries = lock_entries(lock_text)
    out = []
    for name, version in sorted(closure.items()):
        if name not in entries:
            raise SystemExit(f"runtime_lock: {name} is not in requirements.lock (make lock)")
        locked, text = entries[name]
        if locked != version:
            raise SystemExit(
                f"runtime_lock: {name} is {version} in the venv but {locked} in "
                "requirements.lock (run make bootstrap)"
            )
        out.append(text)
    return "".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(runtime_lock(Path(sys.argv[1]).read_text(encoding="utf-8"), runtime_closure()))
