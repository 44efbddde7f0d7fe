"""PIN paths SoftHSM2 cannot show (lock, final try, key pulled mid-PIN), with a fake token.

The fake stands at the PKCS#11 boundary: it is the python-pkcs11 Token the key worker
opens, answering C_Login the way a real USB key does and reporting its flags afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pkcs11 import TokenFlag

from appliance.hardware.key.detection import (
    DetectionPolicy,
    KeyScan,
    KeyState,
    TokenSeen,
    diagnose,
)
from appliance.hardware.key.pkcs11_key import Found
from appliance.hardware.key.port import KeyAbsent, PinLocked, WrongPin
from appliance.hardware.key.service import KeyService
from appliance.hardware.key.vendors import JIT
from appliance.workflow.key_messages import login_message

INITIALISED = int(TokenFlag.TOKEN_INITIALIZED)


def _certificate() -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "林静")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=300))
        .sign(key, hashes.SHA256())
    )


CERTIFICATE = _certificate()


class FakeToken:
    """Refuses every PIN with ``error``; its flags after each refusal come from ``flags``.

    ``pin_tries_left`` stands for a vendor adapter that reads the key's retry counter.
    """

    def __init__(
        self, error: type[Exception], flags_after: int, tries_left: int | None = None
    ) -> None:
        self.error = error
        self.flags_after = flags_after
        self.logins: list[str] = []
        self.slot = self
        self.pin_tries_left = tries_left

    def open(self, user_pin: str | None = None, **_kwargs):
        self.logins.append("C_Login")
        raise self.error()

    def get_token(self) -> FakeToken:
        return self

    @property
    def flags(self) -> int:
        return self.flags_after


class StubDetector:
    """Answers scans with one token on the JIT key, or nothing once ``pulled``."""

    def __init__(self, flags: int = INITIALISED) -> None:
        self.flags = flags
        self.pulled = False

    def scan(self) -> KeyScan:
        seen = TokenSeen(
            JIT,
            Path("/opt/jit/lib/libjitpkcs11.so"),
            1,
            "JIT",
            "0001",
            self.flags,
            Found(CERTIFICATE, b"id"),
        )
        tokens = () if self.pulled else (seen,)
        diagnosis = diagnose((), (), tokens, DetectionPolicy((CERTIFICATE,), 30), datetime.now(UTC))
        return KeyScan((), (), tokens, diagnosis)


@pytest.fixture
def detector() -> StubDetector:
    return StubDetector()


def worker(detector: StubDetector, token: FakeToken) -> KeyService:
    service = KeyService(detector, interval_s=0.1, open_token=lambda _seen: token)
    service.start()
    return service


@pytest.mark.parametrize(
    ("flags", "problem", "warning", "shown"),
    [
        (0, WrongPin, None, "PIN码错误，请重新输入"),
        (TokenFlag.USER_PIN_COUNT_LOW, WrongPin, None, "PIN码错误，请重新输入"),
        (
            TokenFlag.USER_PIN_COUNT_LOW | TokenFlag.USER_PIN_FINAL_TRY,
            WrongPin,
            "final_try",
            "再输错一次",
        ),
        (TokenFlag.USER_PIN_LOCKED, PinLocked, None, "网建办"),
    ],
    ids=["first-miss", "count-low-after-one-miss", "final-try", "locked"],
)
def test_refused_pin_reads_the_token_flags_and_says_so(
    detector: StubDetector, flags: int, problem: type, warning: str | None, shown: str
) -> None:
    token = FakeToken(pkcs11.PinIncorrect, INITIALISED | flags)
    service = worker(detector, token)
    buffer = bytearray(b"111111")
    with pytest.raises(problem) as refused:
        service.login(buffer)
    service.close()
    assert getattr(refused.value, "warning", None) == warning
    assert shown in login_message(refused.value)
    assert token.logins == ["C_Login"]  # never retried on the clerk's behalf
    assert buffer == bytearray(6)


def test_count_low_warns_only_from_the_second_wrong_pin_in_a_row(detector: StubDetector) -> None:
    token = FakeToken(pkcs11.PinIncorrect, INITIALISED | TokenFlag.USER_PIN_COUNT_LOW)
    service = worker(detector, token)
    said = []
    for typed in (b"111111", b"222222", b"333333"):
        with pytest.raises(WrongPin) as refused:
            service.login(bytearray(typed))
        said.append(login_message(refused.value))
    service.close()
    assert said[0] == "PIN码错误，请重新输入"
    assert said[1] == said[2] == "PIN码错误，请重新输入（PIN 即将锁定：已多次输错，请确认后再输入）"


def test_count_low_alone_is_no_warning_before_the_pin(detector: StubDetector) -> None:
    detector.flags = INITIALISED | TokenFlag.USER_PIN_COUNT_LOW
    assert detector.scan().diagnosis.pin_warning is None


@pytest.mark.parametrize(
    ("tries", "problem", "shown"),
    [
        (4, WrongPin, "PIN码错误，请重新输入（还可以再试4次）"),
        (1, WrongPin, "再输错一次电子钥匙将被锁定"),
        (0, PinLocked, "PIN码已锁定"),
    ],
)
def test_tries_left_are_said_where_the_key_tells_them(
    detector: StubDetector, tries: int, problem: type, shown: str
) -> None:
    service = worker(detector, FakeToken(pkcs11.PinIncorrect, INITIALISED, tries_left=tries))
    with pytest.raises(problem) as refused:
        service.login(bytearray(b"111111"))
    service.close()
    assert shown in login_message(refused.value)


@pytest.mark.parametrize(
    ("flags", "in_a_row", "tries", "expected"),
    [
        (0, 1, None, (WrongPin, None, None)),
        (TokenFlag.USER_PIN_COUNT_LOW, 1, None, (WrongPin, None, None)),
        (TokenFlag.USER_PIN_COUNT_LOW, 2, None, (WrongPin, "count_low", None)),
        (TokenFlag.USER_PIN_FINAL_TRY, 1, None, (WrongPin, "final_try", 1)),
        (0, 1, 3, (WrongPin, None, 3)),
        (TokenFlag.USER_PIN_LOCKED, 1, None, (PinLocked, None, None)),
    ],
)
def test_pin_refusal_says_only_what_is_known(
    flags: int, in_a_row: int, tries: int | None, expected: tuple
) -> None:
    from appliance.hardware.key.pkcs11_key import pin_refusal

    refused = pin_refusal(flags, in_a_row, tries)
    said = (type(refused), getattr(refused, "warning", None), getattr(refused, "tries_left", None))
    assert said == expected


def test_key_answering_pin_locked_is_locked(detector: StubDetector) -> None:
    service = worker(detector, FakeToken(pkcs11.PinLocked, INITIALISED))
    with pytest.raises(PinLocked):
        service.login(bytearray(b"123456"))
    service.close()


def test_locked_key_is_told_before_any_pin_is_typed(detector: StubDetector) -> None:
    detector.flags = INITIALISED | TokenFlag.USER_PIN_LOCKED
    token = FakeToken(pkcs11.PinIncorrect, detector.flags)
    service = worker(detector, token)
    assert service.latest.diagnosis.state is KeyState.PIN_LOCKED
    with pytest.raises(PinLocked):
        service.login(bytearray(b"123456"))
    service.close()
    assert token.logins == []


def test_final_try_is_warned_before_the_pin_is_typed(detector: StubDetector) -> None:
    detector.flags = INITIALISED | TokenFlag.USER_PIN_FINAL_TRY
    assert detector.scan().diagnosis.pin_warning == "final_try"


def test_key_pulled_while_the_pin_is_typed_is_absent_without_a_login(
    detector: StubDetector,
) -> None:
    token = FakeToken(pkcs11.PinIncorrect, INITIALISED)
    service = worker(detector, token)
    detector.pulled = True
    buffer = bytearray(b"123456")
    with pytest.raises(KeyAbsent):
        service.login(buffer)
    service.close()
    assert token.logins == []
    assert buffer == bytearray(6)


def test_key_pulled_during_c_login_is_absent(detector: StubDetector) -> None:
    service = worker(detector, FakeToken(pkcs11.DeviceRemoved, INITIALISED))
    with pytest.raises(KeyAbsent):
        service.login(bytearray(b"123456"))
    service.close()
