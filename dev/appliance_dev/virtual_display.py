"""A virtual X display for a box or CI machine without a screen (``make run`` headless)."""

from __future__ import annotations

import os
import shutil
import subprocess

from appliance import log
from appliance.errors import StartupError


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def start_virtual_display(width: int, height: int) -> subprocess.Popen:
    """Start Xvfb on a free display number and point DISPLAY at it."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise StartupError("no display and Xvfb is not installed: run `apt-get install xvfb`")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [
            xvfb,
            "-displayfd",
            str(write_end),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        raise StartupError("Xvfb did not start: check that it runs (`Xvfb :99`)")
    os.environ["DISPLAY"] = f":{number}"
    os.environ.pop("WAYLAND_DISPLAY", None)
    log.event("display.virtual", display=os.environ["DISPLAY"], size=f"{width}x{height}")
    return process
