"""Builds the key worker from the configuration: vendors, trusted CAs, the USB bus."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509

from appliance.config import Config, KeyVendorSection
from appliance.development import simulators
from appliance.errors import StartupError
from appliance.hardware.key.detection import DetectionPolicy, KeyDetector
from appliance.hardware.key.service import KeyService
from appliance.hardware.key.vendors import DEFAULT_VENDORS, KeyVendor, merge_vendors, parse_usb_id
from appliance.hardware.usb.port import UsbBus


def vendors_from(config: Config) -> tuple[KeyVendor, ...]:
    return merge_vendors(DEFAULT_VENDORS, (_vendor(v) for v in config.key.vendors))


def _vendor(section: KeyVendorSection) -> KeyVendor:
    return KeyVendor(
        name=section.name,
        label=section.label,
        usb_ids=tuple(parse_usb_id(text) for text in section.usb_ids),
        modules=tuple(section.modules),
        token_label=section.token_label,
        rsa_scheme=section.rsa_scheme,
    )


def load_trusted_cas(paths: list[Path]) -> tuple[x509.Certificate, ...]:
    """Every certificate in the PEM files; a missing or unreadable file stops start-up."""
    cas: list[x509.Certificate] = []
    for path in paths:
        try:
            cas += x509.load_pem_x509_certificates(path.read_bytes())
        except (OSError, ValueError) as error:
            raise StartupError(
                f"key.trusted_ca: cannot read CA certificates from {path}: {error}"
            ) from error
    return tuple(cas)


def usb_bus(config: Config) -> UsbBus:
    if config.usb.backend == "pyusb":
        from appliance.hardware.usb.pyusb_bus import PyUsbBus

        return PyUsbBus()
    return simulators(f"usb.backend = {config.usb.backend!r}").usb_bus(
        config.usb.state_file or config.data_dir / "usb-bus.json"
    )


def build_key_service(
    config: Config,
    bus: UsbBus,
    extra_cas: list[Path],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> KeyService:
    """A started key worker; ``extra_cas`` adds the demo CA when the demo token is on."""
    policy = DetectionPolicy(
        load_trusted_cas([*config.key.trusted_ca, *extra_cas]), config.key.expiry_warning_days
    )
    detector = KeyDetector(vendors_from(config), bus, policy, now, time.monotonic)
    service = KeyService(detector, config.key.poll_interval_s)
    service.start()
    return service
