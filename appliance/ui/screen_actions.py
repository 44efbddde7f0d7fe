"""What each screen may ask of the kiosk: one small Protocol per screen.

A screen forwards taps and reads the acceptance in progress only through its Protocol,
so it never imports the app: :class:`appliance.ui.app.KioskApp` implements every one of
them and composes the screens, and a test builds any screen with a fake. Work that reads
the database or prints runs on the counter's worker; ``show``, ``done`` and ``failed``
are called back on the Kivy main thread with its result.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Protocol

from appliance.diagnostics.readiness import CheckResult
from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.identity import DocumentType
from appliance.hardware.printer.port import PrinterStatus
from appliance.store.stats import DayStats
from appliance.workflow.acceptance import Draft, FlowState
from appliance.workflow.owed_receipts import OwedReceipt

Failed = Callable[[BaseException], None]


class Navigation(Protocol):
    def go(self, name: str) -> None:
        """Show the screen called ``name``."""


class DraftView(Protocol):
    def draft(self) -> Draft:
        """The acceptance in progress, as the counter holds it."""


class LoginActions(Protocol):
    def login(self, pin: bytearray) -> None: ...

    def choose_key(self, index: int) -> None:
        """Log in with the ``index``-th key the chooser shows (several valid keys)."""


class HomeActions(Navigation, Protocol):
    def lock(self) -> None: ...

    def count_owed(self, show: Callable[[int], None]) -> None:
        """How many receipts are owed (journaled but not printed)."""


class ScanActions(Navigation, Protocol):
    def arm_scan(self) -> None: ...

    def start_preview(self) -> None: ...

    def stop_preview(self) -> None: ...


class AppointmentActions(Navigation, Protocol):
    def find_appointment(self, number: str) -> None: ...


class SearchActions(Navigation, Protocol):
    def refresh_catalogue(self) -> None: ...

    def search_catalogue(self, query: str, limit: int) -> list[ServiceItem]:
        """Answered at once from the in-memory index: results follow every keystroke."""

    def choose_item(self, item: ServiceItem) -> None: ...


class ItemActions(Navigation, DraftView, Protocol):
    def back(self) -> None: ...


class ItemTypeActions(Navigation, Protocol):
    def choose_type(self, item_type: ItemType) -> None: ...


class ApplicantActions(DraftView, Protocol):
    def flow_state(self) -> FlowState: ...

    def back(self) -> None: ...

    def keep_form(self, form: dict[str, str]) -> None:
        """Keep the fields as typed so far in the draft (a pulled key loses nothing)."""

    def enter_applicant(
        self,
        name: str,
        doc_type: DocumentType,
        number: str,
        phone: str,
        accept_invalid_card: bool = False,
    ) -> None:
        """下一步 (and 仍然受理, with ``accept_invalid_card``: the clerk's explicit choice
        for a card read that is not valid today)."""

    def arm_reader(self) -> None:
        """The screen is shown: read a card laid on the ID card reader (if there is one)."""

    def disarm_reader(self) -> None:
        """The screen is left: stop reading cards."""


class ConfirmActions(DraftView, Protocol):
    def back(self) -> None: ...

    def change_type(self, item_type: ItemType) -> None: ...

    def submit(self) -> None: ...


class SuccessActions(DraftView, Protocol):
    def print_receipt(self) -> None: ...

    def next_applicant(self) -> None: ...

    def load_receipt(self, submission_id: str, show: Callable[[bool, io.BytesIO], None]) -> None:
        """Whether the submission is synced, and the receipt drawn as a PNG."""


class StatsActions(Navigation, Protocol):
    def load_stats(self, show: Callable[[DayStats], None]) -> None: ...


class DiagnosticsActions(Navigation, Protocol):
    def open_diagnostics(self, pin: bytearray, show: Callable[[list[str]], None]) -> None:
        """The box's details, once the logged-in operator's PIN is confirmed."""

    def run_selftest(self, done: Callable[[list[CheckResult]], None], failed: Failed) -> None: ...

    def print_selftest_slip(
        self, results: list[CheckResult], done: Callable[[PrinterStatus], None], failed: Failed
    ) -> None: ...

    def show_error(self, error: BaseException) -> None: ...


class OwedActions(Navigation, Protocol):
    def load_owed(self, show: Callable[[list[OwedReceipt]], None]) -> None: ...

    def reprint_owed(
        self, receipt: OwedReceipt, done: Callable[[int], None], failed: Failed
    ) -> None: ...

    def show_error(self, error: BaseException) -> None: ...
