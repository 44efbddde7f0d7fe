"""Copy the appliance's runtime dependencies from a built venv into the image's venv.

The build machine's venv holds exactly the versions the test suite ran against; copying
each installed distribution by its RECORD gives the image the same versions without
asking a package index again (the tests build offline). Only the closure of the
project's runtime requirements (pyproject.toml) is copied: no pytest, no ruff.
Run with the source venv's Python:

    .venv/bin/python images/venv_closure.py TARGET_SITE_PACKAGES > versions.txt
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
# The target venv brings its own installer.
PROVIDED_BY_VENV = frozenset({"pip"})


def runtime_closure(pyproject: Path = PYPROJECT) -> list[metadata.Distribution]:
    """Every distribution the project needs at run time (markers evaluated, no extras).

    The roots come from pyproject.toml itself, not from the editable install's metadata,
    which is stale until the venv is reinstalled.
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    found: dict[str, metadata.Distribution] = {}
    pending = [Requirement(r) for r in project["dependencies"]]
    while pending:
        requirement = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name in found or name in PROVIDED_BY_VENV:
            continue
        try:
            found[name] = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            raise SystemExit(f"venv_closure: {requirement.name} is required but not installed "
                             "in the build venv (run make bootstrap)") from None
        pending += [Requirement(r) for r in found[name].requires or []]
    return sorted(found.values(), key=lambda d: canonicalize_name(d.metadata["Name"]))


def copy_distribution(dist: metadata.Distribution, target: Path) -> int:
    """Copy the files of one distribution that live in site-packages; return their count."""
    site = Path(dist.locate_file(""))
    copied = 0
    for entry in dist.files or []:
        relative = Path(entry)
        if relative.parts[0] == ".." or "__pycache__" in relative.parts:
            continue
        source, destination = site / relative, target / relative
        if source.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
            copied += 1
    return copied


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    target = Path(argv[1])
    for dist in runtime_closure():
        copy_distribution(dist, target)
        print(f"{dist.metadata['Name']}=={dist.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
