"""The box side of an update: pick the spare slot, install the bundle, boot it once.

Run by ``appliance-update BUNDLE`` (images/update/appliance-update) as root. The slot the
box runs from is read from the kernel command line (``root=PARTLABEL=root-a``); the
bundle goes to the other one, its kernel to the ESP's ``slot-<x>/``, and systemd-boot is
told to try it on the next boot only (``bootctl set-oneshot``).
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

from appliance import __version__, log
from appliance.updates import UpdateRefused, install_bundle, load_public_key

PUBLIC_KEY = Path("/etc/appliance/update-signing.pub")
ESP = Path("/boot/efi")
ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}


def running_slot(cmdline: str) -> str:
    """'a' or 'b' from ``root=PARTLABEL=root-<slot>``; UpdateRefused on any other root."""
    for word in cmdline.split():
        if word in ("root=PARTLABEL=root-a", "root=PARTLABEL=root-b"):
            return word[-1]
    raise UpdateRefused("this system was not booted from an A/B root slot")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: appliance-update BUNDLE", file=sys.stderr)
        return 2
    log.configure()
    try:
        spare = "b" if running_slot(Path("/proc/cmdline").read_text()) == "a" else "a"
        install_bundle(Path(args[0]), load_public_key(PUBLIC_KEY),
                       ARCHES.get(platform.machine(), platform.machine()), __version__,
                       Path(f"/dev/disk/by-partlabel/root-{spare}"), ESP / f"slot-{spare}")
        subprocess.run(["bootctl", "set-oneshot", f"appliance-{spare}.conf"], check=True)
    except (UpdateRefused, OSError, subprocess.CalledProcessError) as exc:
        log.event("update.verify", outcome="failure", detail=str(exc)[:200])
        print(f"appliance-update: refused: {exc}", file=sys.stderr)
        return 1
    print(f"appliance-update: installed in slot {spare}; it is tried on the next boot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
