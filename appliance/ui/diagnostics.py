"""系统诊断, for branch IT (网建办): opened only after the logged-in operator confirms
with the key's PIN, because it shows the box's identity and queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout

from appliance import __version__
from appliance.diagnostics.readiness import CheckResult
from appliance.diagnostics.readiness_words import PRINTER_FAULTS, check_line, verdict
from appliance.diagnostics.selftest import print_readiness_slip
from appliance.hardware.camera.pi_stack import on_pi_class_box, pi_camera_stack
from appliance.hardware.printer.port import PrinterError, PrinterStatus
from appliance.store.audit import first_broken_link
from appliance.store.catalogue import catalogue_size
from appliance.store.schema.migrations import schema_version
from appliance.store.submissions import pending_count
from appliance.sync.audit_delivery import audit_delivery_line
from appliance.ui.pin_pad import PinPad
from appliance.ui.screen_actions import DiagnosticsActions
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import TOUCH_HEIGHT, BigButton, Text
from appliance.updates.status import read_status_file
from appliance.updates.words import chinese_lines as update_lines
from appliance.wording import text as words
from appliance.workflow.messages import UserFacingError

if TYPE_CHECKING:
    from appliance.wiring import Services

RESULTS_WIDTH = 700  # px: a check's line with its reason, on the 1280-wide panel


def diagnostics_lines(services: Services) -> list[str]:
    """What 网建办 asks for on the phone (devices are on the status bar above); runs in
    the background, it reads the database."""
    config, db = services.config, services.db
    broken = first_broken_link(db)
    operator = services.counter.session.operator
    return [
        words("diagnostics.version", version=__version__, config=config.source),
        words("diagnostics.hall", hall=config.appliance.hall_name, window=config.appliance.window),
        (
            words("diagnostics.operator", serial=operator.serial)
            if operator
            else words("diagnostics.no_operator")
        ),
        words("diagnostics.database", schema=schema_version(db), items=catalogue_size(db)),
        words("diagnostics.backlog", backlog=pending_count(db), url=config.branch_server.url),
        (
            words("diagnostics.audit_ok")
            if broken is None
            else words("diagnostics.audit_broken", entry=broken)
        ),
        audit_delivery_line(db),  # issue 9
        *update_lines(read_status_file(config.data_dir / "updates")),  # issue 16
        *pi_camera_lines(),  # issue 17
    ]


def pi_camera_lines(machine: str | None = None) -> list[str]:
    """On a Raspberry Pi box, whether a CSI camera could be used and, if not, what is
    missing (Python modules, or the kernel's camera drivers Debian's kernel lacks)."""
    if not on_pi_class_box(machine):
        return []
    stack = pi_camera_stack()
    if stack.usable:
        return [words("diagnostics.pi_camera_ok")]
    missing = " / ".join(stack.missing_modules + stack.missing_drivers)
    return [words("diagnostics.pi_camera_missing", missing=missing)]


def print_selftest_slip(services: Services, results: list[CheckResult]) -> PrinterStatus:
    """The readiness slip; a printer that stops half-way is told in the clerk's words."""
    try:
        return print_readiness_slip(services, results)
    except PrinterError as error:
        problem = PRINTER_FAULTS[error.status.value]
        raise UserFacingError(
            str(error), words("diagnostics.slip_interrupted", problem=problem)
        ) from None


class DiagnosticsScreen(KioskScreen[DiagnosticsActions]):
    """Locked: the PIN pad. Open: the box's details, and the self-test of
    ``appliance selftest`` run in the background, one Chinese line per check."""

    title = words("diagnostics.title")

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        self.info = Text("", font_size=24)
        row.add_widget(self.info)
        self.keypad = PinPad(
            lambda masked: self.say(masked, error=False),
            self.say,
            lambda pin: self.actions.open_diagnostics(pin, self.show),
        )
        self.side = BoxLayout(size_hint_x=None, width=self.keypad.width)
        self.results = Text("", font_size=22, valign="top")
        row.add_widget(self.side)
        self.body.add_widget(row)
        buttons = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        self.run_button = BigButton(words("diagnostics.run"), self.run_selftest)
        self.slip_button = BigButton(words("diagnostics.print_slip"), self.print_slip)
        for button in (self.run_button, self.slip_button):
            buttons.add_widget(button)
        buttons.add_widget(BigButton(words("common.back"), self.leave, color=GREY))
        self.body.add_widget(buttons)
        self.checks: list[CheckResult] = []

    def on_pre_enter(self, *args) -> None:
        super().on_pre_enter(*args)
        self.locked()

    def locked(self) -> None:
        self.keypad.clear()
        self._side(self.keypad, self.keypad.width)
        self.results.text = ""
        self.checks = []
        self._enable(run=False, slip=False)
        self.info.text = words("diagnostics.locked")

    def show(self, lines: list[str]) -> None:
        self._side(self.results, RESULTS_WIDTH)
        self.message.text = ""
        self.info.text = "\n".join(lines)
        self.results.text = words("diagnostics.run_hint", button=words("diagnostics.run"))
        self._enable(run=True, slip=False)

    def run_selftest(self) -> None:
        """The same checks as ``appliance selftest``, audited as selftest.run."""
        self._enable(run=False, slip=False)
        self.say(words("diagnostics.running"), error=False)
        self.actions.run_selftest(self.show_checks, self._failed)

    def show_checks(self, results: list[CheckResult]) -> None:
        self.checks = results
        self.results.text = "\n".join([*map(check_line, results), verdict(results)])
        self.say(words("diagnostics.done"), error=False)
        self._enable(run=True, slip=True)

    def print_slip(self) -> None:
        self._enable(run=False, slip=False)

        def done(status: PrinterStatus) -> None:
            self._enable(run=True, slip=True)
            if status is PrinterStatus.READY:
                self.say(words("diagnostics.slip_printed"), error=False)
            else:
                self.say(
                    words("diagnostics.slip_not_printed", problem=PRINTER_FAULTS[status.value])
                )

        self.actions.print_selftest_slip(self.checks, done, self._failed)

    def _failed(self, error: BaseException) -> None:
        self._enable(run=True, slip=bool(self.checks))
        self.actions.show_error(error)

    def _enable(self, *, run: bool, slip: bool) -> None:
        """Greyed until the PIN is confirmed and while a check or a slip is under way."""
        self.run_button.disabled = not run
        self.slip_button.disabled = not slip

    def _side(self, widget, width: int) -> None:
        self.side.clear_widgets()
        self.side.width = width
        self.side.add_widget(widget)

    def leave(self) -> None:
        self.keypad.clear()
        self.info.text = ""
        self.actions.go("home")
