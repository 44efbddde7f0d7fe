"""The key port over any PKCS#11 module: the vendor's driver on the box, SoftHSM2 in the demo.

Every call opens its own session and closes it before returning, so a pulled key never
leaves a half-open session behind and calls need no order. Calls block (a PIN check on a
real key takes a second or so); callers run them off the UI thread.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pkcs11
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pkcs11 import MGF, Attribute, CertificateType, Mechanism, ObjectClass, TokenFlag
from pkcs11.util.ec import encode_ecdsa_signature

from appliance.errors import StartupError
from appliance.hardware.key.port import (
    KeyAbsent,
    KeyProblem,
    KeyStatus,
    OperatorCertificate,
    PinLocked,
    WrongPin,
)
from appliance.log import event

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Library

_ABSENT_ERRORS = (
    pkcs11.TokenNotPresent,
    pkcs11.TokenNotRecognised,
    pkcs11.DeviceRemoved,
    pkcs11.DeviceError,
    pkcs11.SlotIDInvalid,
    pkcs11.SessionClosed,
    pkcs11.SessionHandleInvalid,
)
WRONG_PIN_ERRORS = (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange)
_X509_CERTIFICATES = {
    Attribute.CLASS: ObjectClass.CERTIFICATE,
    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
}

_PSS_SALT_LENGTH = 32
_PSS_SHA256 = (Mechanism.SHA256, MGF.SHA256, _PSS_SALT_LENGTH)

_libraries: dict[str, Library] = {}
_module_lock = threading.RLock()


@contextmanager
def module_in_use() -> Iterator[None]:
    """Hold off :func:`reload_module` while this thread calls into a module.

    C_Finalize frees what another thread's C_GetSlotList is walking: a reload beside a
    scan crashed the process (seen in CI: SoftHSM2, a test's demo token set up while
    a key worker was polling). Every PKCS#11 call in the package runs inside this.
    """
    with _module_lock:
        yield


class KeyUnusable(KeyProblem):
    """The key answers but cannot log the clerk in; ``reason`` is a short code for the log."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def load_module(module: Path) -> Library:
    """The process's one initialised instance of ``module``, loading it on first use.

    A PKCS#11 module may be initialised once per process: python-pkcs11 caches by the
    path string, so the same file under a second spelling fails with "already
    initialized". Keying by the resolved path avoids that.
    """
    with _module_lock:
        return _load(module)


def reload_module(module: Path) -> Library:
    """Initialise ``module`` again so it rereads its configuration and rescans its tokens.

    SoftHSM2 reads SOFTHSM2_CONF and its token directory only in C_Initialize, so a token
    made by softhsm2-util afterwards stays invisible until this runs. Open sessions close.
    """
    with _module_lock:
        loaded = _path_key(module) in _libraries
        library = _load(module)
        if loaded:
            library.reinitialize()
        return library


def _path_key(module: Path) -> str:
    return str(module.resolve())


def _load(module: Path) -> Library:
    key = _path_key(module)
    if key not in _libraries:
        if not Path(key).is_file():
            raise StartupError(f"PKCS#11 module {module} not found: install the key's driver")
        try:
            _libraries[key] = pkcs11.lib(key)
        except pkcs11.PKCS11Error as error:
            raise StartupError(f"cannot load PKCS#11 module {module}: {error}") from error
    return _libraries[key]


@dataclass(frozen=True)
class Found:
    """The operator certificate and the CKA_ID that ties it to its private key."""

    certificate: x509.Certificate
    key_id: bytes


class Pkcs11Key:
    """The clerk's USB key behind a PKCS#11 module; implements ``KeyPort``."""

    def __init__(self, module: Path, token_label: str | None = None) -> None:
        self._library = load_module(module)
        self._label = token_label

    def status(self) -> KeyStatus:
        with module_in_use():
            try:
                self._token()
            except KeyAbsent:
                return KeyStatus.ABSENT
        return KeyStatus.PRESENT

    def certificate(self) -> OperatorCertificate:
        with module_in_use(), absent_on_removal():
            return describe_certificate(read_certificate(self._token()).certificate)

    def login(self, pin: bytearray) -> OperatorCertificate:
        try:
            with module_in_use():
                return self._login(pin)
        finally:
            pin[:] = bytes(len(pin))

    def _login(self, pin: bytearray) -> OperatorCertificate:
        event("login.init", token_label=self._label or "any")
        serial = "unknown"
        try:
            with absent_on_removal():
                token = self._token()
                found = read_certificate(token)
                serial = _serial(found.certificate)
                self._prove_possession(token, found, pin)
        except Exception as error:
            log_login_failure(error, serial)
            raise
        operator = describe_certificate(found.certificate)
        event(
            "login.complete",
            outcome="success",
            serial=serial,
            operator=mask_operator(operator.name),
        )
        return operator

    def _token(self) -> pkcs11.Token:
        """The first initialised token (with our label, if one was given).

        SoftHSM2 always shows an extra uninitialised token for the next C_InitToken;
        it has an empty label and must never be taken for the clerk's key.
        """
        with absent_on_removal():
            for slot in self._library.get_slots(token_present=True):
                token = slot.get_token()
                initialised = token.flags & TokenFlag.TOKEN_INITIALIZED
                if initialised and self._label in (None, token.label):
                    return token
        raise KeyAbsent()

    @staticmethod
    def _prove_possession(token: pkcs11.Token, found: Found, pin: bytearray) -> None:
        try:
            session = token.open(user_pin=pin.decode("utf-8"))
        except (*WRONG_PIN_ERRORS, UnicodeDecodeError) as error:
            raise problem_for_pin_flags(fresh_flags(token)) from error
        except pkcs11.PinLocked as error:
            raise PinLocked() from error
        with session:
            sign_and_verify(session, found)


