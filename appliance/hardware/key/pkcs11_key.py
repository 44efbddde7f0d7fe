"""The key port over any PKCS#11 module: the vendor's driver on the box, SoftHSM2 in the demo.

Every call opens its own session and closes it before returning, so a pulled key never
leaves a half-open session behind and calls need no order. Calls block (a PIN check on a
real key takes a second or so); callers run them off the UI thread.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pkcs11
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pkcs11 import MGF, Attribute, CertificateType, KeyType, Mechanism, ObjectClass, TokenFlag
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

# The SM2 curve (GB/T 32918, 国密) in an id-ecPublicKey SubjectPublicKeyInfo; cryptography
# cannot load such keys (UnsupportedAlgorithm), so they are recognised from the DER.
SM2_CURVE_OID = "1.2.156.10197.1.301"
_LOGIN_ALGORITHMS = ("rsa", "ec")

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


class ModuleFailed(StartupError):
    """The module is installed and loads, but refuses to start (C_Initialize failed).

    ``code`` is the module's own return code as its CKR_ name, ``text`` any message
    python-pkcs11 gave with it. SoftHSM2 answers CKR_GENERAL_ERROR when SOFTHSM2_CONF
    names a token directory that does not exist.
    """

    def __init__(self, module: Path, error: pkcs11.PKCS11Error) -> None:
        self.code = return_code_name(error)
        self.text = str(error)
        said = f"{self.code} ({self.text})" if self.text else self.code
        super().__init__(f"PKCS#11 module {module} failed to start: {said}")


def return_code_name(error: pkcs11.PKCS11Error) -> str:
    """``GeneralError`` → ``CKR_GENERAL_ERROR``: python-pkcs11 names its exceptions after
    the PKCS#11 return codes, so the code a module answered is read back from the class."""
    words = re.findall(r"[A-Z][a-z0-9]*", type(error).__name__)
    return "CKR_" + "_".join(word.upper() for word in words)


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
            if type(error) is not pkcs11.PKCS11Error:  # a return code: C_Initialize refused
                raise ModuleFailed(module, error) from error
            # dlopen failed (not a shared object, wrong architecture, a missing library)
            raise StartupError(f"cannot load PKCS#11 module {module}: {error}") from error
    return _libraries[key]


@dataclass(frozen=True)
class Found:
    """The operator certificate and the CKA_ID that ties it to its private key.

    ``algorithm`` is the certificate's key: ``rsa`` and ``ec`` can log in, ``sm2`` (国密)
    and ``unsupported`` cannot. ``public_key`` compares the token's public key object of
    that CKA_ID, read without a PIN, with the certificate: ``match``, ``mismatch``, or
    ``unknown`` when the token shows none (then only the login's signature can tell).
    """

    certificate: x509.Certificate
    key_id: bytes
    algorithm: str = "rsa"
    public_key: str = "unknown"


class Pkcs11Key:
    """The clerk's USB key behind a PKCS#11 module; implements ``KeyPort``."""

    def __init__(self, module: Path, token_label: str | None = None) -> None:
        self._library = load_module(module)
        self._label = token_label
        self._wrong_pins = 0  # in a row, on this key

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

    def _prove_possession(self, token: pkcs11.Token, found: Found, pin: bytearray) -> None:
        try:
            session = token.open(user_pin=pin.decode("utf-8"))
        except (*WRONG_PIN_ERRORS, UnicodeDecodeError) as error:
            self._wrong_pins += 1
            raise pin_refusal(fresh_flags(token), self._wrong_pins, tries_left(token)) from error
        except pkcs11.PinLocked as error:
            raise PinLocked() from error
        self._wrong_pins = 0
        with session:
            sign_and_verify(session, found)


def read_certificate(token: pkcs11.Token) -> Found:
    """The operator certificate on the key, judged against the token's public key, no PIN.

    CA certificates are skipped. Of the end-entity certificates, the first RSA or EC one
    is the operator's (a key may carry an SM2 certificate beside it); a key holding only
    SM2 or other certificates gives the first of them, for the diagnosis to name.
    """
    with token.open() as session:
        stored = [
            (obj[Attribute.VALUE], obj[Attribute.ID])
            for obj in session.get_objects(_X509_CERTIFICATES)
        ]
        operators: list[tuple[x509.Certificate, bytes, str]] = []
        for der, key_id in stored:
            try:
                certificate = x509.load_der_x509_certificate(der)
            except ValueError:
                continue
            if not _is_authority(certificate):
                operators.append((certificate, key_id, certificate_algorithm(certificate)))
        for certificate, key_id, algorithm in operators:
            if algorithm in _LOGIN_ALGORITHMS:
                return Found(
                    certificate, key_id, algorithm, _public_key_check(session, certificate, key_id)
                )
    if operators:
        certificate, key_id, algorithm = operators[0]
        return Found(certificate, key_id, algorithm)
    raise KeyUnusable("no_certificate", "the key holds no operator certificate")


