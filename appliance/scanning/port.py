"""The decoder port: what the scan loop asks of a QR decoder, whichever library it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

# Which decoder read a ticket: the first look on every frame, or the escalation.
DecoderName = Literal["zxing", "wechat"]


@dataclass(frozen=True)
class Symbol:
    """One valid decoded code: its text and zxing's format name (e.g. "QRCode")."""

    text: str
    format: str


class Decoder(Protocol):
    def read(self, gray: np.ndarray) -> list[Symbol]:
        """Valid symbols in a grey uint8 image; empty when none could be read."""
        ...


@runtime_checkable
class ChildProcessDecoder(Protocol):
    """A decoder that works in another process and says what CPU its last read took there."""

    last_cpu_s: float

    def close(self) -> None: ...
