"""Key detection and login against real SoftHSM2 tokens behind a fake pyusb backend.

One lab of keys is made per module (each key its own SoftHSM2 module copy, so each looks
like a separate vendor's key); a test plugs a key by putting its USB id on the fake bus.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from appliance_dev.sim.fake_pyusb import FakePyUsbBackend
from appliance_dev.sim.key_lab import LAB_PIN, TRUSTED_CA, UNTRUSTED_CA, Lab, make_lab
from cryptography import x509

from appliance.hardware.key.detection import DetectionPolicy, KeyDetector, KeyScan, KeyState
from appliance.hardware.key.pkcs11_key import KeyUnusable, verify
from appliance.hardware.key.port import KeyAbsent, KeyStatus
from appliance.hardware.key.service import KeyService
from appliance.hardware.key.vendors import DEFAULT_VENDORS, GDCA, JIT, KeyVendor
from appliance.hardware.usb.pyusb_bus import PyUsbBus


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    return make_lab(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def usb() -> FakePyUsbBackend:
    return FakePyUsbBackend((0x8087, 0x0024))  # a hub that is no key: always ignored


def detector(
    lab: Lab, usb: FakePyUsbBackend, *extra: KeyVendor, clock: FakeClock | None = None
) -> KeyDetector:
    cas = tuple(x509.load_pem_x509_certificates(lab.ca_path.read_bytes()))
    return KeyDetector(
        (*DEFAULT_VENDORS, *lab.vendors(), *extra),
        PyUsbBus(usb),
        DetectionPolicy(cas, 30),
        lambda: datetime.now(UTC),
        clock or time.monotonic,
    )


def plug(lab: Lab, usb: FakePyUsbBackend, name: str) -> None:
    usb.plug(*lab.keys[name].usb_id)


@pytest.fixture
def service(lab: Lab, usb: FakePyUsbBackend) -> Iterator[KeyService]:
    running = KeyService(detector(lab, usb), interval_s=0.1)
    yield running
    running.close()


def pin(text: str = LAB_PIN) -> bytearray:
    return bytearray(text.encode())


def test_nothing_on_usb_and_no_token_is_not_detected(lab: Lab, usb: FakePyUsbBackend) -> None:
    scan = detector(lab, usb).scan()
    assert scan.diagnosis.state is KeyState.NOT_DETECTED
    assert scan.tokens == ()


def test_unknown_usb_device_is_ignored(lab: Lab, usb: FakePyUsbBackend) -> None:
    usb.plug(0x046D, 0xC52B)
    scan = detector(lab, usb).scan()
    assert scan.diagnosis.state is KeyState.NOT_DETECTED
    assert all(vendor is None for _device, vendor in scan.devices)


@pytest.mark.parametrize("vendor", [JIT, GDCA], ids=["jit", "gdca"])
def test_key_without_its_driver_names_the_vendor_and_the_module(
    lab: Lab, usb: FakePyUsbBackend, vendor: KeyVendor
) -> None:
    usb.plug(*vendor.usb_ids[0])
    diagnosis = detector(lab, usb).scan().diagnosis
    assert diagnosis.state is KeyState.NO_DRIVER
    assert diagnosis.vendor == vendor
    assert diagnosis.module == vendor.modules[0]


def test_driver_that_fails_to_load_is_a_missing_driver(
    lab: Lab, usb: FakePyUsbBackend, tmp_path: Path
) -> None:
    broken = tmp_path / "libbroken.so"
    broken.write_text("not a shared object")
    vendor = KeyVendor("broken", "坏驱动", ((0x2222, 0x0001),), (broken,))
    usb.plug(0x2222, 0x0001)
    diagnosis = detector(lab, usb, vendor).scan().diagnosis
    assert diagnosis.state is KeyState.NO_DRIVER
    assert diagnosis.module == broken
    assert "cannot load" in diagnosis.detail


def test_key_its_driver_does_not_see_reads_first_then_is_a_driver_problem(
    lab: Lab, usb: FakePyUsbBackend
) -> None:
    blind = replace(
        lab.keys["valid-ec"].vendor(),
        name="blind",
        token_label="NO-SUCH",
        usb_ids=((0x3333, 0x0001),),
    )
    clock = FakeClock()
    watching = detector(lab, usb, blind, clock=clock)
    usb.plug(0x3333, 0x0001)
    assert watching.scan().diagnosis.state is KeyState.READING
    clock.now += 5
    diagnosis = watching.scan().diagnosis
    assert (diagnosis.state, diagnosis.detail) == (KeyState.NO_DRIVER, "not_recognised")


def test_a_token_counts_only_while_its_usb_device_is_plugged(
    lab: Lab, usb: FakePyUsbBackend
) -> None:
    watching = detector(lab, usb)
    plug(lab, usb, "valid-ec")
    assert watching.scan().diagnosis.state is KeyState.READY
    usb.unplug(*lab.keys["valid-ec"].usb_id)
    assert watching.scan().diagnosis.state is KeyState.NOT_DETECTED


def test_a_failing_usb_bus_reads_as_nothing_plugged(lab: Lab, usb: FakePyUsbBackend) -> None:
    plug(lab, usb, "valid-ec")
    usb.fail = True
    assert detector(lab, usb).scan().diagnosis.state is KeyState.NOT_DETECTED


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("expired", KeyState.EXPIRED),
        ("not-yet-valid", KeyState.NOT_YET_VALID),
        ("untrusted", KeyState.UNTRUSTED),
        ("expiring", KeyState.EXPIRING),
        ("valid-rsa", KeyState.READY),
    ],
)
def test_certificate_is_judged_before_any_pin(
    lab: Lab, usb: FakePyUsbBackend, name: str, state: KeyState
) -> None:
    plug(lab, usb, name)
    diagnosis = detector(lab, usb).scan().diagnosis
    assert diagnosis.state is state
    assert diagnosis.operator is not None
    assert diagnosis.operator.name == lab.keys[name].operator


def test_untrusted_certificate_shows_its_issuer(lab: Lab, usb: FakePyUsbBackend) -> None:
    plug(lab, usb, "untrusted")
    assert detector(lab, usb).scan().diagnosis.issuer == UNTRUSTED_CA


def test_expiring_key_warns_with_the_days_left(lab: Lab, usb: FakePyUsbBackend) -> None:
    plug(lab, usb, "expiring")
    diagnosis = detector(lab, usb).scan().diagnosis
    assert diagnosis.days_left in (11, 12)
    assert diagnosis.state.can_log_in


def test_a_good_key_wins_over_a_broken_one_plugged_beside_it(
    lab: Lab, usb: FakePyUsbBackend
) -> None:
    plug(lab, usb, "expired")
    plug(lab, usb, "valid-ec")
    usb.plug(*JIT.usb_ids[0])
    assert detector(lab, usb).scan().diagnosis.state is KeyState.READY


@pytest.mark.parametrize("name", ["valid-rsa", "valid-pss", "valid-ec"])
def test_right_pin_logs_in_and_the_key_signs_for_later_submissions(
    lab: Lab, usb: FakePyUsbBackend, service: KeyService, name: str
) -> None:
    plug(lab, usb, name)
    service.start()
    operator = service.login(pin())
    assert (operator.name, operator.issuer) == (lab.keys[name].operator, TRUSTED_CA)
    data = b"submission ZS-08-20261129-0001"
    signature = service.sign(data)
    token = service.latest.diagnosis.token
    verify(token.found.certificate, data, signature, token.vendor.rsa_scheme)


def test_key_whose_private_key_does_not_match_its_certificate_is_refused(
    lab: Lab, usb: FakePyUsbBackend, service: KeyService
) -> None:
    plug(lab, usb, "mismatched")
    service.start()
    with pytest.raises(KeyUnusable) as refused:
        service.login(pin())
    assert refused.value.reason == "key_mismatch"
    assert not service.logged_in


@pytest.mark.parametrize("name", ["expired", "not-yet-valid", "untrusted"])
def test_broken_certificate_never_reaches_c_login(
    lab: Lab, usb: FakePyUsbBackend, service: KeyService, name: str
) -> None:
    plug(lab, usb, name)
    service.start()
    buffer = pin()
    with pytest.raises(KeyUnusable):
        service.login(buffer)
    assert buffer == bytearray(len(LAB_PIN))
    assert service.status() is KeyStatus.ABSENT


def test_pulled_key_closes_the_logged_in_session(
    lab: Lab, usb: FakePyUsbBackend, service: KeyService
) -> None:
    """How fast (the issue's 1 s) is measured by `make bench` (key), not timed here."""
    plug(lab, usb, "valid-ec")
    service.start()
    service.login(pin())
    gone = threading.Event()
    service.on_scan(lambda scan: gone.set() if not scan.diagnosis.state.can_log_in else None)
    usb.unplug(*lab.keys["valid-ec"].usb_id)
    assert gone.wait(10.0)
    assert not service.logged_in
    with pytest.raises(KeyAbsent):
        service.sign(b"after the key was pulled")


def test_scan_listeners_hear_only_changes(
    lab: Lab, usb: FakePyUsbBackend, service: KeyService
) -> None:
    heard: list[KeyScan] = []
    service.on_scan(heard.append)
    service.start()
    time.sleep(0.35)
    plug(lab, usb, "valid-ec")
    time.sleep(0.35)
    assert [scan.diagnosis.state for scan in heard] == [KeyState.NOT_DETECTED, KeyState.READY]


def test_key_status_report_names_the_missing_driver(lab: Lab, usb: FakePyUsbBackend) -> None:
    from appliance.commands.key_status import report

    usb.plug(*GDCA.usb_ids[0])
    facts = report(detector(lab, usb).scan())
    assert facts["usb"][-1] == {"id": "055c:e605", "vendor": "gdca"}
    assert facts["diagnosis"]["state"] == "no_driver"
    assert facts["diagnosis"]["module"] == str(GDCA.modules[0])


def test_a_configured_vendor_is_added_and_can_replace_a_default(tmp_path: Path) -> None:
    from appliance.config import DEV_CONFIG, parse_config
    from appliance.hardware.key.setup import vendors_from

    text = DEV_CONFIG.read_text(encoding="utf-8") + (
        '\n[[key.vendors]]\nname = "jit"\nlabel = "吉大正元"\nusb_ids = ["abcd:0001"]\n'
        'modules = ["/opt/jit2/libjit.so"]\n'
        '\n[[key.vendors]]\nname = "newca"\nlabel = "新CA"\nusb_ids = ["1234:5678"]\n'
        'modules = ["/opt/newca/libp11.so"]\n'
    )
    vendors = {v.name: v for v in vendors_from(parse_config(text, tmp_path / "a.toml"))}
    assert vendors["jit"].usb_ids == ((0xABCD, 0x0001),)
    assert vendors["newca"].modules == (Path("/opt/newca/libp11.so"),)
    assert {"gdca", "generic", "softhsm"} <= set(vendors)


# -- issue 18, key login ---------------------------------------------------------------


def test_key_whose_public_key_does_not_match_its_certificate_is_told_before_the_pin(
    lab: Lab, usb: FakePyUsbBackend
) -> None:
    from appliance.commands.key_status import print_status
    from appliance.workflow.key_messages import diagnosis_message

    plug(lab, usb, "mismatched")
    scan = detector(lab, usb).scan()
    assert scan.diagnosis.state is KeyState.KEY_MISMATCH
    assert "does not match" in scan.diagnosis.detail
    assert scan.diagnosis.operator.name == "孙丽"
    assert diagnosis_message(scan.diagnosis) == (
        "电子钥匙中的私钥与证书不匹配，不能登录：请联系网建办",
        True,
    )
    assert print_status(scan, as_json=True) == 1


def test_the_public_key_beside_a_good_certificate_matches(lab: Lab, usb: FakePyUsbBackend) -> None:
    for name in ("valid-rsa", "valid-ec"):
        plug(lab, usb, name)
    assert {t.found.public_key for t in detector(lab, usb).scan().tokens} == {"match"}


def test_the_valid_key_wins_whatever_the_slot_order(lab: Lab, usb: FakePyUsbBackend) -> None:
    """The broken keys' modules are listed (and scanned) before the valid one."""
    broken = [lab.keys[n].vendor() for n in ("mismatched", "sm2-only", "expired")]
    cas = tuple(x509.load_pem_x509_certificates(lab.ca_path.read_bytes()))
    watching = KeyDetector(
        (*broken, lab.keys["valid-ec"].vendor()),
        PyUsbBus(usb),
        DetectionPolicy(cas, 30),
        lambda: datetime.now(UTC),
        time.monotonic,
    )
    for name in ("mismatched", "sm2-only", "expired", "valid-ec"):
        plug(lab, usb, name)
    diagnosis = watching.scan().diagnosis
    assert (diagnosis.state, diagnosis.operator.name) == (KeyState.READY, "王芳")
    assert diagnosis.choices == ()


def test_two_valid_keys_let_the_clerk_choose_and_the_login_goes_to_the_chosen_one(
    lab: Lab, usb: FakePyUsbBackend, service: KeyService
) -> None:
    plug(lab, usb, "valid-rsa")
    plug(lab, usb, "valid-ec")
    scan = service.start()
    assert scan.diagnosis.state is KeyState.CHOOSE
    names = [choice.operator.name for choice in scan.diagnosis.choices]
    assert sorted(names) == ["王芳", "陈晓明"]
    assert service.status() is KeyStatus.ABSENT  # no key until the clerk picks one
    with pytest.raises(KeyUnusable):
        service.login(pin())
    wanted = next(c for c in scan.diagnosis.choices if c.operator.name == "王芳")
    chosen = service.choose(wanted.token.identity).diagnosis
    assert (chosen.state, chosen.operator.name) == (KeyState.READY, "王芳")
    assert len(chosen.choices) == 2  # the chooser stays on the screen
    assert service.login(pin()).name == "王芳"
    signature = service.sign(b"signed by the chosen key")
    verify(wanted.token.found.certificate, b"signed by the chosen key", signature)
    other = next(c for c in scan.diagnosis.choices if c.operator.name == "陈晓明")
    assert service.choose(other.token.identity).diagnosis.operator.name == "王芳"  # logged in


def test_driver_installed_but_failing_to_start_is_not_a_missing_driver(
    lab: Lab,
    usb: FakePyUsbBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from appliance.commands.key_status import print_status, report
    from appliance.workflow.key_messages import diagnosis_message

    module = tmp_path / "libfailing.so"
    module.write_bytes(Path(lab.keys["valid-ec"].module).read_bytes())
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'gone'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    vendor = KeyVendor("failing", "坏配置", ((0x2222, 0x0002),), (module,))
    usb.plug(0x2222, 0x0002)
    scan = detector(lab, usb, vendor).scan()
    diagnosis = scan.diagnosis
    assert diagnosis.state is KeyState.DRIVER_FAILED
    assert "CKR_GENERAL_ERROR" in diagnosis.detail
    said, problem = diagnosis_message(diagnosis)
    assert problem and not said.startswith("未安装电子钥匙驱动")
    assert "CKR_GENERAL_ERROR" in said and str(module) in said
    failing = next(m for m in report(scan)["modules"] if m["vendor"] == "failing")
    assert failing["loaded"] is False and failing["failed_to_start"] is True
    assert "CKR_GENERAL_ERROR" in failing["error"]
    assert print_status(scan, as_json=False) == 1
    printed = capsys.readouterr().out
    assert "INSTALLED, FAILED TO START" in printed and "CKR_GENERAL_ERROR" in printed
    assert "diagnosis driver_failed" in printed


def test_a_key_with_only_an_sm2_certificate_is_told_so(
    lab: Lab, usb: FakePyUsbBackend, service: KeyService
) -> None:
    from appliance.workflow.key_messages import diagnosis_message

    plug(lab, usb, "sm2-only")
    scan = service.start()
    diagnosis = scan.diagnosis
    assert diagnosis.state is KeyState.SM2_ONLY
    assert diagnosis.token.found.algorithm == "sm2"
    assert diagnosis.operator.name == "黄敏"
    assert "国密（SM2）" in diagnosis_message(diagnosis)[0]
    buffer = pin()
    with pytest.raises(KeyUnusable) as refused:
        service.login(buffer)
    assert refused.value.reason == "sm2_only"
    assert buffer == bytearray(len(LAB_PIN))


def test_an_rsa_certificate_beside_an_sm2_one_is_the_one_used(
    lab: Lab, usb: FakePyUsbBackend, service: KeyService
) -> None:
    plug(lab, usb, "sm2-beside-rsa")
    diagnosis = service.start().diagnosis
    assert diagnosis.state is KeyState.READY
    assert diagnosis.token.found.algorithm == "rsa"
    assert service.login(pin()).name == "林峰"


def test_one_wrong_pin_on_softhsm2_is_only_a_wrong_pin(
    lab: Lab, usb: FakePyUsbBackend, service: KeyService
) -> None:
    """SoftHSM2 sets COUNT_LOW at the first wrong PIN; the clerk hears of it from the second."""
    from pkcs11 import TokenFlag

    from appliance.hardware.key.port import WrongPin
    from appliance.workflow.key_messages import diagnosis_message, login_message

    plug(lab, usb, "valid-ec")
    service.start()
    with pytest.raises(WrongPin) as first:
        service.login(pin("000000"))
    assert first.value.warning is None
    assert login_message(first.value) == "PIN码错误，请重新输入"
    after = service.call(service._scan).diagnosis
    assert after.token.flags & TokenFlag.USER_PIN_COUNT_LOW  # what SoftHSM2 says
    assert after.pin_warning is None
    assert diagnosis_message(after) == ("电子钥匙已插入，请输入PIN码", False)
    with pytest.raises(WrongPin) as second:
        service.login(pin("000001"))
    assert second.value.warning == "count_low"
    assert "已多次输错" in login_message(second.value)
    assert service.call(service._scan).diagnosis.pin_warning == "count_low"
    service.login(pin())
    service.logout()
    assert service.call(service._scan).diagnosis.wrong_pins == 0


def test_key_status_prints_the_holder_and_the_login_screens_sentence(
    lab: Lab, usb: FakePyUsbBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from appliance.commands.key_status import print_status

    plug(lab, usb, "valid-rsa")
    scan = detector(lab, usb).scan()
    assert print_status(scan, as_json=False) == 0
    text = capsys.readouterr().out
    assert "holder  陈晓明" in text
    assert "screen  电子钥匙已插入，请输入PIN码" in text
    assert print_status(scan, as_json=True) == 0
    raw = capsys.readouterr().out
    assert "\\u" not in raw and "陈晓明" in raw
    facts = json.loads(raw)["diagnosis"]
    assert (facts["holder"], facts["screen"]) == ("陈晓明", "电子钥匙已插入，请输入PIN码")
