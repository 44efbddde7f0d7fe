"""The pip platform tag of a Debian bookworm box: glibc 2.36 on its architecture.

pip widens a manylinux_2_36 tag to every older manylinux tag, so wheels built for
manylinux2014 and later all qualify.

    python3 images/wheel_platform.py amd64|arm64
"""

import sys

MACHINE = {"amd64": "x86_64", "arm64": "aarch64"}

if __name__ == "__main__":
    print(f"manylinux_2_36_{MACHINE[sys.argv[1]]}")
