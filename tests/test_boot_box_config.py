"""The box's own configuration: real backends only, and nothing simulated loaded on the box.

The kiosk is started for real in a child process (a virtual display, the box's file with
only its data directory moved) with nothing plugged in: no camera, no printer, no key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.config import load_config, parse_config
from appliance.errors import ConfigError
from appliance.hardware.key.detection import KeyDetector, KeyState
from appliance.hardware.key.setup import vendors_from
from appliance.hardware.key.vendors import KeyVendor
from appliance.hardware.usb.pyusb_bus import PyUsbBus

BOX_CONFIG = Path(__file__).parent.parent / "images" / "box" / "appliance.toml"


def box_text(data_dir: Path) -> str:
    return BOX_CONFIG.read_text(encoding="utf-8").replace(
        'data_dir = "/var/lib/appliance"', f'data_dir = "{data_dir}"'
    )


def test_box_configuration_validates_with_real_backends_only() -> None:
    config = load_config(BOX_CONFIG)
    assert config.appliance.data_dir == Path("/var/lib/appliance")
    assert not config.appliance.demo_data
    assert (config.ui.fullscreen, config.ui.show_cursor) == (True, False)
    assert config.ui.font_index == 2
    assert config.camera.backend == "v4l2" and config.camera.device is None
    assert config.usb.backend == "pyusb"
    assert config.key.backend == "pkcs11"
    assert config.key.module is None and not config.key.demo_token
    assert config.key.trusted_ca == []
    assert config.printer.backend == "usb" and config.printer.usb_vendor_id is None
    assert config.branch_server.url == "https://unprovisioned.invalid"


def test_demo_token_still_needs_its_module() -> None:
    text = box_text(Path("/tmp/box")).replace(
        'backend = "pkcs11"', 'backend = "pkcs11"\ndemo_token = true'
    )
    with pytest.raises(ConfigError, match="demo_token needs module"):
        parse_config(text, Path("box.toml"))


class NoLibusb:
    """pyusb with no usable backend, as on a box whose libusb cannot be loaded."""

    def enumerate_devices(self):
        import usb.core

        raise usb.core.NoBackendError("No backend available")


@pytest.mark.parametrize("bus", ["empty", "no_backend"])
def test_no_key_and_no_vendor_module_is_not_detected_not_a_crash(bus: str, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from appliance_dev.sim.fake_pyusb import FakePyUsbBackend

    from appliance.hardware.key.detection import DetectionPolicy

    config = parse_config(box_text(tmp_path), Path("box.toml"))
    absent = tmp_path / "no-such-module.so"
    vendors = [KeyVendor(v.name, v.label, v.usb_ids, (absent,)) for v in vendors_from(config)]
    backend = FakePyUsbBackend((0x8087, 0x0024)) if bus == "empty" else NoLibusb()
    detector = KeyDetector(
        vendors, PyUsbBus(backend), DetectionPolicy((), 30), lambda: datetime.now(UTC), lambda: 0.0
    )
    scan = detector.scan()
    assert scan.diagnosis.state is KeyState.NOT_DETECTED  # 未检测到电子钥匙
    assert [load.error for load in scan.modules] == ["missing"]  # the generic vendor's


KIOSK_CHILD = r"""
import json, sys, time
from pathlib import Path

from appliance.commands.kiosk import STARTED_AT, prepare_kiosk
from appliance.config import load_config
from appliance_dev.virtual_display import start_virtual_display

config = load_config(Path(sys.argv[1]))
display = start_virtual_display(config.ui.width, config.ui.height)
try:
    app_class, services = prepare_kiosk(config)
    app = app_class(services, STARTED_AT)
    seen = {}

    def settled(_dt):
        from appliance.hardware.printer.port import PrinterStatus
        if app.key_state is None or app.printer_status is PrinterStatus.UNKNOWN:
            if time.monotonic() - STARTED_AT < 60:
                return
        seen.update({name: label.text for name, label in app.status_bar.fields.items()})
        seen["login"] = app.screens["login"].key_state.text
        app.stop()

    def watch():
        from kivy.clock import Clock
        Clock.schedule_interval(settled, 0.2)

    app.after_first_frame = watch
    app.run()
finally:
    display.terminate()
seen["sim_modules"] = sorted(m for m in sys.modules if m.startswith("appliance_dev.sim"))
print(json.dumps(seen, ensure_ascii=False))
"""


def test_box_kiosk_starts_with_nothing_plugged_and_never_loads_a_simulator(tmp_path: Path) -> None:
    config = load_config(BOX_CONFIG)
    if not config.ui.font_path.exists():
        pytest.skip(f"the box font {config.ui.font_path} is not installed here")
    path = tmp_path / "appliance.toml"
    path.write_text(box_text(tmp_path / "data"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [sys.executable, "-c", KIOSK_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["sim_modules"] == []
    assert seen["printer"] == "打印机：未连接"
    assert seen["key"] == "电子钥匙：未插入"
    assert seen["login"].startswith("未检测到电子钥匙")
