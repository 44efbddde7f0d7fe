"""The counter's use cases, wired to the ports: one object per kiosk process.

Every method may block (PKCS#11, SQLite, printer); the UI calls them from worker
threads and shows the results. The state machines decide what is allowed next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from appliance import log
from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.catalogue_search import CatalogueIndex
from appliance.domain.id_card import CardReading, Validity
from appliance.domain.identity import DocumentType, InvalidDocument, validate_document
from appliance.domain.receipt import Line, ReceiptData, layout_receipt
from appliance.domain.submission import Applicant, LookupMethod, Submission
from appliance.domain.ticket import UNREADABLE_MESSAGE, UnreadableTicket, parse_ticket
from appliance.hardware.key.port import KeyPort
from appliance.hardware.printer.port import Printer, PrinterError
from appliance.hardware.printer.profiles import RenderMode, default_profile
from appliance.store.appointments import Appointment, find_appointment
from appliance.store.audit_trail import AuditTrail
from appliance.store.catalogue import catalogue_version, load_catalogue_index
from appliance.store.drafts import clear_draft, load_draft, purge_stale_draft, save_draft
from appliance.store.submissions import is_synced, store_submission
from appliance.wording import text
from appliance.workflow import draft_codec
from appliance.workflow.acceptance import AcceptanceFlow, FlowState
from appliance.workflow.audited import AuditedFlow, AuditedSession
from appliance.workflow.messages import UserFacingError, printer_message
from appliance.workflow.online_appointments import (
    OFFLINE_MESSAGE,
    LookupOffline,
    OnlineAppointments,
)
from appliance.workflow.receipt_printing import ReceiptPrinting
from appliance.workflow.session import OperatorSession, SessionState
from appliance.workflow.signing import OperatorSigner, signed_envelope
from appliance.workflow.submit_refusals import draft_refusals, submission_refusals

NAME_MAX_LENGTH = 30
# Flow states whose acceptance lives only in the draft: a purge ends them too.
PURGEABLE = frozenset({FlowState.ITEM_SHOWN, FlowState.TYPE_CHOSEN, FlowState.APPLICANT_ENTERED})


@dataclass(frozen=True)
class CounterSettings:
    hall_name: str
    window: str
    paper_columns: int
    draft_keep_hours: int | None = None  # None: a draft goes at the end of the day


class Counter:
    def __init__(
        self,
        settings: CounterSettings,
        catalogue: CatalogueIndex,
        db: sqlite_utils.Database,
        key: KeyPort,
        printer: Printer,
        now: Callable[[], datetime],
        receipts: ReceiptPrinting | None = None,
        signer: OperatorSigner | None = None,
        online: OnlineAppointments | None = None,
        audit: AuditTrail | None = None,
    ) -> None:
        self.settings = settings
        self.online = online  # asks the sync process when the cache misses; None: cache only
        self.signer = signer  # signs each submission; None only where no key signs (tests)
        self.catalogue = catalogue
        self.db = db
        self.key = key
        self.printer = printer
        self.now = now
        self.audit = audit  # every real box audits; None only in tests of other concerns
        self.draft_note: str | None = None  # a draft restored or purged, for the clerk
        self.session = AuditedSession(audit) if audit else OperatorSession()
        self.flow = AuditedFlow(audit, lambda: self.session.operator) if audit else AcceptanceFlow()
        self._catalogue_version = catalogue_version(db)
        self.receipts = receipts or ReceiptPrinting(
            db,
            printer,
            default_profile(58 if settings.paper_columns <= 32 else 80),
            RenderMode.TEXT,
            now,
        )

    def lock(self) -> None:
        """Lock the session; the acceptance in progress is kept for the next login."""
        self.session.lock()

    def scan(self, payload: str) -> ServiceItem:
        """Resolve a decoded ticket to its service item (and applicant, when booked)."""
        try:
            ticket = parse_ticket(payload)
        except UnreadableTicket as exc:
            raise UserFacingError(f"unreadable ticket: {exc.reason}", UNREADABLE_MESSAGE) from None
        if ticket.appointment_number and not ticket.item_code:
            return self.find_by_appointment(
                ticket.appointment_number, LookupMethod.QR, queue_number=ticket.queue_number
            )
        item = self._item(ticket.item_code)
        appointment = (
            find_appointment(self.db, ticket.appointment_number)
            if ticket.appointment_number
            else None
        )
        self.flow.item_found(
            item,
            LookupMethod.QR,
            queue_number=ticket.queue_number,
            appointment_number=ticket.appointment_number,
            known_applicant=appointment.applicant if appointment else None,
        )
        return item

    def find_by_appointment(
        self,
        number: str,
        method: LookupMethod = LookupMethod.APPOINTMENT,
        queue_number: str | None = None,
    ) -> ServiceItem:
        appointment = self._usable_appointment(number.strip().upper())
        item = self._item(appointment.item_code)
        self.flow.item_found(
            item,
            method,
            queue_number=queue_number,
            appointment_number=appointment.number,
            known_applicant=appointment.applicant,
        )
        return item

    def choose_item(self, item: ServiceItem) -> None:
        self.flow.item_found(item, LookupMethod.SEARCH)

    def _item(self, code: str | None) -> ServiceItem:
        if not code:
            raise UserFacingError(
                "ticket names no service item", text("acceptance.ticket_without_item")
            )
        item = self.catalogue.by_code(code)
        if item is None:
            raise UserFacingError(
                f"unknown service item {code}", text("acceptance.unknown_item", code=code)
            )
        return item

    def choose_type(self, item_type: ItemType) -> None:
        self.flow.choose_type(item_type)

    def card_read(self, card: CardReading) -> None:
        """A card was read on the ID card reader at the applicant step (the screen filled
        the fields from it); kept in the draft until submitted or abandoned."""
        self.flow.card_read(card)

    def enter_applicant(
        self,
        name: str,
        doc_type: DocumentType,
        number: str,
        phone: str = "",
        *,
        accept_invalid_card: bool = False,
    ) -> Applicant:
        """Validate the identity and move to confirmation; raises with a Chinese message.

        The number of a card read that is not valid today (expired, not yet valid) goes on
        only with the clerk's explicit choice, ``accept_invalid_card`` (仍然受理), which is
        kept for that card and recorded with the submission.
        """
        name = name.strip()
        if not name:
            raise UserFacingError("empty applicant name", text("acceptance.name_empty"))
        if len(name) > NAME_MAX_LENGTH:
            raise UserFacingError(
                "applicant name too long", text("acceptance.name_too_long", limit=NAME_MAX_LENGTH)
            )
        try:
            document = validate_document(doc_type, number, self.now().date())
        except InvalidDocument as exc:
            raise UserFacingError(f"invalid document: {exc.part}", exc.message) from None
        phone = phone.strip()
        if phone and not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
            raise UserFacingError("invalid phone number", text("acceptance.phone_invalid"))
        draft = self.flow.draft
        card = draft.card
        override = False
        if card is not None and card.matches(doc_type, document.number) and not card.valid:
            override = accept_invalid_card or draft.validity_override
            if not override:
                raise _card_not_valid(card)
        applicant = Applicant(
            name=name, id_type=doc_type.value, id_number=document.number, phone=phone or None
        )
        self.flow.enter_applicant(applicant, validity_override=override)
        return applicant

    def submit(self) -> Submission:
        draft = self.flow.draft
        operator = self.session.operator
        if operator is None or self.session.state is not SessionState.LOGGED_IN:
            raise UserFacingError("not logged in", text("acceptance.not_logged_in"))
        assert draft.item and draft.item_type and draft.applicant and draft.lookup_method
        identity = draft.identity_check()
        if identity.card_validity not in (None, Validity.VALID) and not identity.override:
            assert draft.card is not None  # enter_applicant asked already; the rule holds here
            raise _card_not_valid(draft.card)
        signer = self.signer
        envelope = (
            None if signer is None else lambda row: signed_envelope(row, signer, operator.serial)
        )
        with submission_refusals():
            submission = store_submission(
                self.db,
                created_at=self.now(),
                hall_name=self.settings.hall_name,
                window=self.settings.window,
                operator=operator,
                lookup_method=draft.lookup_method,
                item=draft.item,
                item_type=draft.item_type,
                applicant=draft.applicant,
                queue_number=draft.queue_number,
                appointment_number=draft.appointment_number,
                identity=identity,
                envelope=envelope,
            )
        self.flow.stored(submission)
        return submission

    def receipt_lines(self, columns: int | None = None) -> list[Line]:
        submission = self.flow.draft.submission
        assert submission is not None
        data = ReceiptData(
            hall_name=submission.hall_name,
            window=submission.window,
            receipt_number=submission.receipt_number,
            item_name=submission.item.name,
            item_code=submission.item.code,
            item_type_label=submission.item_type.label,
            applicant_name=submission.applicant.name,
            id_type_label=DocumentType(submission.applicant.id_type).label,
            id_number=submission.applicant.id_number,
            accepted_at=submission.created_at,
            operator_name=submission.operator.name,
            appointment_number=submission.appointment_number,
            promised_date=submission.promised_date,
            synced=is_synced(self.db, submission.id),
        )
        return layout_receipt(data, columns or self.settings.paper_columns)

    def print_receipt(self) -> int:
        """打印回执 / 重新打印: the journaled receipt, kept with its submission either way."""
        submission = self.flow.draft.submission
        assert submission is not None
        try:
            copies = self.receipts.print_receipt(
                submission.id, submission.receipt_number, self.receipt_lines
            )
        except PrinterError as exc:
            self.flow.print_failed(exc.status.value)
            raise UserFacingError(str(exc), printer_message(exc.status, exc.interrupted)) from None
        self.flow.printed(copies)
        return copies

    def new_acceptance(self) -> None:
        self.flow.reset()
        clear_draft(self.db)

    def _usable_appointment(self, number: str) -> Appointment:
        """The appointment (from the cache, else online) if this hall may serve it today,
        else why not (in Chinese)."""
        offline = False
        appointment = find_appointment(self.db, number)
        if appointment is None and self.online is not None:
            try:
                appointment = self.online.fetch(number)
            except LookupOffline:
                offline = True
        if offline:
            reason, chinese = "offline", OFFLINE_MESSAGE
        elif appointment is None:
            reason, chinese = "unknown", text("appointment.unknown")
        elif appointment.used:
            reason, chinese = "used", text("appointment.used")
        elif appointment.day < self.now().date():
            reason, chinese = "expired", text("appointment.expired", day=appointment.day)
        elif appointment.hall not in (None, self.settings.hall_name):
            reason, chinese = "other_hall", text("appointment.other_hall", hall=appointment.hall)
        else:
            return appointment
        log.event("appointment.refused", outcome="failure", reason=reason)
        raise UserFacingError(f"appointment refused: {reason}", chinese)

    def prefill_booked(self) -> FlowState:
        """A booked applicant: take the item's usual type and the booked identity, so the
        clerk only confirms. Stops at the applicant step when that identity does not
        validate (the clerk then sees why)."""
        draft = self.flow.draft
        known = draft.known_applicant
        if known is None or draft.item is None:
            return self.flow.state
        self.flow.choose_type(draft.item.default_type)
        self.enter_applicant(
            known.name, DocumentType(known.id_type), known.id_number, known.phone or ""
        )
        return self.flow.state

    def confirm_operator(self, pin: bytearray) -> None:
        """The logged-in operator proves presence again with the key's PIN (系统诊断)."""
        operator = self.session.operator
        if operator is None:
            raise UserFacingError("not logged in", text("acceptance.not_logged_in"))
        certificate = self.key.login(pin)
        if certificate.serial != operator.serial:
            raise UserFacingError("another operator's key", text("acceptance.other_operator"))

    def refresh_catalogue(self) -> None:
        """Pick up items the sync process stored since the index was loaded."""
        version = catalogue_version(self.db)
        if version != self._catalogue_version:
            self.catalogue = load_catalogue_index(self.db)
            self._catalogue_version = version

    def keep_form(self, form: dict[str, str]) -> None:
        """Remember the applicant fields as typed, before they are validated."""
        self.flow.draft.form = dict(form)

    def save_draft(self) -> None:
        """Keep the acceptance in progress on disk; a fresh flow keeps nothing."""
        with draft_refusals():
            if self.flow.state is FlowState.LOOKUP:
                clear_draft(self.db)
            else:
                save_draft(
                    self.db, draft_codec.encode(self.flow.state, self.flow.draft), self.now()
                )

    def restore_draft(self) -> FlowState:
        """After a restart: resume what was kept, if anything and still in its time (else
        it is purged); returns the flow's state. The clerk is told either way, once logged
        in (:meth:`take_draft_note`)."""
        self._purge_stale_draft()
        raw = load_draft(self.db)
        if raw is not None and self.flow.state is FlowState.LOOKUP:
            state, draft = draft_codec.decode(raw)
            self.flow.restore(state, draft)
            log.event("draft.restored", state=state.name)
            self.draft_note = text("draft.restored", rule=self._draft_rule())
        return self.flow.state

    def expire_draft(self) -> bool:
        """Purge the kept draft once its time is up (the kiosk asks every minute); an
        acceptance in progress and not yet submitted goes with it. True when one went."""
        if not self._purge_stale_draft():
            return False
        if self.flow.state in PURGEABLE:
            self.flow.reset()
        return True

    def take_draft_note(self) -> str | None:
        """What to tell the clerk about a restored or purged draft, once."""
        note, self.draft_note = self.draft_note, None
        return note

    def _purge_stale_draft(self) -> bool:
        saved = purge_stale_draft(self.db, self.now(), self.settings.draft_keep_hours)
        if saved is None:
            return False
        hours = (self.now() - saved).total_seconds() / 3600
        log.event("draft.purged", saved_hours_ago=round(hours, 1))
        self.draft_note = text("draft.purged", saved=saved.astimezone(self.now().tzinfo))
        return True

    def _draft_rule(self) -> str:
        hours = self.settings.draft_keep_hours
        return text("draft.rule_day") if hours is None else text("draft.rule_hours", hours=hours)


def _card_not_valid(card: CardReading) -> UserFacingError:
    return UserFacingError(
        f"card {card.validity.value}: needs the clerk's explicit choice",
        text(
            "acceptance.card_not_valid",
            validity=card.validity_sentence(),
            button=text("idcard.accept_anyway"),
        ),
    )
