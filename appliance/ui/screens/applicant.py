"""办事人信息录入: the applicant's name, document and number, typed or read from the ID card."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.spinner import Spinner, SpinnerOption

from appliance.domain.id_card import CardReading
from appliance.domain.identity import DocumentType
from appliance.ui.keyboard import (
    BACKSPACE,
    KEY_HEIGHT,
    LETTER_ROWS,
    CandidateBar,
    CodeField,
    NameField,
    key_row,
)
from appliance.ui.name_composer import SEPARATOR
from appliance.ui.screen_actions import (
    ApplicantActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    CLEAR,
    DANGER,
    BigButton,
    Text,
)
from appliance.wording import text as words
from appliance.workflow.acceptance import FlowState


class TallOption(SpinnerOption):
    """A 证件类型 choice as tall as a key."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.height = KEY_HEIGHT
        self.font_size = 26


class ApplicantScreen(KioskScreen[ApplicantActions]):
    """姓名 typed as pinyin on the on-screen keys (or a keyboard), 证件号码 checked on 下一步.

    Whatever is typed is kept in the draft as it is typed, so a pulled key or a restart
    loses nothing. While the screen is shown the ID card reader is armed: a card laid on
    it fills 姓名, 证件类型 and 证件号码 (:meth:`show_card`; they stay editable), and a
    card not valid today goes on only through 仍然受理, the clerk's explicit choice.
    """

    title = words("applicant.title")

    def build(self) -> None:
        self.body.spacing = 8
        self.name_input = NameField(on_compose=self._composed)
        self.doc_type = Spinner(
            text=DocumentType.RESIDENT_ID.label,
            values=[t.label for t in DocumentType],
            font_size=26,
            option_cls=TallOption,
        )
        self.number_input = CodeField(20)
        self.phone_input = CodeField(11, digits_only=True)
        self._field_row(
            (words("applicant.name"), self.name_input), (words("receipt.id_type"), self.doc_type)
        )
        self._field_row(
            (words("receipt.id_number"), self.number_input),
            (words("applicant.phone"), self.phone_input),
        )
        self.active: NameField | CodeField = self.name_input
        self._card_noted = False  # the message line says what a card read found
        for field in (self.name_input, self.number_input, self.phone_input):
            field.bind(focus=self._focused, text=lambda *_a: self._edited())
        self.doc_type.bind(text=lambda *_a: self._edited())
        self._keep_trigger = Clock.create_trigger(lambda _dt: self._send_form(), 0.4)

        area = BoxLayout(spacing=12)
        keys = BoxLayout(orientation="vertical", spacing=6)
        self.top_row = BoxLayout(size_hint_y=None, height=KEY_HEIGHT)
        self.candidates = CandidateBar(self.name_input)
        self.digits = key_row("1234567890", self.on_key)
        keys.add_widget(self.top_row)
        keys.add_widget(key_row(LETTER_ROWS[0], self.on_key))
        keys.add_widget(key_row([*LETTER_ROWS[1], SEPARATOR], self.on_key))
        keys.add_widget(key_row([*LETTER_ROWS[2], BACKSPACE, CLEAR], self.on_key))
        area.add_widget(keys)
        self.side = BoxLayout(orientation="vertical", spacing=12, size_hint_x=None, width=200)
        self.side.add_widget(
            BigButton(words("common.back"), self.actions.back, color=GREY, size_hint_y=1)
        )
        # Shown only while the number is a card's that is not valid today.
        self.accept_button = BigButton(
            words("idcard.accept_anyway"), self.accept_anyway, color=DANGER, size_hint_y=1
        )
        self.side.add_widget(BigButton(words("applicant.next"), self.next, size_hint_y=1))
        area.add_widget(self.side)
        self.body.add_widget(area)
        self._show_keys()

    def _field_row(self, *pairs: tuple[str, object]) -> None:
        row = BoxLayout(size_hint_y=None, height=KEY_HEIGHT, spacing=12)
        for label, widget in pairs:
            row.add_widget(Text(label, size_hint_x=None, width=120 if len(label) < 5 else 240))
            row.add_widget(widget)
        self.body.add_widget(row)

    def _focused(self, field, focused: bool) -> None:
        if focused:
            self.active = field
            self._show_keys()

    def _show_keys(self) -> None:
        """Candidate bar over the letters for the name, digits for the numbers."""
        wanted = self.candidates if self.active is self.name_input else self.digits
        if wanted.parent is not self.top_row:
            self.top_row.clear_widgets()
            self.top_row.add_widget(wanted)
        self.candidates.show()

    def _composed(self) -> None:
        self.candidates.show()

    def on_key(self, key: str) -> None:
        field = self.active
        if key == BACKSPACE:
            field.do_backspace()
        elif key == CLEAR:
            field.clear()
        else:
            field.insert_text(key)

    def on_enter(self, *_args) -> None:
        target = self.number_input if self.name_input.text else self.name_input
        target.focus = True
        self.actions.arm_reader()

    def on_leave(self, *_args) -> None:
        self.actions.disarm_reader()

    def form(self) -> dict[str, str]:
        return {
            "name": self.name_input.text,
            "doc_type": self.doc_type.text,
            "number": self.number_input.text,
            "phone": self.phone_input.text,
        }

    def _chosen_type(self) -> DocumentType:
        return next(t for t in DocumentType if t.label == self.doc_type.text)

    def _edited(self) -> None:
        self._keep_trigger()
        if self._card_noted and not self._shows_card(self.actions.draft().card):
            self._card_noted = False  # edited away from the card: typed, no choice to make
            self._offer_accept(False)
            self.say("")

    def _send_form(self) -> None:
        if self.actions.flow_state() is FlowState.TYPE_CHOSEN:
            self.actions.keep_form(self.form())

    def refresh(self) -> None:
        """Fill empty fields from what was typed before, else from the appointment; say
        again what the card read found when the fields still hold its number."""
        self._refill()
        draft = self.actions.draft()
        card = draft.card
        if card is not None and card.number_ok and self._shows_card(card):
            self._card_note(card, draft.validity_override)
        else:  # a number refused is said again on 下一步, with its reason
            self._offer_accept(False)

    def _refill(self) -> None:
        if any(self.form()[k] for k in ("name", "number", "phone")):
            return
        draft = self.actions.draft()
        if draft.form:
            self._fill(
                draft.form["name"],
                draft.form["doc_type"],
                draft.form["number"],
                draft.form["phone"],
            )
            return
        known = draft.applicant or draft.known_applicant
        if known:
            self._fill(
                known.name, DocumentType(known.id_type).label, known.id_number, known.phone or ""
            )

    def _fill(self, name: str, doc_label: str, number: str, phone: str) -> None:
        self.name_input.text = name
        self.doc_type.text = doc_label
        self.number_input.text = number
        self.phone_input.text = phone

    def show_card(self, name: str, card: CardReading, problem: str | None) -> None:
        """A card read on the reader: fill 姓名, 证件类型 and 证件号码 from it (the phone
        stays), then say what its check found: the number refused (``problem``, the
        reason), a card not valid today (仍然受理 offered), or a good card."""
        self.name_input.composer.clear()
        self._fill(name, card.document_type.label, card.number, self.phone_input.text)
        self.candidates.show()
        if problem is not None:
            self._offer_accept(False)
            self.say(words("applicant.card_bad_number", reason=problem))
            self._card_noted = True
        else:
            self._card_note(card, override=False)

    def _shows_card(self, card: CardReading | None) -> bool:
        """The fields hold ``card``'s document type and number."""
        return card is not None and card.matches(self._chosen_type(), self.number_input.text)

    def _card_note(self, card: CardReading, override: bool) -> None:
        self._card_noted = True
        validity = card.validity_sentence()
        if validity is None:
            self._offer_accept(False)
            self.say(words("applicant.card_read", document=card.document_type.label), False)
        elif override:
            self._offer_accept(False)
            self.say(words("applicant.card_accepted", validity=validity), False)
        else:
            self._offer_accept(True)
            self.say(
                words(
                    "acceptance.card_not_valid",
                    validity=validity,
                    button=words("idcard.accept_anyway"),
                )
            )

    def _offer_accept(self, shown: bool) -> None:
        if shown and self.accept_button.parent is None:
            self.side.add_widget(self.accept_button, index=1)  # above 下一步
        elif not shown and self.accept_button.parent is not None:
            self.side.remove_widget(self.accept_button)

    def clear(self) -> None:
        for field in (self.name_input, self.number_input, self.phone_input):
            field.clear()
        self.doc_type.text = DocumentType.RESIDENT_ID.label
        self._offer_accept(False)
        self._card_noted = False
        self.message.text = ""

    def next(self) -> None:
        self._enter(accept_invalid_card=False)

    def accept_anyway(self) -> None:
        """仍然受理: the clerk has seen the card is not valid today and accepts it."""
        self._enter(accept_invalid_card=True)

    def _enter(self, accept_invalid_card: bool) -> None:
        if self.name_input.composer.pinyin:
            self.say(words("applicant.pinyin_pending"))
            return
        self.actions.enter_applicant(
            self.name_input.text,
            self._chosen_type(),
            self.number_input.text,
            self.phone_input.text,
            accept_invalid_card=accept_invalid_card,
        )
