"""The reader's worker: one thread owns the serial port, watches the reader, and reads each
card laid on it once.

Armed (the applicant step is on screen, :meth:`IdCardService.arm`), it sends find card
every ``poll_interval_s``; when a card is found it reads it (select, read, decode) and
calls the listeners with :class:`CardRead`. A placement is read once: after a read, found
answers are ignored until an answer says no card. Modules on sale answer no card to a
card already read while it still lies there, so lifting it is what makes the next read;
a module that keeps answering found is read once all the same. A read that fails is
tried again while the card stays, up to ``attempts`` times, then reported once
(:class:`CardReadFailed`); a card lifted after a failed read is reported at once.

Disarmed, it only checks the module (11 FF) every ``status_interval_s``, for the status
bar: no card is read, so no personal data is touched without a reason. An absent,
silent or faulty reader is looked for again at that pace, so a reader plugged in later
is found without a restart (:class:`ReaderChanged` each time its state changes).

Listeners run on the worker thread: a Kivy screen schedules its work with
``Clock.schedule_once``. Nothing of a read stays in the service after the listeners
return; the kiosk's copy of the record is :meth:`IdCardRecord.minimised` (no address,
民族 or issuer: the submission has no place for them).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from typing import Any

from appliance import log
from appliance.domain.id_card import CardCheck, IdCardRecord, UnreadableCard, check_card
from appliance.hardware.id_reader.port import (
    IdReader,
    NoAnswer,
    ReaderAbsent,
    ReaderAmbiguous,
    ReaderError,
    ReaderReport,
    ReaderState,
    SamError,
)
from appliance.hardware.id_reader.reads import (
    AUDIT_ACTION,
    AuditSink,
    ReadFailure,
    audit_entry,
    classify,
    detail,
    is_read_failure,
    read_card,
)
from appliance.hardware.id_reader.serial_link import ReaderUnavailable
from appliance.hardware.id_reader.status import SamStatus

STATUS_INTERVAL_S = 3.0
ATTEMPTS = 3


@dataclass(frozen=True)
class ReaderChanged:
    """The reader's state changed (the status bar: 就绪 / 未连接 / 故障)."""

    report: ReaderReport


@dataclass(frozen=True)
class CardRead:
    """A card laid on the reader was read: fill name, document type and number.

    ``check`` holds the card's validity against today (Asia/Shanghai) and the number's
    GB 11643 validation; ``record`` is minimised (no address, 民族, issuer).
    """

    record: IdCardRecord
    check: CardCheck
    reader: str | None  # the SAM id


@dataclass(frozen=True)
class CardReadFailed:
    """A card was found but could not be read; ``failure`` picks the sentence
    (:func:`~.words.failure_sentence`), ``detail`` is English for logs."""

    failure: ReadFailure
    detail: str


ReaderEvent = ReaderChanged | CardRead | CardReadFailed
Listener = Callable[[ReaderEvent], None]
Opener = Callable[[], IdReader]


def report_for(error: Exception, device: str | None) -> ReaderReport:
    """The reader's state after ``error`` (from opening it or from a command)."""
    message = detail(error)
    if isinstance(error, ReaderAmbiguous):
        return ReaderReport(ReaderState.AMBIGUOUS, device, detail=message)
    if isinstance(error, ReaderUnavailable):  # busy or not permitted
        return ReaderReport(ReaderState.UNAVAILABLE, device, detail=message)
    if isinstance(error, ReaderAbsent):
        return ReaderReport(ReaderState.NOT_FOUND, device, detail=message)
    if isinstance(error, SamError):
        state = ReaderState.FAULT
        if error.status is SamStatus.SELF_CHECK_FAILED:
            state = ReaderState.SELF_CHECK_FAILED
        elif error.status is SamStatus.UNAUTHORISED:
            state = ReaderState.UNAUTHORISED
        return ReaderReport(state, device, status=error.status_text, detail=message)
    return ReaderReport(ReaderState.NO_ANSWER, device, detail=message)


def check_reader(reader: IdReader) -> ReaderReport:
    """SAM status, then SAM id: READY, or raises ReaderError."""
    reader.sam_status()
    return ReaderReport(ReaderState.READY, reader.device, sam_id=reader.sam_id(), status="00 00 90")


