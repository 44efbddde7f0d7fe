"""The scripted key walk itself; imported only after Kivy is configured (it imports the app).

See ``appliance_dev.demo.key_driver`` for how it is run.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from pathlib import Path

from kivy.core.window import Window
from kivy.uix.button import Button
from kivy.uix.label import Label

from appliance import log
from appliance.hardware.key.detection import KeyState
from appliance.hardware.key.service import token_for
from appliance.hardware.key.vendors import JIT
from appliance.hardware.usb.port import UsbDevice
from appliance.ui.key_watch import IDLE_MESSAGE
from appliance.wording import text
from appliance.workflow.session import SessionState
from appliance_dev.demo.script_driver import ScriptDriver
from appliance_dev.sim.counting_pin_token import CountingPinToken
from appliance_dev.sim.fake_usb import FakeUsbBus
from appliance_dev.sim.key_lab import LAB_PIN, Lab

WRONG_PIN = "999999"
LOCKING_KEY = "valid-ec"


class KeyDriver(ScriptDriver):
    """Plugs test keys into the fake USB bus and taps the real screens, as a clerk would."""

    poll_s = 0.02

    def __init__(self, app, output: Path, lab: Lab, bus: FakeUsbBus, bench_runs: int) -> None:
        super().__init__(app)
        self.output = output
        self.lab = lab
        self.bus = bus
        self.bench_runs = bench_runs
        self.results: dict[str, list[float]] = {"login_to_home_ms": [], "removal_to_locked_ms": []}
        self.counting: dict[str, CountingPinToken] = {}
        app.services.key.open_token = self._open_token

    def start(self, _app) -> None:
        threading.Thread(target=self._run, name="key-walk", daemon=True).start()

    def _run(self) -> None:
        try:
            self._script()
            self.succeeded = True
        except Exception:
            traceback.print_exc()
        finally:
            self.on_main(self.app.stop)

    def _shoot(self, name: str) -> None:
        """A screenshot and the text of every label on it, for the tests to read."""
        time.sleep(0.3)
        path = self.output / f"{name}.png"
        self.on_main(lambda: self.app.root.export_to_png(str(path)))
        texts = self.on_main(
            lambda: [
                w.text
                for w in [*self.app.status_bar.walk(), *self.app.manager.current_screen.walk()]
                if isinstance(w, Label) and w.text
            ]
        )
        path.with_suffix(".json").write_text(
            json.dumps(
                {"screen": self.on_main(lambda: self.app.manager.current), "labels": texts},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        self.screenshots.append(path.name)

    def _open_token(self, seen):
        """The locking key counts wrong PINs the way a real USB key does."""
        token = token_for(seen)
        if seen.vendor.name != f"lab-{LOCKING_KEY}":
            return token
        counting = self.counting.setdefault(LOCKING_KEY, CountingPinToken(token))
        counting._token = token
        return counting

    def _plug_only(self, *devices: UsbDevice) -> None:
        for device in self.bus.devices():
            self.bus.unplug(device)
        for device in devices:
            self.bus.plug(device)

    def _lab_device(self, name: str) -> UsbDevice:
        vendor_id, product_id = self.lab.keys[name].usb_id
        return UsbDevice(vendor_id, product_id, f"test key {name}")

    def _key_is(self, state: KeyState) -> None:
        """Wait until the login screen shows the key's diagnosis as ``state``: the kiosk sets
        the state and the screen's sentence in one step on the main thread, and the walk
        waits on the state so the catalogue may word the sentence as it likes."""
        self.wait(f"the key {state.name}", lambda: self.app.key_state is state)

    def _tap_choice(self, holder: str) -> None:
        """Tap the login screen's chooser button of the key held by ``holder``."""

        def press() -> None:
            chooser = self.app.screens["login"].chooser
            button = next(w for w in chooser.children if isinstance(w, Button) and holder in w.text)
            button.trigger_action(duration=0)

        self.on_main(press)

    def _type_pin(self, pin: str) -> None:
        for digit in pin:
            self.tap_keys(digit)

    def _flip_after(self, screen: str) -> dict[str, float]:
        """Record the time of the first frame drawn while ``screen`` is current."""
        stamp: dict[str, float] = {}

        def flipped(*_args) -> None:
            if self.app.manager.current == screen and "t" not in stamp:
                stamp["t"] = time.monotonic()
                Window.unbind(on_flip=flipped)

        self.on_main(lambda: Window.bind(on_flip=flipped))
        return stamp

    def _script(self) -> None:
        self.output.mkdir(parents=True, exist_ok=True)
        self.on_screen("login")
        if self.bench_runs:
            self._bench()
            return
        cases = [
            ("k01-not-detected", (), KeyState.NOT_DETECTED),
            ("k02-no-driver", (UsbDevice(*JIT.usb_ids[0]),), KeyState.NO_DRIVER),
            ("k03-expired", (self._lab_device("expired"),), KeyState.EXPIRED),
            ("k04-not-yet-valid", (self._lab_device("not-yet-valid"),), KeyState.NOT_YET_VALID),
            ("k05-untrusted", (self._lab_device("untrusted"),), KeyState.UNTRUSTED),
            ("k06-expiring", (self._lab_device("expiring"),), KeyState.EXPIRING),
        ]
        for name, devices, state in cases:
            self._plug_only(*devices)
            self._key_is(state)
            self._shoot(name)
        self._plug_only(self._lab_device(LOCKING_KEY))
        self._key_is(KeyState.READY)
        # What the login screen says after each wrong PIN (appliance.workflow.messages).
        refusals = (
            # COUNT_LOW after one wrong PIN is no warning yet: only "PIN码错误".
            ("k07-wrong-pin", text("login.wrong_pin")),
            ("k08-final-try", text("login.wrong_pin_warning", warning=text("key.pin_final_try"))),
            ("k09-locked", text("login.pin_locked")),
        )
        for name, words in refusals:
            self._type_pin(WRONG_PIN)
            self.tap("pin.confirm")
            message = self.app.screens["login"].message
            # mypy cannot type a lambda whose default binds the loop value (python/mypy#15459)
            self.wait(f"the message {words!r}", lambda w=words, m=message: w == m.text)  # type: ignore[misc]
            self._shoot(name)
        self._plug_only(self._lab_device("valid-rsa"))
        self._key_is(KeyState.READY)
        self._type_pin(LAB_PIN[:4])
        self._shoot("k10-pin-entry")
        self._type_pin(LAB_PIN[4:])
        self.tap("pin.confirm")
        self.on_screen("home")
        self._shoot("k11-home")
        login = self.app.screens["login"]
        self.wait("the idle lock", lambda: IDLE_MESSAGE in login.message.text)
        self._shoot("k12-idle-locked")
        self._type_pin(LAB_PIN)
        self.tap("pin.confirm")
        self.on_screen("home")
        self._plug_only()
        self.on_screen("login")
        self._shoot("k13-key-pulled")
        # Two valid keys: the clerk picks one on the login screen, and logs in with it.
        self._plug_only(self._lab_device("valid-rsa"), self._lab_device("valid-pss"))
        self._key_is(KeyState.CHOOSE)
        self._shoot("k14-choose")
        chosen = self.lab.keys["valid-pss"].operator  # valid-ec was walked to locked
        self._tap_choice(chosen)
        self._key_is(KeyState.READY)
        self._type_pin(LAB_PIN)
        self.tap("pin.confirm")
        self.on_screen("home")
        self._shoot("k15-chosen-home")
        operator = self.app.counter.session.operator
        assert operator is not None and operator.name == chosen, operator
        log.event("demo.complete", outcome="success", screenshots=len(self.screenshots))

    def _bench(self) -> None:
        watch = self.app.keys
        for _ in range(self.bench_runs):
            self._plug_only(self._lab_device("valid-rsa"))
            self.wait("PIN entry", lambda: self.app.counter.session.state is SessionState.PIN_ENTRY)
            self._type_pin(LAB_PIN)
            home = self._flip_after("home")
            self.tap("pin.confirm")
            self.wait("the home screen drawn", lambda h=home: "t" in h)  # type: ignore[misc]
            self.results["login_to_home_ms"].append(
                (home["t"] - watch.timings["pin_accepted"]) * 1000
            )
            locked = self._flip_after("login")
            pulled = time.monotonic()
            self._plug_only()
            self.wait("the login screen drawn", lambda lk=locked: "t" in lk)  # type: ignore[misc]
            self.results["removal_to_locked_ms"].append((locked["t"] - pulled) * 1000)
