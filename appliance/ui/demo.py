"""The scripted demo: one complete acceptance driven through the real screens.

It taps the same buttons a clerk would (from a helper thread, each tap run on the Kivy
main thread), saves a screenshot of every screen with the position of each label, and
copies the printed receipt into the output folder.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.uix.button import Button
from kivy.uix.label import Label

from appliance import log
from appliance.hardware.replay_camera import bundled_tickets
from appliance.sim.softhsm import DEMO_PIN
from appliance.ui.app import KioskApp
from appliance.wiring import receipt_dir
from appliance.workflow.acceptance import FlowState

STEP_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class DemoApplicant:
    name: str = "黄志明"
    id_number: str = "44200019900315123X"
    phone: str = "13800138000"


class DemoFailed(Exception):
    pass


class DemoDriver:
    def __init__(self, app: KioskApp, output: Path, applicant: DemoApplicant = DemoApplicant()):
        self.app = app
        self.output = output
        self.applicant = applicant
        self.succeeded = False
        self.screenshots: list[str] = []

    def start(self, _app: KioskApp) -> None:
        threading.Thread(target=self._run, name="demo", daemon=True).start()

    def _on_main(self, work: Callable[[], Any]) -> Any:
        done = threading.Event()
        box: dict[str, Any] = {}

        def call(_dt: float) -> None:
            try:
                box["value"] = work()
            except BaseException as exc:
                box["error"] = exc
            done.set()

        Clock.schedule_once(call)
        if not done.wait(STEP_TIMEOUT_S):
            raise DemoFailed("the Kivy main thread did not answer")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _wait(self, what: str, predicate: Callable[[], bool]) -> None:
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not self._on_main(predicate):
            if time.monotonic() > deadline:
                screen = self.app.screens[self.app.manager.current]
                raise DemoFailed(f"timed out waiting for {what} (on screen "
                                 f"{self.app.manager.current}: {screen.message.text!r})")
            time.sleep(0.1)

    def _on_screen(self, name: str) -> None:
        self._wait(f"screen {name}", lambda: self.app.manager.current == name)
        time.sleep(0.3)

    def _tap(self, text: str) -> None:
        def press() -> None:
            screen = self.app.screens[self.app.manager.current]
            buttons = [w for w in screen.walk() if isinstance(w, Button) and w.text == text]
            if not buttons:
                raise DemoFailed(f"no button {text!r} on screen {self.app.manager.current}")
            buttons[0].trigger_action(duration=0)

        self._on_main(press)

    def _shoot(self, name: str) -> None:
        time.sleep(0.3)
        path = self.output / f"{name}.png"
        self._on_main(lambda: self.app.root.export_to_png(str(path)))
        labels = self._on_main(self._visible_labels)
        path.with_suffix(".json").write_text(
            json.dumps({"screen": self.app.manager.current, "labels": labels},
                       ensure_ascii=False, indent=1), encoding="utf-8")
        self.screenshots.append(path.name)

    def _visible_labels(self) -> list[dict[str, Any]]:
        """Each drawn label's text and the window rectangle its text texture occupies."""
        root = self.app.root
        found = []
        for widget in [*self.app.status_bar.walk(), *self.app.manager.current_screen.walk()]:
            if not isinstance(widget, Label) or not widget.text or widget.opacity == 0:
                continue
            tw, th = widget.texture_size
            cx, cy = widget.to_window(widget.center_x, widget.center_y)
            found.append({"text": widget.text, "font_size": widget.font_size,
                          "rect": [cx - tw / 2, cy - th / 2, tw, th],
                          "wraps": tuple(widget.text_size) != (None, None),
                          "disabled": widget.disabled,
                          "window_size": list(root.size)})
        return found

    def _run(self) -> None:
        try:
            self._script()
            self.succeeded = True
        except Exception as exc:
            log.event("demo.complete", outcome="failure", error=type(exc).__name__,
                      detail=str(exc))
            traceback.print_exc()
        finally:
            self._on_main(self.app.stop)

    def _script(self) -> None:
        log.event("demo.init", output=self.output)
        self.output.mkdir(parents=True, exist_ok=True)
        login = self.app.screens["login"]
        self._on_screen("login")
        self._wait("the demo key", lambda: bool(self.app.key_holder))
        self._shoot("01-login")
        for digit in DEMO_PIN[:3]:
            self._tap(digit)
        self._shoot("02-login-pin-entry")
        for digit in DEMO_PIN[3:]:
            self._tap(digit)
        self._tap("确定")
        self._on_screen("home")
        self._shoot("03-home")
        assert login.pin == bytearray()

        self._tap("按预约编号")
        self._on_screen("appointment")
        for digit in "20261129000123":
            self._tap(digit)
        self._shoot("04-appointment")
        self._tap("返回")
        self._tap("按服务事项查询")
        self._on_screen("search")
        self._on_main(lambda: setattr(self.app.screens["search"].query, "text", "社会保障"))
        self._shoot("05-search")
        self._tap("返回")

        self._tap("二维码扫描")
        self._on_screen("scan")
        self.app.services.camera.show(bundled_tickets()[0])
        self._wait("a preview frame", lambda: self.app.screens["scan"].preview.texture is not None)
        self._shoot("06-scan-preview")
        self._tap("获取条码")
        self._on_screen("item")
        self._shoot("07-item")
        self._tap("办理")
        self._on_screen("item_type")
        self._shoot("08-item-type")
        self._tap("中山分厅待办")
        self._on_screen("applicant")
        self._fill_applicant()
        self._shoot("09-applicant")
        self._tap("下一步")
        self._on_screen("confirm")
        self._shoot("10-confirm")
        self._tap("提交")
        self._on_screen("success")
        self._shoot("11-success")
        self._tap("打印回执")
        self._wait("the printed receipt",
                   lambda: self.app.counter.flow.state is FlowState.RECEIPT_PRINTED)
        self._shoot("12-printed")
        self._copy_receipt()
        self._tap("下一位")
        self._on_screen("home")
        self._tap("今日统计")
        self._on_screen("stats")
        self._shoot("13-stats")
        log.event("demo.complete", outcome="success", screenshots=len(self.screenshots))

    def _fill_applicant(self) -> None:
        def fill() -> None:
            screen = self.app.screens["applicant"]
            screen.name_input.text = self.applicant.name
            screen.number_input.text = self.applicant.id_number
            screen.phone_input.text = self.applicant.phone

        self._on_main(fill)

    def _copy_receipt(self) -> None:
        source = receipt_dir(self.app.services.config)
        for name in ("receipt.png", "receipt.bin"):
            shutil.copyfile(source / name, self.output / name)
