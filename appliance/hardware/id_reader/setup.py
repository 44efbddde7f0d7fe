"""Builds the configured reader: the serial backend, or the simulated module of the
development package (:mod:`appliance.development`) with the same backend opened on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from appliance.config import Config, IdReaderSection
from appliance.development import SimulatedIdReader, simulators
from appliance.hardware.id_reader.port import IdReader
from appliance.hardware.id_reader.reads import AuditSink
from appliance.hardware.id_reader.sam_reader import open_sam_reader
from appliance.hardware.id_reader.service import IdCardService

SERIAL_DEFAULTS = IdReaderSection(backend="serial")


@dataclass(frozen=True)
class ReaderSetup:
    open: Callable[[], IdReader]
    device_hint: str | None  # the configured device, for reports before it is opened
    simulator: SimulatedIdReader | None


def reader_setup(config: Config, device: Path | None = None) -> ReaderSetup:
    """How to open the reader: ``device`` (the command line's --device) over the
    configuration; with neither, the one USB-serial adapter of a common chip."""
    section = config.id_reader or SERIAL_DEFAULTS
    if device is None and section.backend == "sim":
        simulator = simulators("id_reader.backend = 'sim'").id_reader(section)
        return ReaderSetup(lambda: _open(section, str(simulator.device)), None, simulator)
    path = device or section.device
    printer_port = config.printer.serial_port if config.printer.backend == "serial" else None
    exclude = (str(printer_port),) if printer_port else ()
    return ReaderSetup(
        lambda: _open(section, str(path) if path else None, exclude),
        str(path) if path else None,
        None,
    )


def _open(section: IdReaderSection, device: str | None, exclude: tuple[str, ...] = ()) -> IdReader:
    return open_sam_reader(
        device, section.baudrate, section.timeout_s, section.read_timeout_s, exclude
    )


def build_id_card_service(
    config: Config,
    today: Callable[[], date],
    audit: AuditSink | None = None,
    operator: Callable[[], str | None] = lambda: None,
) -> tuple[IdCardService, SimulatedIdReader | None] | None:
    """The reader's worker (not started), or None on a box without [id_reader]."""
    if config.id_reader is None:
        return None
    setup = reader_setup(config)
    service = IdCardService(
        setup.open,
        poll_interval_s=config.id_reader.poll_interval_s,
        today=today,
        audit=audit,
        operator=operator,
        device_hint=setup.device_hint,
    )
    return service, setup.simulator
