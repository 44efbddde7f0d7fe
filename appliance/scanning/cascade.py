"""The scan cascade, built from the configuration: zxing-cpp first, WeChat on failure.

The live loop (:class:`~appliance.scanning.scanner.ScanWorker`) runs the escalation on a
worker of its own within a CPU budget; ``appliance scan`` runs the same two decoders in
the same order on one thread (:class:`Cascade`), with no budget: a photo is read once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appliance.config import ScannerSection
from appliance.scanning.budget import CpuBudget
from appliance.scanning.escalation import EscalationWorker
from appliance.scanning.port import ChildProcessDecoder, Decoder, DecoderName, Symbol
from appliance.scanning.scanner import ZxingScanner
from appliance.scanning.wechat_process import WeChatProcess


@dataclass(frozen=True)
class CascadeRead:
    """What the cascade read in one image, and which decoder read it (None: nothing)."""

    symbols: list[Symbol]
    decoder: DecoderName | None


class Cascade:
    """zxing-cpp on the image; the escalation's decoder only when zxing-cpp read nothing.

    Where both could read an image only zxing-cpp's text is seen, so UTF-8 payloads
    come out as zxing-cpp decodes them, with or without an ECI header.
    """

    def __init__(self, first: Decoder, escalation: Decoder | None) -> None:
        self.first = first
        self.escalation = escalation

    def read(self, gray: np.ndarray) -> CascadeRead:
        if symbols := self.first.read(gray):
            return CascadeRead(symbols, "zxing")
        if self.escalation is not None and (symbols := self.escalation.read(gray)):
            return CascadeRead(symbols, "wechat")
        return CascadeRead([], None)

    def close(self) -> None:
        """Stop the escalation's process, if it has one."""
        if isinstance(self.escalation, ChildProcessDecoder):
            self.escalation.close()


def build_escalation(
    settings: ScannerSection, load_now: bool = True
) -> EscalationWorker[int] | None:
    """The live loop's escalation, its models loading on its own thread; None when off.

    ``load_now`` false: the models load once ``start_loading`` is called (the kiosk).
    """
    if not settings.escalation:
        return None
    budget = CpuBudget(settings.cpu_share) if settings.cpu_share < 1 else None
    limit_s = settings.escalation_limit_ms / 1000
    return EscalationWorker(lambda: WeChatProcess(limit_s), budget, load_now=load_now)


def build_cascade(settings: ScannerSection) -> Cascade:
    """The synchronous cascade of ``appliance scan`` (models loaded now, on this thread)."""
    return Cascade(
        ZxingScanner(settings.formats),
        WeChatProcess(settings.escalation_limit_ms / 1000) if settings.escalation else None,
    )