def certificate_algorithm(certificate: x509.Certificate) -> str:
    """``rsa``, ``ec``, ``sm2`` (an id-ecPublicKey on the SM2 curve) or ``unsupported``."""
    try:
        public_key = certificate.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return "sm2" if _named_curve(certificate) == SM2_CURVE_OID else "unsupported"
    if isinstance(public_key, rsa.RSAPublicKey):
        return "rsa"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return "ec"
    return "unsupported"


def _named_curve(certificate: x509.Certificate) -> str | None:
    """The curve OID of an EC SubjectPublicKeyInfo, read from the DER with asn1crypto."""
    try:
        parsed = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
        algorithm = parsed["tbs_certificate"]["subject_public_key_info"]["algorithm"]
        parameters = algorithm["parameters"]
        if algorithm["algorithm"].dotted != "1.2.840.10045.2.1" or parameters.name != "named":
            return None
        return str(parameters.chosen.dotted)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _public_key_check(session: pkcs11.Session, certificate: x509.Certificate, key_id: bytes) -> str:
    """``match``/``mismatch`` against the public key object of the same CKA_ID, if public."""
    try:
        objects = list(
            session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.ID: key_id})
        )
        verdicts = [_same_key(obj, certificate) for obj in objects]
    except pkcs11.PKCS11Error:
        return "unknown"
    if True in verdicts:
        return "match"
    if False in verdicts:
        return "mismatch"
    return "unknown"


def _same_key(obj: pkcs11.Object, certificate: x509.Certificate) -> bool | None:
    """Whether a public key object holds the certificate's key; None when it cannot say."""
    public_key = certificate.public_key()
    try:
        key_type = int(obj[Attribute.KEY_TYPE])
        if isinstance(public_key, rsa.RSAPublicKey):
            if key_type != KeyType.RSA:
                return False
            numbers = public_key.public_numbers()
            modulus = int.from_bytes(obj[Attribute.MODULUS], "big")
            exponent = int.from_bytes(obj[Attribute.PUBLIC_EXPONENT], "big")
            return (modulus, exponent) == (numbers.n, numbers.e)
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            if key_type != KeyType.EC:
                return False
            point = public_key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
            stored = bytes(obj[Attribute.EC_POINT])
            # CKA_EC_POINT is a DER OCTET STRING; some modules give the bare point.
            return stored in (point, _der_octet_string(point))
    except (pkcs11.PKCS11Error, TypeError, ValueError):
        return None
    return None


def _der_octet_string(data: bytes) -> bytes:
    length = len(data)
    if length < 0x80:
        return bytes([0x04, length]) + data
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x04, 0x80 | len(size)]) + size + data


def tries_left(token: object) -> int | None:
    """PIN tries left where the key tells them. Standard PKCS#11 does not: only a vendor's
    adapter around the token (its own API) can, as ``pin_tries_left``."""
    told = getattr(token, "pin_tries_left", None)
    return told if isinstance(told, int) else None


def pin_refusal(flags: int, wrong_in_a_row: int, tries: int | None = None) -> KeyProblem:
    """What a refused PIN means for the clerk, saying only what is known.

    ``flags`` are read after the refusal, ``wrong_in_a_row`` counts it among the wrong
    PINs typed in a row on this key, ``tries`` is what the key or its vendor tells.
    Some keys answer the attempt that locks them with "PIN incorrect", so the lock flag
    wins. SoftHSM2 sets USER_PIN_COUNT_LOW after a single wrong PIN, so that flag warns
    only from the second wrong PIN in a row. For example:

    - ``pin_refusal(COUNT_LOW, 1)`` is ``WrongPin(None)``: "PIN码错误";
    - ``pin_refusal(COUNT_LOW, 2)`` is ``WrongPin("count_low")``;
    - ``pin_refusal(FINAL_TRY, 1)`` is ``WrongPin("final_try", tries_left=1)``;
    - ``pin_refusal(0, 1, tries=4)`` is ``WrongPin(None, tries_left=4)``.
    """
    if flags & TokenFlag.USER_PIN_LOCKED or tries == 0:
        return PinLocked()
    if flags & TokenFlag.USER_PIN_FINAL_TRY or tries == 1:
        return WrongPin("final_try", tries_left=1)
    if tries is not None:
        return WrongPin(None, tries_left=tries)
    if flags & TokenFlag.USER_PIN_COUNT_LOW and wrong_in_a_row >= 2:
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
    if found.algorithm not in _LOGIN_ALGORITHMS:
        reason = "sm2_only" if found.algorithm == "sm2" else "unsupported_key"
        raise KeyUnusable(reason, f"the key's certificate cannot log in ({found.algorithm})")
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
    if isinstance(error, WrongPin) and error.tries_left is not None:
        fields["tries_left"] = error.tries_left
    event("login.complete", logging.WARNING, outcome="failure", **fields)


def failure_reason(error: BaseException) -> str:
    """The short code of a refused login, for the log and the audit trail."""
    return _reason(error)


def _reason(error: BaseException) -> str:
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
