"""Write the box's /etc/appliance/appliance.toml from the development default.

Deriving it (rather than keeping a second copy) keeps the image in step with the config
schema as other parts add keys; only what differs on a box is rewritten: the data
partition, full screen without a cursor, no demo data, and a branch-server URL that
branch IT sets at installation.

    python3 images/box_config.py DEV_TOML > appliance.toml
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

BOX_VALUES: dict[tuple[str, str], str] = {
    ("appliance", "data_dir"): '"/var/lib/appliance"',
    ("appliance", "demo_data"): "false",
    ("branch_server", "url"): '"https://branch-server.invalid"',
    ("ui", "fullscreen"): "true",
    ("ui", "show_cursor"): "false",
}
SECTION = re.compile(r"^\[([A-Za-z0-9_.]+)\]\s*$")
ASSIGNMENT = re.compile(r"^([A-Za-z0-9_]+)\s*=")


def box_config(dev_text: str) -> str:
    """The development TOML with every key of BOX_VALUES replaced; each must be present."""
    section, seen, lines = "", set(), []
    body = dev_text.splitlines()
    while body and body[0].startswith("#"):
        body.pop(0)
    for line in body:
        if match := SECTION.match(line):
            section = match.group(1)
        elif (match := ASSIGNMENT.match(line)) and (section, match.group(1)) in BOX_VALUES:
            key = (section, match.group(1))
            line = f"{key[1]} = {BOX_VALUES[key]}"
            seen.add(key)
        lines.append(line)
    missing = set(BOX_VALUES) - seen
    if missing:
        raise ValueError(f"development config lacks {sorted(missing)}")
    header = "# The box's configuration, derived from appliance.dev.toml by images/box_config.py.\n"
    return header + "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(box_config(Path(sys.argv[1]).read_text(encoding="utf-8")))
