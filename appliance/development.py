"""The development package's parts, reached only when it is installed.

The simulated hardware (replayed camera, fake USB bus, printer into files, SoftHSM2 demo
token) and the development commands (demo, branch server, fake USB bus) live in the
``appliance-dev`` package under ``dev/``: ``make run`` and ``make test`` install it, the
box image does not. It announces itself through the ``appliance.development`` entry point
group, so this package never imports it by name; on a box, a configuration that asks for
simulated hardware stops with a sentence saying so.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from appliance.errors import StartupError

if TYPE_CHECKING:
    from appliance.config import CameraSection, Config, IdReaderSection
    from appliance.hardware.camera.port import Camera
    from appliance.hardware.printer.port import Printer
    from appliance.hardware.printer.profiles import PrinterProfile
    from appliance.hardware.usb.port import UsbBus

GROUP = "appliance.development"


@dataclass(frozen=True)
class DemoTokenFiles:
    """What the runtime needs of the demo token: the CA that issued its certificate."""

    ca_cert_path: Path


class SimulatedIdReader(Protocol):
    """A simulated SAM module answering on a pseudo-terminal; the runtime opens ``device``
    with its real serial protocol code. The development package's class adds the controls
    (lay a card, lift it, faults) for the demo and the tests."""

    @property
    def device(self) -> Path:
        """The pseudo-terminal's path; asking for it starts the module."""

    def close(self) -> None: ...


class Simulators(Protocol):
    """Simulated backends for the hardware this machine lacks."""

    def replay_camera(self, section: CameraSection) -> Camera: ...

    def usb_bus(self, state_file: Path) -> UsbBus: ...

    def file_printer(self, output_dir: Path, fault: str, profile: PrinterProfile) -> Printer: ...

    def demo_token(self, data_dir: Path, module: Path) -> DemoTokenFiles: ...

    def id_reader(self, section: IdReaderSection) -> SimulatedIdReader: ...


class CommandGroup(Protocol):
    """Commands added to ``appliance``: the names it answers and how it runs them."""

    names: tuple[str, ...]

    def add(
        self, commands: argparse._SubParsersAction, common: argparse.ArgumentParser
    ) -> None: ...

    def run(self, config: Config, args: argparse.Namespace) -> int: ...


@cache
def _loaded(name: str) -> object | None:
    found = entry_points(group=GROUP, name=name)
    return next(iter(found)).load() if found else None


def simulators(wanted: str) -> Simulators:
    """The simulated backends; ``wanted`` names the setting that asked, for the error."""
    parts = _loaded("simulators")
    if parts is None:
        raise StartupError(
            f"{wanted} is simulated hardware, and the development package "
            "(appliance-dev) is not installed: configure the real device"
        )
    return parts  # type: ignore[return-value]


def command_groups() -> list[CommandGroup]:
    """The development commands, or none on a box."""
    groups = _loaded("commands")
    return list(groups) if groups is not None else []  # type: ignore[call-overload]