class IdCardService:
    def __init__(
        self,
        open_reader: Opener,
        *,
        poll_interval_s: float,
        today: Callable[[], date],
        audit: AuditSink | None = None,
        operator: Callable[[], str | None] = lambda: None,
        status_interval_s: float = STATUS_INTERVAL_S,
        attempts: int = ATTEMPTS,
        device_hint: str | None = None,
    ) -> None:
        self._open_reader = open_reader
        self.poll_interval_s = poll_interval_s
        self.status_interval_s = status_interval_s
        self._today = today
        self._audit = audit
        self._operator = operator
        self._attempts = attempts
        self._device_hint = device_hint
        self._listeners: list[Listener] = []
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._armed = False
        self._reader: IdReader | None = None
        self._next_check = 0.0
        # The placement being read: held after a read until a no-card answer.
        self._held = False
        self._failures = 0
        self._last_failure: tuple[ReadFailure, str] | None = None
        self.report = ReaderReport(ReaderState.DETECTING, device_hint)

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker; its first check runs at once (the state is DETECTING until)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="id-reader", daemon=True)
            self._thread.start()

    def close(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(None)
            self._wake.set()
            thread.join(timeout=5)
        self._drop_reader()

    def on_event(self, listener: Listener) -> None:
        """Call ``listener(event)`` from the worker thread for every event."""
        self._listeners.append(listener)

    def arm(self) -> None:
        """Read cards laid on the reader from now on (the applicant step is shown)."""
        self._armed = True
        self._wake.set()

    def disarm(self) -> None:
        """Stop reading cards (the applicant step is left); the reader is still watched."""
        self._armed = False
        self._wake.set()

    @property
    def armed(self) -> bool:
        return self._armed

    def describe(self, timeout_s: float = 15.0) -> ReaderReport:
        """A fresh check of the reader (self-test), on the worker when it runs."""
        return self._call(self._describe, timeout_s)

    # -- the worker ------------------------------------------------------------------

    def _call(self, work: Callable[[], Any], timeout_s: float) -> Any:
        if self._thread is None or threading.current_thread() is self._thread:
            return work()
        future: Future[Any] = Future()
        self._jobs.put((work, future))
        self._wake.set()
        return future.result(timeout=timeout_s)

    def _loop(self) -> None:
        next_poll = 0.0
        while True:
            self._wake.clear()
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    return
                work, future = job
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(work())
                    except BaseException as error:  # delivered to the caller
                        future.set_exception(error)
            now = time.monotonic()
            if self._armed and now >= next_poll:
                self._poll()
                next_poll = time.monotonic() + self.poll_interval_s
            elif not self._armed and now >= self._next_check:
                self._watch()
            due = next_poll if self._armed else self._next_check
            self._wake.wait(
                max(0.0, min(due, time.monotonic() + self.status_interval_s) - time.monotonic())
            )

    def _describe(self) -> ReaderReport:
        if self._reader is None:
            self._connect()
        else:
            self._watch()
        return self.report

    def _watch(self) -> None:
        """Disarmed: check the module (or look for it again) every status interval."""
        self._next_check = time.monotonic() + self.status_interval_s
        if self._reader is None:
            self._connect()
            return
        try:
            self._reader.sam_status()
        except ReaderError as error:
            self._lost(error)
            return
        self._set_report(
            ReaderReport(
                ReaderState.READY, self._reader.device, sam_id=self.report.sam_id, status="00 00 90"
            )
        )

    def _connect(self) -> bool:
        self._next_check = time.monotonic() + self.status_interval_s
        try:
            reader = self._open_reader()
        except ReaderError as error:
            self._set_report(report_for(error, self._device_hint))
            return False
        try:
            report = check_reader(reader)
        except ReaderError as error:
            reader.close()
            self._set_report(report_for(error, reader.device))
            return False
        self._reader = reader
        self._set_report(report)
        return True

    def _lost(self, error: Exception) -> None:
        device = self._reader.device if self._reader else self._device_hint
        self._drop_reader()
        self._set_report(report_for(error, device))
        if self._failures:
            self._report_failure()

    def _drop_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def _poll(self) -> None:
        """Armed: one find card, and a read when a new card is found."""
        if self._reader is None and (time.monotonic() < self._next_check or not self._connect()):
            return
        reader = self._reader
        assert reader is not None
        try:
            found = reader.find_card()
        except ReaderError as error:
            self._lost(error)
            return
        if self.report.state is not ReaderState.READY:
            self._set_report(
                ReaderReport(
                    ReaderState.READY, reader.device, sam_id=self.report.sam_id, status="00 00 90"
                )
            )
        if not found:
            self._held = False
            if self._failures:
                self._report_failure()  # lifted after a failed read
            return
        if self._held:
            return
        self._read(reader)

    def _read(self, reader: IdReader) -> None:
        started = time.monotonic()
        try:
            record = read_card(reader)
        except (ReaderError, UnreadableCard) as error:
            if not is_read_failure(error):
                self._lost(error)
                return
            self._failures += 1
            self._last_failure = (classify(error), detail(error))
            if self._failures >= self._attempts:
                self._report_failure()
                self._held = True  # reported: wait for the card to be lifted
            elif isinstance(error, NoAnswer):
                self._lost(error)  # a silent module: look for it again before retrying
            return
        self._held = True
        self._failures = 0
        self._last_failure = None
        check = check_card(record, self._today())
        ms = round((time.monotonic() - started) * 1000)
        log.event(
            "idcard.read",
            outcome="success",
            card_type=record.card_type.value,
            number_check="ok" if check.problem is None else check.problem.part,
            validity=check.validity.value,
            ms=ms,
        )
        self._record(audit_entry(self.report.sam_id, record, None))
        self._emit(CardRead(record.minimised(), check, self.report.sam_id))

    def _report_failure(self) -> None:
        assert self._last_failure is not None
        failure, why = self._last_failure
        attempts = self._failures
        self._failures = 0
        self._last_failure = None
        log.event(
            "idcard.read",
            logging.WARNING,
            outcome="failure",
            reason=failure.value,
            attempts=attempts,
            detail=why,
        )
        self._record(audit_entry(self.report.sam_id, None, failure))
        self._emit(CardReadFailed(failure, why))

    def _record(self, entry: dict[str, Any]) -> None:
        if self._audit is not None:
            self._audit.record(AUDIT_ACTION, **entry, operator=self._operator(), via="kiosk")

    def _set_report(self, report: ReaderReport) -> None:
        previous, self.report = self.report, report
        if (previous.state, previous.device, previous.status) != (
            report.state,
            report.device,
            report.status,
        ):
            log.event(
                "idcard.reader",
                logging.INFO if report.state.connected else logging.WARNING,
                state=report.state.value,
                device=report.device or "-",
                sam=report.sam_id or "-",
                status=report.status or "-",
            )
            self._emit(ReaderChanged(report))

    def _emit(self, event: ReaderEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception as error:  # a listener's bug must not stop the reader
                log.event(
                    "idcard.listener_failed",
                    logging.ERROR,
                    event=type(event).__name__,
                    error=type(error).__name__,
                )
