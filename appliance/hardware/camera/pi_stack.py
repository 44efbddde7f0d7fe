"""What the Raspberry Pi camera (CSI, through picamera2) needs on this box, and what is missing.

The arm64 image carries the user-space half: picamera2 and its Python parts in the venv,
Debian's libcamera 0.3 with its Raspberry Pi pipeline and Python bindings
(images/README.md, "The Pi camera"). libcamera's Raspberry Pi pipeline also needs the
kernel's half: the CSI-2 receiver (``unicam`` on a Pi 4, ``rp1-cfe`` on a Pi 5) and the
ISP (``bcm2835-isp``, ``pispbe``) as V4L2 devices. Debian's kernel has neither ISP driver,
so on that image a CSI camera module cannot be used and the document camera is a USB
(UVC) one through V4L2 (``camera.backend = "v4l2"``, the box default). 系统诊断 says which.

No I/O at import; :func:`pi_camera_stack` looks at the modules and at
``/sys/class/video4linux``.
"""

from __future__ import annotations

import importlib.util
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Imported by ``import picamera2`` (its top-level imports), besides NumPy and Pillow.
# pykms (kmsxx's bindings, for picamera2's DRM preview only) is a stand-in on the image.
PYTHON_PARTS = (
    "picamera2",
    "libcamera",
    "prctl",
    "simplejpeg",
    "pidng",
    "piexif",
    "videodev2",
    "pykms",
)
# V4L2 device names (``/sys/class/video4linux/*/name``) start with these.
RECEIVERS = ("unicam", "rp1-cfe")
ISPS = ("bcm2835-isp", "pispbe")
VIDEO4LINUX = Path("/sys/class/video4linux")


@dataclass(frozen=True)
class PiCameraStack:
    missing_modules: tuple[str, ...]
    receiver: bool
    isp: bool

    @property
    def missing_drivers(self) -> tuple[str, ...]:
        """The kernel drivers libcamera's Raspberry Pi pipeline waits for in vain."""
        return (() if self.receiver else ("unicam",)) + (() if self.isp else ("bcm2835-isp",))

    @property
    def usable(self) -> bool:
        return not self.missing_modules and not self.missing_drivers


def device_names(video4linux: Path = VIDEO4LINUX) -> list[str]:
    names = []
    for node in sorted(video4linux.glob("*/name")):
        try:
            names.append(node.read_text(encoding="utf-8").strip())
        except OSError:
            continue
    return names


def pi_camera_stack(
    video4linux: Path = VIDEO4LINUX,
    find_spec: Callable[[str], Any] = importlib.util.find_spec,
) -> PiCameraStack:
    names = device_names(video4linux)
    return PiCameraStack(
        missing_modules=tuple(m for m in PYTHON_PARTS if find_spec(m) is None),
        receiver=any(n.startswith(RECEIVERS) for n in names),
        isp=any(n.startswith(ISPS) for n in names),
    )


def on_pi_class_box(machine: str | None = None) -> bool:
    """The Pi camera is a question only on an arm64 box."""
    return (machine or platform.machine()) == "aarch64"
