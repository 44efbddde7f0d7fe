"""The composition root: builds every port's backend from the configuration.

The only module that names concrete backends; everything else sees the Protocols.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from appliance.config import Config
from appliance.domain.catalogue import Catalogue
from appliance.domain.submission import Applicant
from appliance.hardware.camera import Camera
from appliance.hardware.key import KeyPort
from appliance.hardware.pkcs11_key import Pkcs11Key
from appliance.hardware.printer import Printer
from appliance.hardware.replay_camera import ReplayCamera, bundled_tickets
from appliance.hardware.scanner import ZxingScanner
from appliance.hardware.usb import UsbBus
from appliance.hardware.usb_gated_key import UsbGatedKey
from appliance.sim.fake_usb import DEMO_KEY, FakeUsbBus
from appliance.sim.file_printer import FilePrinter
from appliance.sim.softhsm import DemoToken, ensure_demo_token
from appliance.store.appointments import Appointment, save_appointments
from appliance.store.db import connect
from appliance.workflow.counter import Counter, CounterSettings

HALL_TIME = ZoneInfo("Asia/Shanghai")
PAPER_COLUMNS = {58: 32, 80: 48}


@dataclass
class Services:
    config: Config
    db: sqlite_utils.Database
    catalogue: Catalogue
    key: KeyPort
    camera: Camera
    scanner: ZxingScanner
    usb: UsbBus
    printer: Printer
    counter: Counter
    demo_token: DemoToken | None


def hall_now() -> datetime:
    return datetime.now(HALL_TIME)


def bundled_catalogue() -> Catalogue:
    return Catalogue.from_json(
        resources.files("appliance").joinpath("data/catalogue.json").read_text("utf-8"))


def demo_appointments(today: date) -> list[Appointment]:
    raw = json.loads(resources.files("appliance").joinpath(
        "data/demo_appointments.json").read_text("utf-8"))
    return [
        Appointment(
            number=a["number"], item_code=a["item_code"],
            day=today + timedelta(days=a["day_offset"]),
            applicant=Applicant(a["name"], a["id_type"], a["id_number"], a["phone"]),
            used=False,
        )
        for a in raw["appointments"]
    ]


def build_services(config: Config) -> Services:
    data_dir = config.data_dir
    db = connect(data_dir / "appliance.db")
    if config.appliance.demo_data:
        save_appointments(db, demo_appointments(hall_now().date()))
    catalogue = bundled_catalogue()

    demo_token = (ensure_demo_token(data_dir, config.key.module)
                  if config.key.demo_token else None)
    usb = FakeUsbBus(config.usb.state_file or data_dir / "usb-bus.json")
    key = UsbGatedKey(
        Pkcs11Key(config.key.module, demo_token.label if demo_token else None), usb, DEMO_KEY)

    replay = config.camera.replay_dir
    paths = sorted(replay.glob("*.png")) if replay else bundled_tickets()
    camera = ReplayCamera(paths, config.camera.frame_rate)
    scanner = ZxingScanner(config.scanner.formats)

    printer = FilePrinter(config.printer.output_dir or data_dir / "printer",
                          paper_width_mm=config.printer.paper_width_mm,
                          fault=config.printer.fault)
    counter = Counter(
        CounterSettings(config.appliance.hall_name, config.appliance.window,
                        PAPER_COLUMNS[config.printer.paper_width_mm]),
        catalogue, db, key, printer, hall_now,
    )
    return Services(config, db, catalogue, key, camera, scanner, usb, printer, counter,
                    demo_token)


def receipt_dir(config: Config) -> Path:
    return config.printer.output_dir or config.data_dir / "printer"
