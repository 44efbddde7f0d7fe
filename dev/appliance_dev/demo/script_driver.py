"""What every scripted walk through the real screens needs (the demo, the key walk).

The script runs on a helper thread; every look at or tap on a widget runs on the Kivy
main thread and the script waits for its answer, so a walk reads like a clerk's taps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.uix.button import Button

if TYPE_CHECKING:
    from appliance.ui.app import KioskApp

STEP_TIMEOUT_S = 20.0


class ScriptFailed(Exception):
    """A step of the walk did not happen in time, or its button was not on screen."""


class ScriptDriver:
    poll_s = 0.1

    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self.succeeded = False
        self.screenshots: list[str] = []
        self.taps = 0

    def on_main(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` on the Kivy main thread and return (or raise) what it did."""
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
            raise ScriptFailed("the Kivy main thread did not answer")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def wait(self, what: str, predicate: Callable[[], bool]) -> None:
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not self.on_main(predicate):
            if time.monotonic() > deadline:
                screen = self.app.screens[self.app.manager.current]
                raise ScriptFailed(
                    f"timed out waiting for {what} (on screen "
                    f"{self.app.manager.current}: {screen.message.text!r})"
                )
            time.sleep(self.poll_s)

    def on_screen(self, name: str) -> None:
        self.wait(f"screen {name}", lambda: self.app.manager.current == name)
        time.sleep(0.05)

    def tap(self, *texts: str) -> None:
        """Tap the buttons labelled ``texts`` in turn, within one frame of the main loop."""

        def press() -> None:
            for text in texts:
                screen = self.app.screens[self.app.manager.current]
                buttons = [w for w in screen.walk() if isinstance(w, Button) and w.text == text]
                if not buttons:
                    raise ScriptFailed(f"no button {text!r} on screen {self.app.manager.current}")
                buttons[0].trigger_action(duration=0)
                self.taps += 1

        self.on_main(press)
