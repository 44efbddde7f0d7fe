"""Stand-in for kmsxx's Python bindings (``pykms``) on the arm64 image.

picamera2 imports ``pykms`` at its own import for one feature, its DRM preview window
(``picamera2.previews.DrmPreview``), so ``import picamera2`` fails without it. The real
module is in Raspberry Pi OS's archive only: neither Debian 12 nor PyPI has it (PyPI's
``kms`` is an unrelated project). The kiosk draws its own camera preview with Kivy and
never opens picamera2's previews, so images/build-rootfs installs this module instead: any
name can be looked up (picamera2 reads ``PixelFormat.RGB888`` and others while defining
its classes), and any use raises, naming what is missing.
"""

from __future__ import annotations

from typing import NoReturn


class Unavailable:
    """A name of pykms: attributes are more names, calling one raises."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Unavailable:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return Unavailable(f"{self._name}.{attribute}")

    def __call__(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise RuntimeError(
            f"pykms.{self._name}: kmsxx's Python bindings are not on this image "
            "(picamera2's DRM preview is unavailable; the kiosk draws its own preview)"
        )

    def __repr__(self) -> str:
        return f"<pykms.{self._name}: unavailable>"


def __getattr__(name: str) -> Unavailable:
    if name.startswith("__"):
        raise AttributeError(name)
    return Unavailable(name)
