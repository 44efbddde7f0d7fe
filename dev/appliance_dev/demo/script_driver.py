"""What every scripted walk through the real screens needs (the demo, the key walk).

The script runs on a helper thread; every look at or tap on a widget runs on the Kivy
main thread and the script waits for its answer, so a walk reads like a clerk's taps.

A walk names the buttons it taps by their id in the wording catalogue
(:mod:`appliance.wording`), never by their Chinese: the screens label a button
``text(id)`` and the driver taps the button whose label is ``text(id)`` now, so a
sentence changed in the catalogue changes both sides. Key caps that are data rather
than wording (digits, letters, the candidate bar's characters) are tapped as they are.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.uix.button import Button

from appliance.wording import text

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

    def tap(self, *ids: str, **fields: object) -> None:
        """Tap the buttons worded ``ids`` in the catalogue in turn, within one frame of the
        main loop; ``fields`` fill in their placeholders (``tap("home.owed", count=1)``)."""
        self._press([(key, text(key, **fields)) for key in ids])

    def tap_keys(self, *caps: str) -> None:
        """Tap the keys whose caps are ``caps`` (data, not wording: digits, letters, the
        candidate bar's characters, the name separator) in turn, within one frame."""
        self._press([(cap, cap) for cap in caps])

    def _press(self, buttons: list[tuple[str, str]]) -> None:
        """Each (what the walk calls it, its label): tap the first button so labelled on
        the screen on show."""

        def press() -> None:
            for name, label in buttons:
                screen = self.app.screens[self.app.manager.current]
                found = [w for w in screen.walk() if isinstance(w, Button) and w.text == label]
                if not found:
                    raise ScriptFailed(
                        f"no button {name!r} ({label!r}) on screen {self.app.manager.current}"
                    )
                found[0].trigger_action(duration=0)
                self.taps += 1

        self.on_main(press)
