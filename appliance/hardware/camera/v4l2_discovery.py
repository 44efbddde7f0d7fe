"""Which /dev/videoN is the document camera, when the configuration names none.

The choice is pure (:func:`choose_capture_device`): a UVC camera (driver ``uvcvideo``)
that captures video first, else the first node of any driver that captures video (the
kernel's ``vivid`` test camera in the boot test VM), lowest node number first. Nodes
that only capture metadata (a UVC camera's second node), output video or cannot be asked
are never chosen. :func:`video_nodes` reads the facts from sysfs and asks each node's
capabilities with the VIDIOC_QUERYCAP ioctl; tests give it a fake sysfs tree and a fake
capability reader.
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SYSFS_VIDEO = Path("/sys/class/video4linux")
DEV = Path("/dev")
UVC_DRIVER = "uvcvideo"

# struct v4l2_capability (videodev2.h): driver[16] card[32] bus_info[32] version
# capabilities device_caps reserved[3] — 104 bytes, read by VIDIOC_QUERYCAP.
_CAPABILITY = struct.Struct("=16s32s32sIII12x")
VIDIOC_QUERYCAP = (2 << 30) | (_CAPABILITY.size << 16) | (ord("V") << 8) | 0  # _IOR('V', 0, …)
V4L2_CAP_VIDEO_CAPTURE = 0x00000001
V4L2_CAP_DEVICE_CAPS = 0x80000000

_NODE_NAME = re.compile(r"^video(\d+)$")


@dataclass(frozen=True)
class VideoNode:
    """One /dev/videoN as sysfs and the driver describe it."""

    number: int
    path: Path
    driver: str | None  # the kernel driver bound to the node's device, e.g. uvcvideo
    captures_video: bool

    @property
    def is_uvc(self) -> bool:
        return self.driver == UVC_DRIVER


def choose_capture_device(nodes: Iterable[VideoNode]) -> Path | None:
    """The camera to open: the first UVC capture node, else the first capture node.

    >>> vivid = VideoNode(0, Path("/dev/video0"), "vivid", True)
    >>> uvc_meta = VideoNode(3, Path("/dev/video3"), "uvcvideo", False)
    >>> uvc = VideoNode(2, Path("/dev/video2"), "uvcvideo", True)
    >>> choose_capture_device([vivid, uvc_meta, uvc])
    PosixPath('/dev/video2')
    >>> choose_capture_device([uvc_meta, vivid])
    PosixPath('/dev/video0')
    """
    capture = sorted((node for node in nodes if node.captures_video), key=lambda n: n.number)
    uvc = [node for node in capture if node.is_uvc]
    candidates = uvc or capture
    return candidates[0].path if candidates else None


def captures_video(capabilities: int, device_caps: int) -> bool:
    """Whether a node captures video, from the two capability words of VIDIOC_QUERYCAP.

    ``device_caps`` describes this node alone when the driver fills it in
    (V4L2_CAP_DEVICE_CAPS); ``capabilities`` covers every node of the device.
    """
    caps = device_caps if capabilities & V4L2_CAP_DEVICE_CAPS else capabilities
    return bool(caps & V4L2_CAP_VIDEO_CAPTURE)


def parse_capability(buffer: bytes) -> tuple[str, int, int]:
    """``(driver, capabilities, device_caps)`` from a struct v4l2_capability."""
    driver, _card, _bus, _version, capabilities, device_caps = _CAPABILITY.unpack(buffer)
    return driver.split(b"\0", 1)[0].decode(errors="replace"), capabilities, device_caps


def query_capture(device: Path) -> bool:
    """Ask the driver whether ``device`` captures video; False when it cannot be asked."""
    try:
        fd = os.open(device, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        buffer = bytearray(_CAPABILITY.size)
        fcntl.ioctl(fd, VIDIOC_QUERYCAP, buffer)
    except OSError:
        return False
    finally:
        os.close(fd)
    _driver, capabilities, device_caps = parse_capability(bytes(buffer))
    return captures_video(capabilities, device_caps)


def video_nodes(
    sysfs: Path = SYSFS_VIDEO, dev: Path = DEV, is_capture: Callable[[Path], bool] = query_capture
) -> list[VideoNode]:
    """Every /dev/videoN sysfs lists, with its driver and whether it captures video."""
    try:
        entries = list(sysfs.iterdir())
    except OSError:
        return []  # no V4L2 at all (no driver loaded yet)
    nodes = []
    for entry in entries:
        if not (match := _NODE_NAME.match(entry.name)):
            continue  # vbiN, radioN, swradioN, v4l-subdevN, v4l-touchN
        driver_link = entry / "device" / "driver"
        try:
            driver = os.readlink(driver_link).rsplit("/", 1)[-1]
        except OSError:
            driver = None
        path = dev / entry.name
        nodes.append(VideoNode(int(match.group(1)), path, driver, is_capture(path)))
    return sorted(nodes, key=lambda node: node.number)


def find_capture_device(
    sysfs: Path = SYSFS_VIDEO, dev: Path = DEV, is_capture: Callable[[Path], bool] = query_capture
) -> Path | None:
    """The document camera on this box now, or None while there is none."""
    return choose_capture_device(video_nodes(sysfs, dev, is_capture))
