"""The scripted demo: one complete acceptance driven through the real screens.

It taps the same buttons a clerk would (from a helper thread, each tap run on the Kivy
main thread), saves a screenshot of every screen with the position of each label, and
copies the printed receipt into the output folder.

The screenshots show what the clerk saw, ID numbers included, so the output folder is
made ``0700`` (issue 18); the JSON written beside them (each screen's labels and
buttons, ``findings.json``) carries ID numbers masked, never in full.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.uix.button import Button
from kivy.uix.label import Label

from appliance import log
from appliance.domain.masking import mask_id_numbers_in
from appliance.ui.app import KioskApp
from appliance.wiring import receipt_dir
from appliance_dev.demo.script_driver import STEP_TIMEOUT_S, ScriptDriver, ScriptFailed

PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """Make (or narrow) a folder the service user alone may open."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR)
    return path


def masked(value: Any) -> Any:
    """``value`` (JSON-like) with every ID number in its texts masked."""
    if isinstance(value, str):
        return mask_id_numbers_in(value)
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    return value


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(masked(value), ensure_ascii=False, indent=1), encoding="utf-8")


@dataclass(frozen=True)
class DemoApplicant:
    name: str = "黄志明"
    id_number: str = "44200019900315123X"
    phone: str = "13800138000"


class DemoDriver(ScriptDriver):
    def __init__(
        self, app: KioskApp, output: Path, applicant: DemoApplicant = DemoApplicant()
    ) -> None:
        super().__init__(app)
        self.output = output
        self.applicant = applicant
        self.findings: dict[str, Any] = {}

    def start(self, name: str, script: Callable[[DemoDriver], None]) -> None:
        """Run ``script`` (one of ``demo_scripts.SCRIPTS``, logged as ``name``) on a
        helper thread; the scripts are handed in because they are written against this
        driver."""
        threading.Thread(target=self._run, args=(name, script), name="demo", daemon=True).start()

    def in_background(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` on the counter's worker, after whatever the kiosk queued there."""
        done = threading.Event()
        box: dict[str, Any] = {}

        def keep(key: str) -> Callable[[Any], None]:
            def store(value: Any) -> None:
                box[key] = value
                done.set()

            return store

        self.on_main(lambda: self.app.background.run(work, keep("value"), keep("error")))
        if not done.wait(STEP_TIMEOUT_S):
            raise ScriptFailed("the counter's worker did not answer")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def shoot(self, name: str) -> None:
        time.sleep(0.3)
        path = self.output / f"{name}.png"
        self.on_main(lambda: self.app.root.export_to_png(str(path)))
        labels = self.on_main(self._visible_labels)
        buttons = self.on_main(self._visible_buttons)
        write_json(
            path.with_suffix(".json"),
            {"screen": self.app.manager.current, "labels": labels, "buttons": buttons},
        )
        self.screenshots.append(path.name)

    def _visible_buttons(self) -> list[dict[str, Any]]:
        """Each tappable button on the screen and its size in pixels (touch targets)."""
        return [
            {"text": w.text, "size": [round(w.width), round(w.height)]}
            for w in self.app.manager.current_screen.walk()
            if isinstance(w, Button)
            and not w.disabled
            and w.opacity > 0
            and w.get_root_window() is not None
        ]

    def _visible_labels(self) -> list[dict[str, Any]]:
        """Each drawn label's text and the window rectangle its text texture occupies."""
        root = self.app.root
        found = []
        for widget in [*self.app.status_bar.walk(), *self.app.manager.current_screen.walk()]:
            if not isinstance(widget, Label) or not widget.text or widget.opacity == 0:
                continue
            tw, th = widget.texture_size
            cx, cy = widget.to_window(widget.center_x, widget.center_y)
            found.append(
                {
                    "text": widget.text,
                    "font_size": widget.font_size,
                    "rect": [cx - tw / 2, cy - th / 2, tw, th],
                    "wraps": tuple(widget.text_size) != (None, None),
                    "disabled": widget.disabled,
                    "window_size": list(root.size),
                }
            )
        return found

    def _run(self, name: str, script: Callable[[DemoDriver], None]) -> None:
        try:
            log.event("demo.init", output=self.output, script=name)
            private_dir(self.output)
            script(self)
            write_json(self.output / "findings.json", self.findings)
            log.event("demo.complete", outcome="success", screenshots=len(self.screenshots))
            self.succeeded = True
        except Exception as exc:
            log.event("demo.complete", outcome="failure", error=type(exc).__name__, detail=str(exc))
            traceback.print_exc()
        finally:
            self.on_main(self.app.stop)

    def current_message(self) -> str:
        """The message line of the screen on show; call on the Kivy main thread."""
        return self.app.screens[self.app.manager.current].message.text

    def message(self) -> str:
        """The message line of the screen on show (what the clerk reads)."""
        return self.on_main(self.current_message)

    def copy_receipt(self, prefix: str = "") -> None:
        source = receipt_dir(self.app.services.config)
        for name in ("receipt.png", "receipt.bin"):
            shutil.copyfile(source / name, self.output / f"{prefix}{name}")
