"""The key worker: one thread owns every PKCS#11 call, the polling and the logged-in session.

PKCS#11 modules are not thread-safe and many allow one login per token, so detection
scans, the PIN login, the proof of possession and later signatures all queue on this
one thread. After login the session stays open for :meth:`KeyService.sign` (each
submission is signed with it) until the key is pulled or the session is locked.
With several valid keys plugged in, the clerk's choice (:meth:`KeyService.choose`) is
the key the scans show and the login goes to; the logged-in key stays chosen. Wrong
PINs are counted per key, in a row, so a warning says only what is known.
Implements ``KeyPort``, so the counter needs no change to use it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

import pkcs11
from cryptography import x509

from appliance.hardware.key.detection import Diagnosis, KeyDetector, KeyScan, KeyState, TokenSeen
from appliance.hardware.key.pkcs11_key import (
    WRONG_PIN_ERRORS,
    KeyUnusable,
    absent_on_removal,
    describe_certificate,
    fresh_flags,
    load_module,
    log_login_failure,
    mask_operator,
    module_in_use,
    pin_refusal,
    sign_and_verify,
    tries_left,
)
from appliance.hardware.key.pkcs11_key import sign as sign_on_token
from appliance.hardware.key.port import (
    KeyAbsent,
    KeyProblem,
    KeyStatus,
    OperatorCertificate,
    PinLocked,
)
from appliance.log import event

TokenFor = Callable[[TokenSeen], pkcs11.Token]
ScanListener = Callable[[KeyScan], None]


def token_for(seen: TokenSeen) -> pkcs11.Token:
    """The live token for what a scan saw, looked up again by slot and serial."""
    with absent_on_removal():
        for slot in load_module(seen.module).get_slots(token_present=True):
            if slot.slot_id == seen.slot_id:
                token = slot.get_token()
                if token.label == seen.label:
                    return token
    raise KeyAbsent()


def problem_for(diagnosis: Diagnosis) -> KeyProblem:
    """Why a login cannot start with the key as the last scan saw it."""
    if diagnosis.state is KeyState.PIN_LOCKED:
        return PinLocked()
    if diagnosis.state in (
        KeyState.NOT_DETECTED,
        KeyState.NO_DRIVER,
        KeyState.DRIVER_FAILED,
        KeyState.READING,
    ):
        return KeyAbsent()
    return KeyUnusable(diagnosis.state.value, f"the key cannot log in: {diagnosis.state.value}")


@dataclass
class _LoggedIn:
    session: pkcs11.Session
    token: TokenSeen


class KeyService:
    def __init__(
        self, detector: KeyDetector, interval_s: float, open_token: TokenFor = token_for
    ) -> None:
        self.detector = detector
        self.interval_s = interval_s
        self.open_token = open_token
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future] | None] = queue.Queue()
        self._listeners: list[ScanListener] = []
        self._logged_in: _LoggedIn | None = None
        self._thread: threading.Thread | None = None
        self._chosen: tuple[str, int, str, str] | None = None
        self._wrong_pins: dict[tuple[str, int, str, str], int] = {}
        self.latest: KeyScan | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> KeyScan:
        """Start the worker and wait for its first scan, so ``status`` is true at once."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="key", daemon=True)
            self._thread.start()
        return self.call(self._scan)

    def close(self) -> None:
        if self._thread is not None:
            self.call(self._logout)
            self._jobs.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def on_scan(self, listener: ScanListener) -> None:
        """Call ``listener(scan)`` from the worker thread whenever a scan differs."""
        self._listeners.append(listener)

    def submit(self, work: Callable[[], Any]) -> Future:
        future: Future = Future()
        self._jobs.put((work, future))
        return future

    def call(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` on the worker and wait; inline when already on it."""
        if threading.current_thread() is self._thread or self._thread is None:
            with module_in_use():
                return work()
        return self.submit(work).result()

    def _loop(self) -> None:
        next_scan = time.monotonic() + self.interval_s
        while True:
            try:
                job = self._jobs.get(timeout=max(0.0, next_scan - time.monotonic()))
            except queue.Empty:
                job = ()  # type: ignore[assignment]
            if job is None:
                return
            if job:
                work, future = job
                if future.set_running_or_notify_cancel():
                    try:
                        with module_in_use():
                            future.set_result(work())
                    except BaseException as error:  # delivered to the caller
                        future.set_exception(error)
            if time.monotonic() >= next_scan:
                with module_in_use():
                    self._scan()
                next_scan = time.monotonic() + self.interval_s

    # -- KeyPort ---------------------------------------------------------------------

    def status(self) -> KeyStatus:
        scan = self.latest
        ready = scan is not None and scan.diagnosis.state.can_log_in
        return KeyStatus.PRESENT if ready else KeyStatus.ABSENT

    def certificate(self) -> OperatorCertificate:
        scan = self.latest
        if scan is None or scan.diagnosis.operator is None:
            raise KeyAbsent()
        return scan.diagnosis.operator

    def login(self, pin: bytearray) -> OperatorCertificate:
        """Send ``pin`` to C_Login once, prove the key, keep the session; zeroes ``pin``."""
        try:
            return self.call(lambda: self._login(pin))
        finally:
            pin[:] = bytes(len(pin))

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with the logged-in key (SHA-256); raises KeyAbsent when locked."""
        return self.call(lambda: self._sign(data))

    def operator_signature(self, data: bytes) -> tuple[bytes, x509.Certificate]:
        """Sign ``data`` and name the certificate signed with, in one job on the worker,
        so the key cannot change between the two (an ``OperatorSigner``)."""

        def work() -> tuple[bytes, x509.Certificate]:
            signature = self._sign(data)
            held = self._logged_in
            assert held is not None and held.token.found is not None
            return signature, held.token.found.certificate

        return self.call(work)

    def logout(self) -> None:
        self.call(self._logout)

    def choose(self, identity: tuple[str, int, str, str]) -> KeyScan:
        """Take the key ``identity`` (a ``TokenSeen.identity`` among the scan's choices) for
        the next login; answers the scan that shows it."""

        def work() -> KeyScan:
            if self._logged_in is None:
                self._chosen = identity
                event("key.chosen", token_label=identity[3])
            return self._scan()

        return self.call(work)

    @property
    def logged_in(self) -> bool:
        return self._logged_in is not None

    # -- on the worker ---------------------------------------------------------------

    def _scan(self) -> KeyScan:
        scan = self._as_chosen(self.detector.scan())
        held = self._logged_in
        if held is not None and held.token.identity not in {t.identity for t in scan.tokens}:
            self._logout("key_removed")
        if scan != self.latest:
            self.latest = scan
            event(
                "key.detected",
                state=scan.diagnosis.state.value,
                vendor=scan.diagnosis.vendor.name if scan.diagnosis.vendor else "none",
                devices=len(scan.devices),
                tokens=len(scan.tokens),
                choices=len(scan.diagnosis.choices),
                detail=scan.diagnosis.detail or "none",
            )
            for listener in self._listeners:
                listener(scan)
        return scan

    def _as_chosen(self, scan: KeyScan) -> KeyScan:
        """The scan as the clerk sees it: the chosen (or logged-in) key among several, and
        the wrong PINs typed in a row on the key shown."""
        diagnosis = scan.diagnosis
        present = {token.identity for token in scan.tokens}
        if self._chosen not in present:
            self._chosen = None
        chosen = next(
            (c for c in diagnosis.choices if c.token and c.token.identity == self._chosen), None
        )
        if chosen is not None:
            diagnosis = replace(chosen, choices=diagnosis.choices)
        if diagnosis.token is not None:
            wrong = self._wrong_pins.get(diagnosis.token.identity, 0)
            diagnosis = replace(diagnosis, wrong_pins=wrong)
        return replace(scan, diagnosis=diagnosis)

    def _login(self, pin: bytearray) -> OperatorCertificate:
        diagnosis = self._scan().diagnosis
        serial = diagnosis.operator.serial if diagnosis.operator else "unknown"
        event("login.init", token_label=diagnosis.token.label if diagnosis.token else "none")
        try:
            if not diagnosis.state.can_log_in or diagnosis.token is None:
                raise problem_for(diagnosis)
            self._logout()
            session = self._open(diagnosis.token, pin)
            try:
                found = diagnosis.token.found
                assert found is not None
                sign_and_verify(session, found, diagnosis.token.vendor.rsa_scheme)
            except BaseException:
                with contextlib.suppress(pkcs11.PKCS11Error):
                    session.close()
                raise
        except Exception as error:
            log_login_failure(error, serial)
            raise
        self._logged_in = _LoggedIn(session, diagnosis.token)
        self._chosen = diagnosis.token.identity
        operator = describe_certificate(found.certificate)
        event(
            "login.complete",
            outcome="success",
            serial=serial,
            operator=mask_operator(operator.name),
            vendor=diagnosis.token.vendor.name,
        )
        return operator

    def _open(self, seen: TokenSeen, pin: bytearray) -> pkcs11.Session:
        """C_Login exactly once; the refusal is read from the token's flags afterwards."""
        token = self.open_token(seen)
        with absent_on_removal():
            try:
                session = token.open(user_pin=pin.decode("utf-8"))
            except (*WRONG_PIN_ERRORS, UnicodeDecodeError) as error:
                wrong = self._wrong_pins[seen.identity] = self._wrong_pins.get(seen.identity, 0) + 1
                raise pin_refusal(fresh_flags(token), wrong, tries_left(token)) from error
            except pkcs11.PinLocked as error:
                raise PinLocked() from error
            finally:
                pin[:] = bytes(len(pin))
        self._wrong_pins.pop(seen.identity, None)  # the PIN was right: the count starts again
        return session

    def _sign(self, data: bytes) -> bytes:
        held = self._logged_in
        if held is None or held.token.found is None:
            raise KeyAbsent()
        with absent_on_removal():
            return sign_on_token(held.session, held.token.found, data, held.token.vendor.rsa_scheme)

    def _logout(self, reason: str = "locked") -> None:
        held, self._logged_in = self._logged_in, None
        if held is None:
            return
        with contextlib.suppress(pkcs11.PKCS11Error):
            held.session.close()
        event("key.session_closed", reason=reason)
