"""The pip ``--platform`` options of a Debian bookworm box: glibc 2.36 on its architecture.

pip takes a ``--platform`` tag literally (it does not widen manylinux_2_36 to the older
tags a glibc 2.36 system also runs), so every compatible manylinux tag is listed, newest
first, with the legacy aliases.

    python3 images/wheel_platform.py amd64|arm64   → --platform manylinux_2_36_x86_64 ...
"""

import sys

MACHINE = {"amd64": "x86_64", "arm64": "aarch64"}
GLIBC_MINOR = 36  # Debian bookworm
LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def platform_tags(arch: str) -> list[str]:
    machine = MACHINE[arch]
    tags = []
    for minor in range(GLIBC_MINOR, 4, -1):
        tags.append(f"manylinux_2_{minor}_{machine}")
        if minor in LEGACY:
            tags.append(f"{LEGACY[minor]}_{machine}")
    return tags


if __name__ == "__main__":
    print(" ".join(f"--platform {tag}" for tag in platform_tags(sys.argv[1])))
