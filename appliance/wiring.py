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
from appliance.development import DemoTokenFiles, SimulatedIdReader, simulators
from appliance.domain.catalogue import Catalogue
from appliance.domain.catalogue_search import CatalogueIndex
from appliance.domain.submission import Applicant
from appliance.hardware.camera.port import Camera
from appliance.hardware.id_reader.service import IdCardService
from appliance.hardware.id_reader.setup import build_id_card_service
from appliance.hardware.key.service import KeyService
from appliance.hardware.key.setup import build_key_service, usb_bus
from appliance.hardware.printer.port import Printer
from appliance.hardware.printer.setup import build_printer, printer_profile, render_mode
from appliance.hardware.usb.port import UsbBus
from appliance.scanning.cascade import build_escalation
from appliance.scanning.escalation import EscalationWorker
from appliance.scanning.scanner import ZxingScanner
from appliance.store.appointments import Appointment, seed_appointments
from appliance.store.audit_trail import AuditTrail, database_path, note_configuration
from appliance.store.catalogue import load_catalogue_index, seed_demo_catalogue
from appliance.store.db import connect
from appliance.workflow.counter import Counter, CounterSettings
from appliance.workflow.online_appointments import OnlineAppointments
from appliance.workflow.receipt_printing import ReceiptPrinting, report_unprinted

HALL_TIME = ZoneInfo("Asia/Shanghai")


@dataclass
class Services:
    config: Config
    db: sqlite_utils.Database
    catalogue: CatalogueIndex
    key: KeyService  # a KeyPort that also detects, diagnoses and signs
    camera: Camera
    scanner: ZxingScanner
    usb: UsbBus
    printer: Printer
    counter: Counter
    demo_token: DemoTokenFiles | None
    # Issue 14: the ID card reader's worker (not started; None on a box without a reader)
    # and, in development, the simulated module it talks to (lay and lift cards on it).
    id_reader: IdCardService | None = None
    id_reader_sim: SimulatedIdReader | None = None
    # Issue 15: the scan's WeChat escalation (its models load on its own thread once the
    # kiosk has drawn its first frame); None when [scanner] escalation is off.
    escalation: EscalationWorker[int] | None = None

    def close(self) -> None:
        """Stop the device workers that ``build_services`` started (the key's is always on)."""
        self.key.close()
        if self.escalation is not None:
            self.escalation.close()
        if self.id_reader is not None:
            self.id_reader.close()
        if self.id_reader_sim is not None:
            self.id_reader_sim.close()


def hall_now() -> datetime:
    return datetime.now(HALL_TIME)


def bundled_catalogue() -> Catalogue:
    return Catalogue.from_json(
        resources.files("appliance").joinpath("data/catalogue.json").read_text("utf-8")
    )


def demo_appointments(today: date) -> list[Appointment]:
    raw = json.loads(
        resources.files("appliance").joinpath("data/demo_appointments.json").read_text("utf-8")
    )
    return [
        Appointment(
            number=a["number"],
            item_code=a["item_code"],
            day=today + timedelta(days=a["day_offset"]),
            applicant=Applicant(a["name"], a["id_type"], a["id_number"], a["phone"]),
            used=a.get("used", False),
            hall=a.get("hall"),
        )
        for a in raw["appointments"]
    ]


def build_services(config: Config) -> Services:
    data_dir = config.data_dir
    db = connect(data_dir / "appliance.db")
    if config.appliance.demo_data:
        seed_appointments(db, demo_appointments(hall_now().date()))
        seed_demo_catalogue(db)
    catalogue = load_catalogue_index(db)

    demo_token = _demo_token(config)
    usb = usb_bus(config)
    key = build_key_service(config, usb, [demo_token.ca_cert_path] if demo_token else [])

    camera = build_camera(config)
    scanner = ZxingScanner(config.scanner.formats)
    escalation = build_escalation(config.scanner, load_now=False)  # the kiosk starts it

    profile = printer_profile(config.printer, usb)  # a USB printer found now picks it
    printer = build_printer(config.printer, data_dir, usb, profile)
    counter = Counter(
        CounterSettings(
            config.appliance.hall_name,
            config.appliance.window,
            profile.columns,
            config.appliance.draft_keep_hours,
        ),
        catalogue,
        db,
        key,
        printer,
        hall_now,
        receipts=ReceiptPrinting(
            db, printer, profile, render_mode(config.printer, profile), hall_now
        ),
        signer=key,  # issue 5: each submission signed by the logged-in operator's key
        online=OnlineAppointments(db, hall_now),  # issue 7: cache misses asked via sync
        audit=AuditTrail(database_path(db), hall_now),  # issue 9
    )
    if config.source.is_file():
        note_configuration(db, config.source, hall_now())
    report_unprinted(counter.receipts)
    reader = build_id_card_service(
        config,
        lambda: hall_now().date(),
        audit=counter.audit,
        operator=lambda: _operator_serial(counter),
    )
    id_reader, id_reader_sim = reader or (None, None)
    return Services(
        config,
        db,
        catalogue,
        key,
        camera,
        scanner,
        usb,
        printer,
        counter,
        demo_token,
        id_reader,
        id_reader_sim,
        escalation,
    )


def _operator_serial(counter: Counter) -> str | None:
    operator = counter.session.operator
    return operator.serial if operator else None


def _demo_token(config: Config) -> DemoTokenFiles | None:
    """The demo SoftHSM2 token when configured (development package only)."""
    if not config.key.demo_token:
        return None
    assert config.key.module is not None  # KeySection requires it with demo_token
    return simulators("key.demo_token").demo_token(config.data_dir, config.key.module)


def build_camera(config: Config) -> Camera:
    """The configured camera backend; picamera2 is imported only when chosen."""
    cam = config.camera
    if cam.backend == "v4l2":
        from appliance.hardware.camera.v4l2_camera import V4l2Camera

        return V4l2Camera(cam.device, cam.width, cam.height, cam.frame_rate)
    if cam.backend == "picamera2":
        from appliance.hardware.camera.picamera2_camera import Picamera2Camera

        return Picamera2Camera(cam.width, cam.height, cam.frame_rate)
    return simulators(f"camera.backend = {cam.backend!r}").replay_camera(cam)


def receipt_dir(config: Config) -> Path:
    return config.printer.output_dir or config.data_dir / "printer"
