"""The simulated backends the runtime asks for through ``appliance.development``."""

from __future__ import annotations

from pathlib import Path

from appliance.config import CameraSection, IdReaderSection
from appliance.development import DemoTokenFiles, SimulatedIdReader
from appliance.hardware.camera.port import Camera
from appliance.hardware.printer.port import Printer
from appliance.hardware.printer.profiles import PrinterProfile
from appliance.hardware.usb.port import UsbBus


class Simulators:
    def replay_camera(self, section: CameraSection) -> Camera:
        from appliance_dev.sim.replay_camera import ReplayCamera, bundled_tickets

        if section.replay_dir is not None:
            paths = sorted(section.replay_dir.glob("*.png"))
        else:  # a video alone, or the bundled tickets
            paths = [] if section.replay_video is not None else bundled_tickets()
        return ReplayCamera(paths, section.frame_rate, video=section.replay_video)

    def usb_bus(self, state_file: Path) -> UsbBus:
        from appliance_dev.sim.fake_usb import FakeUsbBus

        return FakeUsbBus(state_file)

    def file_printer(self, output_dir: Path, fault: str, profile: PrinterProfile) -> Printer:
        from appliance_dev.sim.file_printer import FilePrinter

        return FilePrinter(output_dir, fault=fault, profile=profile)

    def demo_token(self, data_dir: Path, module: Path) -> DemoTokenFiles:
        from appliance_dev.sim.softhsm import ensure_demo_token

        return DemoTokenFiles(ensure_demo_token(data_dir, module).ca_cert_path)

    def id_reader(self, section: IdReaderSection) -> SimulatedIdReader:
        from appliance_dev.sim.id_reader import SimulatedSamModule

        return SimulatedSamModule(
            section.sim_card,
            fault=section.sim_fault,
            read_delay_s=section.sim_read_delay_s,
            baudrate=section.baudrate,
        )


SIMULATORS = Simulators()