def read_certificate(token: pkcs11.Token) -> Found:
    """The first end-entity X.509 certificate on the key; CA certificates are skipped."""
    with token.open() as session:
        stored = [
            (obj[Attribute.VALUE], obj[Attribute.ID])
            for obj in session.get_objects(_X509_CERTIFICATES)
        ]
    for der, key_id in stored:
        try:
            certificate = x509.load_der_x509_certificate(der)
        except ValueError:
            continue
        if not _is_authority(certificate):
            return Found(certificate, key_id)
    raise KeyUnusable("no_certificate", "the key holds no operator certificate")


def problem_for_pin_flags(flags: int) -> KeyProblem:
    """What a refused PIN means for the clerk, from the token flags read after the refusal.

    Some keys answer the attempt that locks them with "PIN incorrect", so the lock flag
    wins. For example, ``USER_PIN_COUNT_LOW`` alone gives ``WrongPin("count_low")``.
    """
    if flags & TokenFlag.USER_PIN_LOCKED:
        return PinLocked()
    if flags & TokenFlag.USER_PIN_FINAL_TRY:
        return WrongPin("final_try")
    if flags & TokenFlag.USER_PIN_COUNT_LOW:
        return WrongPin("count_low")
    return WrongPin(None)


def describe_certificate(certificate: x509.Certificate) -> OperatorCertificate:
    return OperatorCertificate(
        name=_common_name(certificate.subject),
        serial=_serial(certificate),
        issuer=_common_name(certificate.issuer),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def sign_and_verify(session: pkcs11.Session, found: Found, rsa_scheme: str = "pkcs1v15") -> None:
    """Sign a fresh challenge on the key and check it with the certificate's public key.

    A logged-in session alone proves the PIN, not that the key holds the private key of
    the certificate it shows; a copied certificate on another token would pass.
    """
    challenge = secrets.token_bytes(32)
    signature = sign(session, found, challenge, rsa_scheme)
    try:
        verify(found.certificate, challenge, signature, rsa_scheme)
    except InvalidSignature as error:
        message = "the key's private key does not match its certificate"
        raise KeyUnusable("key_mismatch", message) from error


def sign(session: pkcs11.Session, found: Found, data: bytes, rsa_scheme: str = "pkcs1v15") -> bytes:
    """Sign ``data`` with SHA-256 on the key: RSA PKCS#1 v1.5 or PSS, or ECDSA (DER).

    ECDSA is hashed here and signed raw (CKM_ECDSA): SoftHSM2 and several USB keys lack
    CKM_ECDSA_SHA256. The raw r||s answer is re-encoded as DER, as X.509 tools expect.
    """
    public_key = found.certificate.public_key()
    try:
        # python-pkcs11 builds the key's class from its attributes: a private key that may
        # sign (CKA_SIGN) comes with SignMixin, which get_key's return type cannot say.
        private_key = cast(
            pkcs11.SignMixin, session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=found.key_id)
        )
    except (pkcs11.NoSuchKey, pkcs11.MultipleObjectsReturned) as error:
        message = "the key holds no single private key for its certificate"
        raise KeyUnusable("no_private_key", message) from error
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            if rsa_scheme == "pss":
                return private_key.sign(
                    data, mechanism=Mechanism.SHA256_RSA_PKCS_PSS, mechanism_param=_PSS_SHA256
                )
            return private_key.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS)
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            digest = hashlib.sha256(data).digest()
            return encode_ecdsa_signature(private_key.sign(digest, mechanism=Mechanism.ECDSA))
    except pkcs11.KeyTypeInconsistent as error:
        message = "the key's private key does not match its certificate"
        raise KeyUnusable("key_mismatch", message) from error
    raise KeyUnusable("unsupported_key", "the key's certificate is neither RSA nor EC")


def verify(
    certificate: x509.Certificate, data: bytes, signature: bytes, rsa_scheme: str = "pkcs1v15"
) -> None:
    """Check a signature made by :func:`sign`; raises InvalidSignature."""
    public_key = certificate.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        scheme = (
            padding.PSS(padding.MGF1(hashes.SHA256()), _PSS_SALT_LENGTH)
            if rsa_scheme == "pss"
            else padding.PKCS1v15()
        )
        public_key.verify(signature, data, scheme, hashes.SHA256())
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    else:
        raise KeyUnusable("unsupported_key", "the key's certificate is neither RSA nor EC")


def fresh_flags(token: pkcs11.Token) -> int:
    """Token flags read now: a Token object keeps the flags from when it was listed."""
    try:
        return int(token.slot.get_token().flags)
    except pkcs11.PKCS11Error:
        return 0


@contextmanager
def absent_on_removal() -> Iterator[None]:
    """Turn the module's several ways of saying "the key went away" into KeyAbsent."""
    try:
        yield
    except _ABSENT_ERRORS as error:
        raise KeyAbsent() from error


def log_login_failure(error: Exception, serial: str) -> None:
    fields: dict[str, object] = {"reason": _reason(error), "serial": serial}
    if isinstance(error, WrongPin) and error.warning:
        fields["warning"] = error.warning
    event("login.complete", logging.WARNING, outcome="failure", **fields)


def _reason(error: Exception) -> str:
    if isinstance(error, KeyUnusable):
        return error.reason
    reasons = {WrongPin: "wrong_pin", PinLocked: "pin_locked", KeyAbsent: "key_absent"}
    return reasons.get(type(error), type(error).__name__)


def _is_authority(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return constraints.value.ca


def _common_name(name: x509.Name) -> str:
    names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else name.rfc4514_string()


def _serial(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "X")


def mask_operator(name: str) -> str:
    """First character and a star: a log reader can tell clerks apart, not name them."""
    return name[:1] + "*"
