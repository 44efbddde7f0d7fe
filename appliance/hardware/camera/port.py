"""The camera port: a source of grey frames for the ticket decoder and the preview."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import numpy as np


class CameraStatus(Enum):
    STOPPED = "stopped"
    RUNNING = "running"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class Frame:
    """One grey (luma) frame; ``gray`` may be a strided view into a larger buffer."""

    gray: np.ndarray
    sequence: int
    timestamp: float


class Camera(Protocol):
    def start(self) -> None:
        """Start delivering frames ("开始预览")."""

    def stop(self) -> None:
        """Stop delivering frames ("停止预览")."""

    def status(self) -> CameraStatus: ...

    def latest_frame(self) -> Frame | None:
        """The newest frame, or None when stopped or none has arrived yet."""
