"""Print the Debian mirror and security mirror this machine's apt already uses.

The image is built from the same package registry as the build host, read at build time
so no host name is written into the repository. Output: two lines, ``MIRROR=`` and
``SECURITY=``; ``APPLIANCE_MIRROR`` / ``APPLIANCE_SECURITY_MIRROR`` override them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SOURCES = Path("/etc/apt")


def _entries(root: Path) -> list[tuple[str, list[str]]]:
    """(uri, suites) for every deb source in sources.list and sources.list.d."""
    entries: list[tuple[str, list[str]]] = []
    files = [root / "sources.list", *sorted((root / "sources.list.d").glob("*"))]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".sources":
            for stanza in text.split("\n\n"):
                fields = dict(
                    line.split(":", 1)
                    for line in stanza.splitlines()
                    if ":" in line and not line.startswith(("#", " "))
                )
                fields = {key.strip(): value.split() for key, value in fields.items()}
                if "deb" in fields.get("Types", []):
                    entries += [(uri, fields.get("Suites", [])) for uri in fields.get("URIs", [])]
        elif path.suffix == ".list" or path.name == "sources.list":
            for line in text.splitlines():
                words = [w for w in line.split() if not w.startswith("[")]
                if len(words) >= 3 and words[0] == "deb":
                    entries.append((words[1], [words[2]]))
    return entries


def find(suite: str, root: Path = SOURCES) -> str | None:
    for uri, suites in _entries(root):
        if suite in suites:
            return uri.rstrip("/")
    return None


def main() -> int:
    mirror = os.environ.get("APPLIANCE_MIRROR") or find("bookworm")
    security = os.environ.get("APPLIANCE_SECURITY_MIRROR") or find("bookworm-security")
    if not mirror:
        print("apt_mirror: no bookworm source in /etc/apt; set APPLIANCE_MIRROR", file=sys.stderr)
        return 1
    print(f"MIRROR={mirror}")
    print(f"SECURITY={security or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
