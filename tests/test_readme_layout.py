"""The README's layout table names every folder of the runtime and development packages,
and every path it names exists, so the table cannot drift from the tree."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOTS = ("appliance", "dev/appliance_dev")
SKIPPED = {"__pycache__"}


def layout_paths() -> set[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Layout") :]
    section = section[: section.index("\n## ")] if "\n## " in section else section
    return {path.rstrip("/") for path in re.findall(r"^\| `([^`]+)` \|", section, re.M)}


def package_folders() -> set[str]:
    found = set()
    for root in ROOTS:
        for folder in (REPO / root).rglob("*"):
            if folder.is_dir() and not SKIPPED & set(folder.parts):
                found.add(folder.relative_to(REPO).as_posix())
    return found


def test_every_package_folder_is_in_the_layout_table() -> None:
    """A folder is listed itself, or only groups listed folders (``appliance/hardware/``)."""
    listed = layout_paths()
    missing = {
        folder
        for folder in package_folders()
        if folder not in listed and not any(path.startswith(folder + "/") for path in listed)
    }
    assert not missing, f"folders missing from README's layout table: {sorted(missing)}"


def test_every_path_in_the_layout_table_exists() -> None:
    gone = sorted(path for path in layout_paths() if not (REPO / path).exists())
    assert not gone, f"README's layout table names paths that do not exist: {gone}"
