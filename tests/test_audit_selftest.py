"""The self-test on simulated hardware: all well, then every fault at once (paper out,
camera unplugged, key pulled from the USB bus, branch server stopped), each named by its
own check; the readiness slip is printed when the printer can, and every run is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from appliance_dev.sim.fake_usb import NAMED_DEVICES, FakeUsbBus

from appliance.diagnostics.readiness_slip import slip_lines
from appliance.diagnostics.selftest import report_selftest
from appliance.wiring import build_services
from tests.sync_helpers import make_config, start_server


def outcomes(capsys) -> dict[str, tuple[str, str]]:
    found = {}
    for line in capsys.readouterr().out.splitlines():
        outcome, name, detail = line.split(maxsplit=2)
        found[name] = (outcome, detail)
    return found


@pytest.fixture
def box(tmp_path: Path):
    server, config = start_server(make_config(tmp_path / "box"), tmp_path / "server")
    services = build_services(config)
    yield server, services
    services.key.close()
    server.stop()


def test_selftest_passes_then_names_every_simulated_fault(box, capsys) -> None:
    server, services = box
    config = services.config
    slip = config.data_dir / "printer" / "receipt.bin"

    assert report_selftest(config, services, offline=False, slip=True) == 0
    healthy = outcomes(capsys)
    assert {outcome for outcome, _ in healthy.values()} == {"ok"}
    assert "token issued, clock difference" in healthy["branch_server"][1]
    assert "设备自检单".encode("gb18030") in slip.read_bytes()

    assert report_selftest(config, services, offline=True, slip=False) == 0
    assert outcomes(capsys)["branch_server"][0] == "skip"

    services.printer.set_fault("paper_out")
    services.camera.unplug()
    FakeUsbBus(config.data_dir / "usb-bus.json").unplug(NAMED_DEVICES["key"])
    services.key.start()  # the next poll sees the pulled key
    server.stop()
    slip.unlink()
    assert report_selftest(config, services, offline=False, slip=True) == 1
    faulty = outcomes(capsys)
    assert faulty["printer"] == ("FAIL", "printer status is paper_out")
    assert faulty["camera"][0] == "FAIL" and "disconnected" in faulty["camera"][1]
    assert faulty["key"][0] == "FAIL" and "USB" in faulty["key"][1]
    assert faulty["key_reader"][0] == "FAIL" and "not_detected" in faulty["key_reader"][1]
    assert faulty["branch_server"][0] == "FAIL" and "unreachable" in faulty["branch_server"][1]
    assert {n for n, (o, _) in faulty.items() if o == "FAIL"} == {
        "printer",
        "camera",
        "key",
        "key_reader",
        "branch_server",
    }
    assert not slip.exists()  # no paper: no slip

    runs = [
        row[0]
        for row in services.db.execute(
            "SELECT entry FROM audit_log WHERE action = 'selftest.run' ORDER BY seq"
        )
    ]
    assert len(runs) == 3 and '"camera"' in runs[-1]


def test_the_slip_names_failures_in_the_manuals_words(tmp_path: Path) -> None:
    from datetime import datetime

    from appliance.diagnostics.readiness import CheckResult

    config = make_config(tmp_path)
    lines = slip_lines(
        [
            CheckResult("printer", "FAIL", "printer status is paper_out"),
            CheckResult("camera", "ok", "frame"),
        ],
        config,
        datetime(2026, 11, 29),
        32,
    )
    text = "\n".join(getattr(line, "text", "") for line in lines)
    assert "打印机：故障" in text and "高拍仪：正常" in text and "请联系网建办" in text
