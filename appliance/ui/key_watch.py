"""The kiosk's side of the key: scans become screen changes, PINs go to the key worker.

Scans arrive from the key worker's thread and are applied on the Kivy main thread, so
the operator session is only ever changed there. A pulled key or an idle counter locks
the session but keeps the acceptance in progress as a draft: logging back in continues
where the clerk was.
"""

from __future__ import annotations

import time
from typing import Protocol

from kivy.clock import Clock
from kivy.core.window import Window

from appliance.domain.submission import Operator
from appliance.hardware.key.detection import KeyScan, KeyState
from appliance.hardware.key.pkcs11_key import failure_reason
from appliance.hardware.key.port import PinLocked
from appliance.hardware.key.service import KeyService
from appliance.log import event
from appliance.ui.screens.login import LoginScreen
from appliance.wording import text as words
from appliance.workflow.acceptance import FlowState
from appliance.workflow.counter import Counter
from appliance.workflow.idle import IDLE_CHECK_S, idle_lock_due
from appliance.workflow.key_messages import choice_label, diagnosis_message, login_message
from appliance.workflow.session import SessionState

IDLE_MESSAGE = words("login.idle_locked")


class KeyKiosk(Protocol):
    """What the watch tells the kiosk: the key for the status bar, and where to go."""

    key_holder: str
    key_state: KeyState | None

    def go(self, name: str) -> None: ...

    def tell(self, message: str) -> None:
        """A note (not an error) on the screen on show."""
        ...

    def update_status(self) -> None: ...


class KeyWatch:
    def __init__(
        self,
        key: KeyService,
        counter: Counter,
        idle_lock_minutes: float,
        login: LoginScreen,
        app: KeyKiosk,
        screen_for_flow: dict[FlowState, str],
    ) -> None:
        self.app = app
        self.key = key
        self.counter = counter
        self.session = counter.session
        self.login_screen = login
        self.screen_for_flow = screen_for_flow
        self.idle_s = idle_lock_minutes * 60
        self.last_touch = time.monotonic()
        self.held_identity: tuple | None = None
        self.choices: list[tuple] = []  # the identities the login screen's chooser shows
        self.timings: dict[str, float] = {}
        self.key.on_scan(lambda scan: Clock.schedule_once(lambda _dt: self.apply(scan)))
        Window.bind(on_touch_down=self._touched, on_key_down=self._touched)
        Clock.schedule_interval(lambda _dt: self._check_idle(), IDLE_CHECK_S)

    def start(self) -> None:
        if self.key.latest is not None:
            self.apply(self.key.latest)

    def apply(self, scan: KeyScan) -> None:
        """Show what the key is, and lock at once when the logged-in key has gone."""
        diagnosis = scan.diagnosis
        operator = diagnosis.operator
        ready = diagnosis.state.can_log_in
        identity = diagnosis.token.identity if diagnosis.token and ready else None
        holder = ""
        if operator is not None:
            holder = words("login.holder", name=operator.name, serial=operator.serial)
        text, problem = diagnosis_message(diagnosis)
        self.app.key_holder = holder if ready else ""
        self.app.key_state = diagnosis.state
        self.login_screen.show_key(text, holder, problem=problem, ready=ready)
        self.choices = [c.token.identity for c in diagnosis.choices if c.token]
        self.login_screen.show_choices(
            [choice_label(c) for c in diagnosis.choices],
            self.choices.index(identity) if identity in self.choices else None,
        )
        state = self.session.state
        if (
            state is not SessionState.LOCKED
            and identity != self.held_identity
            and (state is SessionState.LOGGED_IN or not ready)
        ):
            self._lock_for_removal()
        if ready and self.session.state is SessionState.LOCKED:
            self.session.key_present()
            self.held_identity = identity
        self.app.update_status()

    def _lock_for_removal(self) -> None:
        self.timings["removal_seen"] = time.monotonic()
        self.session.key_removed()
        self.held_identity = None
        self.login_screen.keypad.clear()
        self.app.go("login")
        self.timings["locked_shown"] = time.monotonic()

    def choose(self, index: int) -> None:
        """The clerk picked a key among several; the worker's next scan shows it."""
        if 0 <= index < len(self.choices):
            identity = self.choices[index]
            self.key.submit(lambda: self.key.choose(identity))

    def login(self, pin: bytearray) -> None:
        """One C_Login on the key worker; the answer comes back on the main thread."""
        future = self.key.submit(lambda: self.key.login(pin))
        future.add_done_callback(lambda f: Clock.schedule_once(lambda _dt: self._answered(f)))

    def _answered(self, future) -> None:
        self.timings["pin_accepted"] = time.monotonic()
        error = future.exception()
        if self.session.state is not SessionState.PIN_ENTRY:
            return  # the key was pulled while the PIN was checked
        if error is not None:
            self.session.pin_rejected(failure_reason(error))
            self.login_screen.say(login_message(error))
            if isinstance(error, PinLocked):
                self.login_screen.show_key(
                    login_message(error), self.login_screen.holder.text, problem=True, ready=False
                )
                self.app.key_state = KeyState.PIN_LOCKED
                self.app.update_status()
            return
        certificate = future.result()
        self.session.pin_accepted(Operator(name=certificate.name, serial=certificate.serial))
        self.last_touch = time.monotonic()
        self.app.go(self.screen_for_flow.get(self.counter.flow.state, "home"))
        self.timings["home_shown"] = time.monotonic()
        if note := self.counter.take_draft_note():  # a draft restored or purged (issue 18)
            self.app.tell(note)

    def lock(self, message: str = "") -> None:
        """Lock the session (the draft stays) and close the key's logged-in session."""
        if self.session.state is SessionState.LOGGED_IN:
            self.counter.lock()
            self.session.key_present()
        self.key.submit(self.key.logout)
        self.app.go("login")
        if message:
            self.login_screen.say(message, error=False)

    def _touched(self, *_args) -> None:
        self.last_touch = time.monotonic()

    def _check_idle(self) -> None:
        now = time.monotonic()
        if idle_lock_due(self.session.state, self.last_touch, now, self.idle_s):
            event("key.idle_lock", idle_minutes=round((now - self.last_touch) / 60, 1))
            self.lock(IDLE_MESSAGE)
