"""Finding the clerk's key: USB devices and PKCS#11 tokens, read together into one diagnosis.

The manual names three reasons a key is not accepted (driver missing, nothing on the
USB port, certificate expired); :func:`diagnose` tells them apart, and a few more the
box can see for itself (a driver installed but failing to start, untrusted issuer, a
private key that does not match the certificate, only an SM2 certificate, PIN locked,
no certificate, several valid keys to choose from). Scans are
polled, never awaited with ``C_WaitForSlotEvent``, which SoftHSM2 and many keys lack.
All PKCS#11 calls here run on the key worker's thread (see ``key_service``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pkcs11
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from pkcs11 import TokenFlag

from appliance.errors import StartupError
from appliance.hardware.key.pkcs11_key import (
    Found,
    KeyUnusable,
    ModuleFailed,
    describe_certificate,
    load_module,
    read_certificate,
)
from appliance.hardware.key.port import OperatorCertificate
from appliance.hardware.key.vendors import KeyVendor, vendor_for
from appliance.hardware.usb.port import UsbBus, UsbDevice

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Library

READING_GRACE_S = 3.0  # a key's driver may take a moment after the USB device appears


class KeyState(Enum):
    """What the login screen says; the order is the preference when several keys show.

    ``CHOOSE`` is never one key's state: several keys can log in and none is chosen yet.
    """

    READY = "ready"
    EXPIRING = "expiring"
    CHOOSE = "choose"
    PIN_LOCKED = "pin_locked"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    UNTRUSTED = "untrusted"
    KEY_MISMATCH = "key_mismatch"
    SM2_ONLY = "sm2_only"
    NO_CERTIFICATE = "no_certificate"
    READING = "reading"
    DRIVER_FAILED = "driver_failed"
    NO_DRIVER = "no_driver"
    NOT_DETECTED = "not_detected"

    @property
    def can_log_in(self) -> bool:
        return self in (KeyState.READY, KeyState.EXPIRING)


@dataclass(frozen=True)
class ModuleLoad:
    """One vendor's driver as this scan found it; ``error`` None means it loaded.

    ``failed``: the module is installed and loads but its C_Initialize refused, and
    ``error`` holds the module's own return code (a driver failing to start, not missing).
    """

    vendor: KeyVendor
    path: Path | None
    error: str | None = None
    failed: bool = False

    @property
    def loaded(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class TokenSeen:
    """A token one module lists, with the operator certificate read from it (if any)."""

    vendor: KeyVendor
    module: Path
    slot_id: int
    label: str
    serial: str
    flags: int
    found: Found | None

    @property
    def identity(self) -> tuple[str, int, str, str]:
        return (str(self.module), self.slot_id, self.serial, self.label)


@dataclass(frozen=True)
class Diagnosis:
    """One key's state, or the whole scan's. ``detail`` is English, for the CLI and logs.

    ``choices``: every key that can log in, best first, when there are several (the
    clerk picks one on the login screen). ``wrong_pins``: wrong PINs typed in a row on
    this key since its last good one, counted by the key worker.
    """

    state: KeyState
    vendor: KeyVendor | None = None
    module: Path | None = None
    detail: str = ""
    token: TokenSeen | None = None
    operator: OperatorCertificate | None = None
    days_left: int | None = None
    choices: tuple[Diagnosis, ...] = ()
    wrong_pins: int = 0

    @property
    def issuer(self) -> str:
        return self.operator.issuer if self.operator else ""

    @property
    def pin_warning(self) -> str | None:
        """``final_try``, or ``count_low`` after two wrong PINs in a row, before any PIN.

        SoftHSM2 raises COUNT_LOW at the first wrong PIN, so the flag alone proves little.
        """
        flags = self.token.flags if self.token else 0
        if flags & TokenFlag.USER_PIN_FINAL_TRY:
            return "final_try"
        if flags & TokenFlag.USER_PIN_COUNT_LOW and self.wrong_pins >= 2:
            return "count_low"
        return None


@dataclass(frozen=True)
class KeyScan:
    """Everything one poll saw; equal scans mean nothing changed for the screen."""

    devices: tuple[tuple[UsbDevice, KeyVendor | None], ...]
    modules: tuple[ModuleLoad, ...]
    tokens: tuple[TokenSeen, ...]
    diagnosis: Diagnosis = field(compare=True)


@dataclass(frozen=True)
class DetectionPolicy:
    trusted_cas: tuple[x509.Certificate, ...]
    warning_days: int


def diagnose(
    devices: Sequence[tuple[UsbDevice, KeyVendor | None]],
    modules: Sequence[ModuleLoad],
    tokens: Sequence[TokenSeen],
    policy: DetectionPolicy,
    now: datetime,
    settled: Callable[[UsbDevice], bool] = lambda _device: True,
) -> Diagnosis:
    """The most useful thing to tell the clerk about the keys seen, in KeyState order.

    Example: a GDCA key on the bus whose module is not installed, nothing else plugged,
    gives ``NO_DRIVER`` naming GDCA and the module path the vendor entry expects. Two
    valid keys give ``CHOOSE`` with both as ``choices``; a valid key beside a broken
    one gives the valid one, whatever the slot order.
    """
    candidates = [_judge_token(token, policy, now) for token in tokens]
    loads = {load.vendor.name: load for load in modules}
    for failing in modules:
        if failing.failed and not failing.vendor.usb_ids:  # a module vouched for by no device
            candidates.append(
                Diagnosis(KeyState.DRIVER_FAILED, failing.vendor, failing.path, failing.error or "")
            )
    for device, vendor in devices:
        if vendor is None or any(token.vendor == vendor for token in tokens):
            continue
        load = loads.get(vendor.name)
        if load is not None and load.failed:
            candidates.append(
                Diagnosis(KeyState.DRIVER_FAILED, vendor, load.path, load.error or "")
            )
        elif load is not None and not load.loaded:
            candidates.append(
                Diagnosis(
                    KeyState.NO_DRIVER,
                    vendor,
                    load.path or vendor.expected_module,
                    load.error or "",
                )
            )
        elif not settled(device):
            candidates.append(Diagnosis(KeyState.READING, vendor, load.path if load else None))
        else:
            candidates.append(
                Diagnosis(
                    KeyState.NO_DRIVER,
                    vendor,
                    load.path if load else vendor.expected_module,
                    "not_recognised",
                )
            )
    if not candidates:
        return Diagnosis(KeyState.NOT_DETECTED)
    order = list(KeyState)
    ranked = sorted(candidates, key=lambda d: order.index(d.state))
    usable = tuple(d for d in ranked if d.state.can_log_in)
    if len(usable) > 1:
        return Diagnosis(KeyState.CHOOSE, detail=f"{len(usable)} keys can log in", choices=usable)
    return ranked[0]


def _judge_token(token: TokenSeen, policy: DetectionPolicy, now: datetime) -> Diagnosis:
    base: dict[str, Any] = {"vendor": token.vendor, "module": token.module, "token": token}
    if token.found is None:
        return Diagnosis(KeyState.NO_CERTIFICATE, **base)
    certificate = token.found.certificate
    operator = describe_certificate(certificate)
    base["operator"] = operator
    if token.found.algorithm == "sm2":
        detail = "the key holds only an SM2 (guomi) certificate; SM2 login is not supported"
        return Diagnosis(KeyState.SM2_ONLY, detail=detail, **base)
    if now < operator.not_before:
        return Diagnosis(KeyState.NOT_YET_VALID, **base)
    if now > operator.not_after:
        return Diagnosis(KeyState.EXPIRED, **base)
    if not _issued_by_trusted(certificate, policy.trusted_cas):
        return Diagnosis(KeyState.UNTRUSTED, **base)
    if token.found.public_key == "mismatch":
        detail = "the public key on the token does not match the certificate"
        return Diagnosis(KeyState.KEY_MISMATCH, detail=detail, **base)
    if token.flags & TokenFlag.USER_PIN_LOCKED:
        return Diagnosis(KeyState.PIN_LOCKED, **base)
    days_left = (operator.not_after - now).days
    state = KeyState.EXPIRING if days_left <= policy.warning_days else KeyState.READY
    return Diagnosis(state, days_left=days_left, **base)


def _issued_by_trusted(certificate: x509.Certificate, cas: Iterable[x509.Certificate]) -> bool:
    for ca in cas:
        try:
            certificate.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
        return True
    return False


class KeyDetector:
    """One scan of the bus and the modules; keeps certificates read per token between scans.

    Not thread-safe: the key worker is its only caller.
    """

    def __init__(
        self,
        vendors: Sequence[KeyVendor],
        bus: UsbBus,
        policy: DetectionPolicy,
        now: Callable[[], datetime],
        clock: Callable[[], float],
    ) -> None:
        self.vendors = tuple(vendors)
        self.bus = bus
        self.policy = policy
        self._now = now
        self._clock = clock
        self._first_seen: dict[UsbDevice, float] = {}
        self._certificates: dict[tuple[str, int, str, str], Found | None] = {}

    def scan(self) -> KeyScan:
        started = self._clock()
        devices = tuple((device, vendor_for(self.vendors, device)) for device in self.bus.devices())
        self._first_seen = {
            device: self._first_seen.get(device, started) for device, _vendor in devices
        }
        plugged = {vendor.name for _device, vendor in devices if vendor is not None}
        modules: list[ModuleLoad] = []
        tokens: list[TokenSeen] = []
        for vendor in self.vendors:
            if vendor.usb_ids and vendor.name not in plugged:
                continue
            load, library = self._load(vendor)
            modules.append(load)
            if library is not None and load.path is not None:
                tokens += self._tokens(vendor, load.path, library)
        self._certificates = {t.identity: t.found for t in tokens}
        diagnosis = diagnose(
            devices,
            modules,
            tokens,
            self.policy,
            self._now(),
            settled=lambda d: self._clock() - self._first_seen[d] >= READING_GRACE_S,
        )
        return KeyScan(devices, tuple(modules), tuple(tokens), diagnosis)

    @staticmethod
    def _load(vendor: KeyVendor) -> tuple[ModuleLoad, Library | None]:
        path = vendor.module()
        if path is None:
            return ModuleLoad(vendor, None, "missing"), None
        try:
            return ModuleLoad(vendor, path), load_module(path)
        except ModuleFailed as error:
            return ModuleLoad(vendor, path, str(error)[:200], failed=True), None
        except StartupError as error:
            return ModuleLoad(vendor, path, str(error)[:200]), None

    def _tokens(self, vendor: KeyVendor, module: Path, library: Library) -> list[TokenSeen]:
        """Initialised tokens (SoftHSM2's spare empty slot is no key), with their certificate."""
        seen = []
        try:
            for slot in library.get_slots(token_present=True):
                token = slot.get_token()
                if not token.flags & TokenFlag.TOKEN_INITIALIZED:
                    continue
                if vendor.token_label not in (None, token.label):
                    continue
                identity = (
                    str(module),
                    slot.slot_id,
                    token.serial.decode(errors="replace")
                    if isinstance(token.serial, bytes)
                    else str(token.serial),
                    token.label,
                )
                if identity in self._certificates:
                    found = self._certificates[identity]
                else:
                    found = _certificate_or_none(token)
                seen.append(
                    TokenSeen(
                        vendor,
                        module,
                        identity[1],
                        identity[3],
                        identity[2],
                        int(token.flags),
                        found,
                    )
                )
        except pkcs11.PKCS11Error:
            return seen  # the key went away mid-scan; the next scan will say so
        return seen


def _certificate_or_none(token: pkcs11.Token) -> Found | None:
    """None when the key holds no operator certificate; a PKCS#11 error passes through."""
    try:
        return read_certificate(token)
    except KeyUnusable:
        return None
