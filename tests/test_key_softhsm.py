"""The USB-key login against a real SoftHSM2 token, as the demo and the box use it.

SoftHSM2 reads SOFTHSM2_CONF when the module is initialised; ``ensure_demo_token``
reinitialises it, so each test calls it to make the shared demo token the active one.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from appliance_dev.sim.softhsm import (
    DEMO_CA_NAME,
    DEMO_LABEL,
    DEMO_OPERATOR,
    DEMO_PIN,
    DemoToken,
    ensure_demo_token,
)
from cryptography import x509
from pkcs11 import Attribute, ObjectClass, TokenFlag

from appliance.errors import StartupError
from appliance.hardware.key.pkcs11_key import Pkcs11Key, load_module
from appliance.hardware.key.port import KeyAbsent, KeyStatus, PinLocked, WrongPin
from appliance.log import configure

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
WRONG_PIN = "987650"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    saved = os.environ.get("SOFTHSM2_CONF")
    yield tmp_path_factory.mktemp("demo-data")
    if saved is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = saved


@pytest.fixture
def demo(demo_dir: Path) -> DemoToken:
    return ensure_demo_token(demo_dir, MODULE)


@pytest.fixture
def key(demo: DemoToken) -> Pkcs11Key:
    return Pkcs11Key(MODULE, demo.label)


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    logger = logging.getLogger("appliance")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    stream = io.StringIO()
    configure(stream=stream)
    yield stream
    logger.handlers[:], logger.level, logger.propagate = saved


def pin(text: str) -> bytearray:
    return bytearray(text.encode())


def certificates_on(demo: DemoToken) -> list[x509.Certificate]:
    token = load_module(MODULE).get_token(token_label=demo.label)
    with token.open() as session:
        objects = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}))
        return [x509.load_der_x509_certificate(obj[Attribute.VALUE]) for obj in objects]


def test_certificate_is_read_without_a_pin(key: Pkcs11Key) -> None:
    operator = key.certificate()
    now = datetime.now(UTC)
    assert operator.name == DEMO_OPERATOR
    assert operator.issuer == DEMO_CA_NAME
    assert re.fullmatch("[0-9A-F]+", operator.serial)
    assert operator.not_before.tzinfo is not None
    assert now - timedelta(days=1, hours=1) < operator.not_before < now - timedelta(hours=23)
    assert operator.not_after - operator.not_before == timedelta(days=730)


def test_the_demo_keys_public_key_matches_its_certificate_before_any_pin(demo: DemoToken) -> None:
    from appliance.hardware.key.pkcs11_key import read_certificate

    found = read_certificate(load_module(MODULE).get_token(token_label=demo.label))
    assert (found.algorithm, found.public_key) == ("rsa", "match")


def test_right_pin_logs_in_as_the_demo_clerk(key: Pkcs11Key) -> None:
    operator = key.login(pin(DEMO_PIN))
    assert operator.name == DEMO_OPERATOR
    assert operator == key.certificate()


def test_wrong_pin_is_refused_and_right_pin_still_works(key: Pkcs11Key) -> None:
    with pytest.raises(WrongPin) as refused:
        key.login(pin(WRONG_PIN))
    assert refused.value.warning is None  # SoftHSM2's COUNT_LOW after one miss says little
    assert key.login(pin(DEMO_PIN)).name == DEMO_OPERATOR


@pytest.mark.parametrize(
    ("label", "typed"),
    [(DEMO_LABEL, DEMO_PIN), (DEMO_LABEL, WRONG_PIN), ("NO-SUCH-KEY", DEMO_PIN)],
    ids=["right-pin", "wrong-pin", "no-key"],
)
def test_pin_buffer_is_zeroed_after_login(demo: DemoToken, label: str, typed: str) -> None:
    buffer = pin(typed)
    with contextlib.suppress(WrongPin, KeyAbsent):
        Pkcs11Key(MODULE, label).login(buffer)
    assert buffer == bytearray(len(typed))


def test_no_log_line_contains_the_pin_or_the_full_name(
    key: Pkcs11Key, log_stream: io.StringIO
) -> None:
    with pytest.raises(WrongPin):
        key.login(pin(WRONG_PIN))
    serial = key.login(pin(DEMO_PIN)).serial
    lines = log_stream.getvalue().splitlines()
    # only this key's login events: a worker left by another test may log beside them
    lines = [line for line in lines if " event=login." in line]
    assert [line.split()[1] for line in lines] == [
        "event=login.init",
        "event=login.complete",
        "event=login.init",
        "event=login.complete",
    ]
    for line in lines:
        without_serial = line.replace(serial, "")
        assert DEMO_PIN not in without_serial
        assert WRONG_PIN not in without_serial
        assert DEMO_OPERATOR not in line
    assert "reason=wrong_pin" in lines[1]
    assert f"serial={serial} operator={DEMO_OPERATOR[0]}*" in lines[3]


def test_demo_token_is_reused_when_it_already_exists(
    demo_dir: Path, demo: DemoToken, key: Pkcs11Key, log_stream: io.StringIO
) -> None:
    ca_pem = demo.ca_cert_path.read_bytes()
    serial = key.certificate().serial
    assert ensure_demo_token(demo_dir, MODULE) == demo
    assert demo.ca_cert_path.read_bytes() == ca_pem
    assert key.certificate().serial == serial
    assert len(list(load_module(MODULE).get_tokens(token_label=demo.label))) == 1
    assert "token.provision" not in log_stream.getvalue()


def test_demo_token_is_reused_after_a_restart(demo_dir: Path, key: Pkcs11Key) -> None:
    script = (
        "import sys; from pathlib import Path; from appliance.log import configure;"
        "from appliance_dev.sim.softhsm import ensure_demo_token;"
        "from appliance.hardware.key.pkcs11_key import Pkcs11Key;"
        "configure(); module = Path(sys.argv[2]);"
        "demo = ensure_demo_token(Path(sys.argv[1]), module);"
        "print(Pkcs11Key(module, demo.label).certificate().serial)"
    )
    restarted = subprocess.run(
        [sys.executable, "-c", script, str(demo_dir), str(MODULE)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert restarted.stdout.strip() == key.certificate().serial
    assert "token.provision" not in restarted.stderr


def test_half_made_demo_token_is_made_again(tmp_path: Path) -> None:
    first = ensure_demo_token(tmp_path, MODULE)
    first_serial = Pkcs11Key(MODULE, first.label).certificate().serial
    first.ca_cert_path.unlink()
    again = ensure_demo_token(tmp_path, MODULE)
    assert again.ca_cert_path.is_file()
    assert Pkcs11Key(MODULE, again.label).certificate().serial != first_serial
    assert len(list(load_module(MODULE).get_tokens(token_label=again.label))) == 1


def test_operator_certificate_is_issued_by_the_demo_ca(demo: DemoToken) -> None:
    ca = x509.load_pem_x509_certificate(demo.ca_cert_path.read_bytes())
    [operator] = certificates_on(demo)
    operator.verify_directly_issued_by(ca)


def test_private_key_cannot_leave_the_token(demo: DemoToken) -> None:
    token = load_module(MODULE).get_token(token_label=demo.label)
    with token.open(user_pin=DEMO_PIN) as session:
        private_key = session.get_key(object_class=ObjectClass.PRIVATE_KEY)
        assert private_key[Attribute.SENSITIVE] is True
        assert private_key[Attribute.EXTRACTABLE] is False


def test_so_pin_file_is_readable_by_its_owner_only(demo: DemoToken) -> None:
    so_pin_file = demo.conf_path.parent / "so-pin"
    assert stat.S_IMODE(so_pin_file.stat().st_mode) == 0o600


def test_key_without_a_label_finds_the_demo_token_not_the_empty_slot(demo: DemoToken) -> None:
    assert Pkcs11Key(MODULE).certificate().name == DEMO_OPERATOR


def test_key_with_another_label_is_absent(demo: DemoToken) -> None:
    other = Pkcs11Key(MODULE, "NO-SUCH-KEY")
    assert other.status() is KeyStatus.ABSENT
    with pytest.raises(KeyAbsent):
        other.certificate()
    with pytest.raises(KeyAbsent):
        other.login(pin(DEMO_PIN))
    assert Pkcs11Key(MODULE, demo.label).status() is KeyStatus.PRESENT


@pytest.mark.parametrize(
    ("flags", "problem", "warning"),
    [
        (0, WrongPin, None),
        (TokenFlag.USER_PIN_COUNT_LOW, WrongPin, "count_low"),
        (TokenFlag.USER_PIN_COUNT_LOW | TokenFlag.USER_PIN_FINAL_TRY, WrongPin, "final_try"),
        (TokenFlag.USER_PIN_LOCKED, PinLocked, None),
    ],
    ids=["first-miss", "count-low", "final-try", "locked"],
)
def test_refused_pin_warning_follows_the_token_flags(
    flags: int, problem: type, warning: str | None
) -> None:
    from appliance.hardware.key.pkcs11_key import pin_refusal

    refused = pin_refusal(flags, 2)  # the second wrong PIN in a row
    assert type(refused) is problem
    assert getattr(refused, "warning", None) == warning


def test_missing_module_is_a_startup_error(tmp_path: Path) -> None:
    missing = tmp_path / "libsofthsm2.so"
    with pytest.raises(StartupError, match="apt-get install softhsm2"):
        ensure_demo_token(tmp_path, missing)
    with pytest.raises(StartupError, match="not found"):
        Pkcs11Key(missing)


def test_missing_softhsm2_util_is_a_startup_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StartupError, match="apt-get install softhsm2"):
        ensure_demo_token(tmp_path, MODULE)


RELOAD_BESIDE_POLLING = """
import sys, threading
from pathlib import Path
from appliance_dev.sim.softhsm import ensure_demo_token
from appliance.hardware.key.pkcs11_key import Pkcs11Key, reload_module

module = Path(sys.argv[2])
demo = ensure_demo_token(Path(sys.argv[1]), module)
key = Pkcs11Key(module, demo.label)
stop, errors = threading.Event(), []

def poll():
    while not stop.is_set():
        try:
            key.status()
            key.certificate()
        except Exception as error:
            errors.append(repr(error))

poller = threading.Thread(target=poll)
poller.start()
for _ in range(300):
    reload_module(module)
stop.set()
poller.join()
print(errors[:3])
sys.exit(1 if errors else 0)
"""


def test_reloading_the_module_waits_for_a_thread_using_it(demo_dir: Path) -> None:
    """A reload beside a polling key worker once crashed the test process (C_Finalize mid-scan)."""
    run = subprocess.run(
        [sys.executable, "-c", RELOAD_BESIDE_POLLING, str(demo_dir / "race"), str(MODULE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
