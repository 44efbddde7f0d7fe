"""One screen per step of the flow, in the manual's words. Screens only show state and
forward taps through their actions (:mod:`appliance.ui.screen_actions`); the app
implements them and runs the counter's work in the background."""

from __future__ import annotations

from functools import partial
from typing import Generic, TypeVar

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.spinner import Spinner, SpinnerOption
from kivy.uix.textinput import TextInput

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.id_card import CardReading
from appliance.domain.identity import DocumentType
from appliance.domain.masking import mask_id_number
from appliance.domain.submission import IdSource, LookupMethod
from appliance.store.stats import DayStats
from appliance.ui.bar_chart import BarChart, duration_text
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
from appliance.ui.owed_button import OwedReceiptsButton
from appliance.ui.pin_pad import PinPad
from appliance.ui.preview import preview_image
from appliance.ui.screen_actions import (
    ApplicantActions,
    AppointmentActions,
    ConfirmActions,
    HomeActions,
    ItemActions,
    ItemTypeActions,
    LoginActions,
    ScanActions,
    SearchActions,
    StatsActions,
    SuccessActions,
)
from appliance.ui.widgets import (
    ACCENT,
    BODY_FONT,
    CLEAR,
    DANGER,
    INK,
    TITLE_FONT,
    TOUCH_HEIGHT,
    BigButton,
    Keypad,
    Text,
)
from appliance.wording import text as words
from appliance.workflow.acceptance import FlowState

GREY = (0.35, 0.38, 0.42, 1)
RESULT_ROWS = 6
LOOKUP_LABELS = {
    LookupMethod.QR: words("lookup.qr"),
    LookupMethod.APPOINTMENT: words("lookup.appointment"),
    LookupMethod.SEARCH: words("lookup.search"),
}
Actions = TypeVar("Actions")


class KioskScreen(Screen, Generic[Actions]):
    """Title, body, and a message line for what went wrong (in Chinese); ``actions`` is
    all the screen may ask of the kiosk."""

    title = ""

    def __init__(self, actions: Actions, name: str) -> None:
        super().__init__(name=name)
        self.actions = actions
        frame = BoxLayout(orientation="vertical", padding=(32, 16), spacing=12)
        frame.add_widget(
            Label(
                text=self.title,
                font_size=TITLE_FONT,
                color=INK,
                size_hint_y=None,
                height=64,
                bold=True,
            )
        )
        self.body = BoxLayout(orientation="vertical", spacing=16)
        frame.add_widget(self.body)
        self.message = Text("", color=DANGER, size_hint_y=None, height=56)
        frame.add_widget(self.message)
        self.add_widget(frame)
        self.build()

    def build(self) -> None:
        """Add the screen's widgets to ``self.body``."""

    def refresh(self) -> None:
        """Update what the screen shows from the counter's state."""

    def on_pre_enter(self, *_args) -> None:
        self.message.text = ""
        self.refresh()

    def say(self, text: str, error: bool = True) -> None:
        self.message.color = DANGER if error else ACCENT
        self.message.text = text


class LoginScreen(KioskScreen[LoginActions]):
    title = words("login.title")

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        info = BoxLayout(orientation="vertical", spacing=12)
        self.key_state = Text(words("login.detecting"))
        self.holder = Text("")
        self.pin_display = Text("", font_size=48, halign="center")
        info.add_widget(self.key_state)
        info.add_widget(self.holder)
        info.add_widget(Text(words("login.pin_prompt"), color=GREY))
        info.add_widget(self.pin_display)
        row.add_widget(info)
        self.keypad = PinPad(
            lambda masked: setattr(self.pin_display, "text", masked), self.say, self.actions.login
        )
        row.add_widget(self.keypad)
        self.body.add_widget(row)

    def show_key(self, text: str, holder: str, *, problem: bool, ready: bool) -> None:
        """The key's diagnosis (red when it is a problem); the PIN pad works only when ready."""
        self.key_state.text = text
        self.key_state.color = DANGER if problem else INK
        self.holder.text = holder
        self.keypad.disabled = not ready
        if not ready:
            self.keypad.clear()


class HomeScreen(KioskScreen[HomeActions]):
    title = words("home.title")

    def build(self) -> None:
        for label, target in (
            (words("lookup.qr"), "scan"),
            (words("lookup.appointment"), "appointment"),
            (words("lookup.search"), "search"),
        ):
            self.body.add_widget(
                BigButton(label, partial(self.actions.go, target), font_size=40, height=130)
            )
        self.body.add_widget(BoxLayout())
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        # issue 6: receipts owed after a fault
        self.owed = OwedReceiptsButton(lambda: self.actions.go("owed"), self.actions.count_owed)
        row.add_widget(self.owed)
        row.add_widget(
            BigButton(words("stats.title"), lambda: self.actions.go("stats"), color=GREY)
        )
        row.add_widget(
            BigButton(
                words("diagnostics.title"), lambda: self.actions.go("diagnostics"), color=GREY
            )
        )
        row.add_widget(BigButton(words("home.lock"), self.actions.lock, color=GREY))
        self.body.add_widget(row)

    def refresh(self) -> None:
        self.owed.refresh()


class ScanScreen(KioskScreen[ScanActions]):
    title = words("lookup.qr")

    def build(self) -> None:
        row = BoxLayout(spacing=24)
        self.preview = Image(fit_mode="contain")
        self._texture: Texture | None = None
        row.add_widget(self.preview)
        side = BoxLayout(orientation="vertical", spacing=16, size_hint_x=None, width=340)
        self.read_button = BigButton(words("scan.read"), self.actions.arm_scan)
        side.add_widget(self.read_button)
        side.add_widget(
            BigButton(words("scan.start_preview"), self.actions.start_preview, color=GREY)
        )
        side.add_widget(
            BigButton(words("scan.stop_preview"), self.actions.stop_preview, color=GREY)
        )
        self.result = Text(words("scan.instruction", button=words("scan.read")), font_size=24)
        side.add_widget(self.result)
        side.add_widget(
            BigButton(words("common.back"), lambda: self.actions.go("home"), color=GREY)
        )
        row.add_widget(side)
        self.body.add_widget(row)

    def on_pre_enter(self, *args) -> None:
        super().on_pre_enter(*args)
        self.actions.start_preview()

    def on_leave(self, *_args) -> None:
        self.actions.stop_preview()

    def show_frame(self, gray) -> None:
        """Blit the grey frame into one reused texture (a texture per frame leaks on the Pi)."""
        gray = preview_image(gray)
        height, width = gray.shape
        if self._texture is None or self._texture.size != (width, height):
            self._texture = Texture.create(size=(width, height), colorfmt="luminance")
            self._texture.flip_vertical()
        self._texture.blit_buffer(gray.tobytes(), colorfmt="luminance", bufferfmt="ubyte")
        self.preview.texture = self._texture
        self.preview.canvas.ask_update()


class AppointmentScreen(KioskScreen[AppointmentActions]):
    title = words("lookup.appointment")

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        info = BoxLayout(orientation="vertical", spacing=12)
        info.add_widget(Text(words("appointment.prompt"), color=GREY))
        self.number = Text("YY", font_size=44)
        info.add_widget(self.number)
        info.add_widget(BoxLayout())
        info.add_widget(
            BigButton(words("common.back"), lambda: self.actions.go("home"), color=GREY)
        )
        row.add_widget(info)
        search = (
            words("appointment.find"),
            lambda: self.actions.find_appointment(self.number.text),
        )
        row.add_widget(Keypad(self.on_key, extra=("YY", "YY"), confirm=search))
        self.body.add_widget(row)

    def on_key(self, key: str) -> None:
        if key == CLEAR:
            self.number.text = "YY"
        elif key == "YY":
            self.number.text = "YY" + self.number.text.removeprefix("YY")
        elif len(self.number.text) < 16:
            self.number.text += key


class SearchScreen(KioskScreen[SearchActions]):
    """Results follow every keystroke: Chinese, full pinyin, initials ("gjj") or code."""

    title = words("lookup.search")

    def build(self) -> None:
        self.body.spacing = 8
        row = BoxLayout(spacing=16)
        left = BoxLayout(orientation="vertical", spacing=6, size_hint_x=None, width=800)
        self.query = TextInput(
            hint_text=words("search.hint"),
            font_size=BODY_FONT,
            multiline=False,
            write_tab=False,
            unfocus_on_touch=False,
            size_hint_y=None,
            height=KEY_HEIGHT,
        )
        self.query.bind(text=lambda _w, _t: self.refresh())
        left.add_widget(self.query)
        left.add_widget(key_row("1234567890", self.on_key))
        left.add_widget(key_row(LETTER_ROWS[0], self.on_key))
        left.add_widget(key_row([*LETTER_ROWS[1], "-"], self.on_key))
        left.add_widget(key_row([*LETTER_ROWS[2], BACKSPACE, CLEAR], self.on_key))
        left.add_widget(BoxLayout())
        left.add_widget(
            BigButton(
                words("common.back"), lambda: self.actions.go("home"), color=GREY, height=KEY_HEIGHT
            )
        )
        row.add_widget(left)
        self.results = BoxLayout(orientation="vertical", spacing=8)
        row.add_widget(self.results)
        self.body.add_widget(row)

    def on_enter(self, *_args) -> None:
        self.actions.refresh_catalogue()
        self.query.focus = True

    def on_key(self, key: str) -> None:
        if key == BACKSPACE:
            self.query.do_backspace()
        elif key == CLEAR:
            self.query.text = ""
        else:
            self.query.insert_text(key.lower())

    def refresh(self) -> None:
        self.results.clear_widgets()
        if not self.query.text.strip():
            self.results.add_widget(Text(words("search.type_to_find"), color=GREY))
            self.results.add_widget(BoxLayout())
            return
        items = self.actions.search_catalogue(self.query.text, RESULT_ROWS)
        for item in items:
            self.results.add_widget(
                BigButton(
                    f"{item.name}\n[size=18]{item.department}  {item.code}[/size]",
                    partial(self.actions.choose_item, item),
                    color=(0.2, 0.25, 0.32, 1),
                    font_size=24,
                    height=KEY_HEIGHT,
                    markup=True,
                    halign="center",
                )
            )
        if not items:
            self.results.add_widget(Text(words("search.nothing_found")))
        self.results.add_widget(BoxLayout())


class ItemScreen(KioskScreen[ItemActions]):
    title = words("item.title")

    def build(self) -> None:
        self.details = Text("", font_size=32)
        self.body.add_widget(self.details)
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        row.add_widget(BigButton(words("common.back"), self.actions.back, color=GREY))
        self.handle_button = BigButton(words("item.handle"), lambda: self.actions.go("item_type"))
        row.add_widget(self.handle_button)
        self.body.add_widget(row)

    def refresh(self) -> None:
        draft = self.actions.draft()
        item: ServiceItem | None = draft.item
        if item is None:
            return
        promise = (
            words("item.promise_days", days=item.promised_days)
            if item.promised_days
            else words("item.promise_now")
        )
        lines = [
            words("item.name", name=item.name),
            words("item.code", code=item.code),
            words("item.department", department=item.department),
            words("item.promise", promise=promise),
        ]
        if draft.queue_number:
            lines.append(words("item.queue_number", number=draft.queue_number))
        if draft.appointment_number:
            lines.append(words("item.appointment", number=draft.appointment_number))
        if draft.known_applicant:
            lines.append(words("item.booked_by", name=draft.known_applicant.name))
        self.details.text = "\n".join(lines)


class ItemTypeScreen(KioskScreen[ItemTypeActions]):
    title = words("receipt.item_type")

    def build(self) -> None:
        self.body.add_widget(
            Text(words("item_type.prompt"), color=GREY, size_hint_y=None, height=60)
        )
        self.type_buttons = {}
        for item_type in ItemType:
            button = BigButton(
                item_type.label,
                partial(self.actions.choose_type, item_type),
                font_size=40,
                height=140,
            )
            self.type_buttons[item_type] = button
            self.body.add_widget(button)
        self.body.add_widget(BoxLayout())
        self.body.add_widget(
            BigButton(words("common.back"), lambda: self.actions.go("item"), color=GREY)
        )


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


class ConfirmScreen(KioskScreen[ConfirmActions]):
    """Everything in one place; the item type can still be switched here."""

    title = words("confirm.title")

    def build(self) -> None:
        self.summary = Text("", font_size=30)
        self.body.add_widget(self.summary)
        types = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        types.add_widget(Text(words("receipt.item_type"), size_hint_x=None, width=160))
        self.type_buttons: dict[ItemType, BigButton] = {}
        for item_type in ItemType:
            button = BigButton(item_type.label, partial(self.actions.change_type, item_type))
            self.type_buttons[item_type] = button
            types.add_widget(button)
        self.body.add_widget(types)
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        row.add_widget(BigButton(words("confirm.back"), self.actions.back, color=GREY))
        self.submit_button = BigButton(words("confirm.submit"), self.actions.submit)
        row.add_widget(self.submit_button)
        self.body.add_widget(row)

    def refresh(self) -> None:
        draft = self.actions.draft()
        if not (draft.item and draft.applicant and draft.item_type):
            return
        applicant = draft.applicant
        booked = (
            words("confirm.booked", number=draft.appointment_number)
            if draft.appointment_number
            else ""
        )
        self.summary.text = "\n".join(
            [
                words("confirm.item", name=draft.item.name, code=draft.item.code),
                words("confirm.department", department=draft.item.department, booked=booked),
                words("confirm.name", name=applicant.name),
                words(
                    "confirm.document",
                    document=DocumentType(applicant.id_type).label,
                    number=applicant.id_number,
                ),
                words("confirm.phone", phone=applicant.phone or words("confirm.no_phone")),
                *self._card_line(),
            ]
        )
        for item_type, button in self.type_buttons.items():
            button.background_color = ACCENT if item_type is draft.item_type else GREY

    def _card_line(self) -> list[str]:
        """How the number was checked, when it is a card's read on the reader."""
        draft = self.actions.draft()
        identity = draft.identity_check()
        if identity.source is not IdSource.CARD or draft.card is None:
            return []
        validity = draft.card.validity_sentence()
        if validity is None:
            return [words("confirm.card_valid")]
        return [words("confirm.card_accepted", validity=validity)]


class SuccessScreen(KioskScreen[SuccessActions]):
    title = words("success.title")

    def build(self) -> None:
        row = BoxLayout(spacing=24)
        side = BoxLayout(orientation="vertical", spacing=16)
        self.summary = Text("", font_size=30)
        side.add_widget(self.summary)
        self.print_button = BigButton(words("print.button_print"), self.actions.print_receipt)
        side.add_widget(self.print_button)
        self.reprint_button = BigButton(
            words("print.button_reprint"), self.actions.print_receipt, color=GREY
        )
        side.add_widget(self.reprint_button)
        side.add_widget(BigButton(words("success.next"), self.actions.next_applicant, color=GREY))
        row.add_widget(side)
        self.preview = Image(fit_mode="contain", size_hint_x=None, width=420)
        row.add_widget(self.preview)
        self.body.add_widget(row)

    def refresh(self) -> None:
        draft = self.actions.draft()
        submission = draft.submission
        if submission is None:
            return
        self.print_button.disabled = draft.copies_printed > 0
        self.reprint_button.disabled = draft.copies_printed == 0
        self.actions.load_receipt(submission.id, self.show_receipt)

    def show_receipt(self, synced: bool, png) -> None:
        draft = self.actions.draft()
        submission = draft.submission
        if submission is None:
            return
        applicant = submission.applicant
        self.summary.text = "\n".join(
            [
                words("success.receipt_number", number=submission.receipt_number),
                words(
                    "success.applicant",
                    name=applicant.name,
                    id_number=mask_id_number(applicant.id_number),
                ),
                words("success.item", name=submission.item.name),
                words("success.synced") if synced else words("receipt.offline"),
                (
                    words("success.copies", copies=draft.copies_printed)
                    if draft.copies_printed
                    else words("success.not_printed")
                ),
            ]
        )
        self.preview.texture = CoreImage(png, ext="png").texture


class StatsScreen(KioskScreen[StatsActions]):
    """今日统计: the counts that feed the hall's statistics, for this box today."""

    title = words("stats.title")

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        self.table = Text("", font_size=32)
        self.detail = Text("", font_size=26)
        row.add_widget(self.table)
        row.add_widget(self.detail)
        self.chart = BarChart()  # issue 9: counts per item type and operator
        row.add_widget(self.chart)
        self.body.add_widget(row)
        self.body.add_widget(
            BigButton(words("common.back"), lambda: self.actions.go("home"), color=GREY)
        )

    def refresh(self) -> None:
        self.actions.load_stats(self.show)

    def show(self, stats: DayStats) -> None:
        self.table.text = "\n".join(
            [
                words("stats.total", count=stats.total),
                *(
                    words("stats.item_type", item_type=t.label, count=stats.by_type.get(t, 0))
                    for t in ItemType
                ),
                words("stats.unprinted", count=stats.unprinted),
            ]
        )
        self.detail.text = "\n".join(
            [
                words("stats.by_lookup"),
                *(
                    words("stats.lookup", lookup=LOOKUP_LABELS[m], count=stats.by_lookup.get(m, 0))
                    for m in LookupMethod
                ),
                words("stats.by_operator"),
                *(
                    words("stats.operator", operator=name, count=count)
                    for name, count in stats.by_operator.items()
                ),
                words("stats.handling"),
                *(
                    words("stats.operator_handling", operator=name, duration=duration_text(seconds))
                    for name, seconds in stats.handling_s.items()
                ),
            ]
        )
        self.chart.show(
            [(t.label, stats.by_type.get(t, 0)) for t in ItemType] + list(stats.by_operator.items())
        )


SCREEN_NAMES = {
    "login": LoginScreen,
    "home": HomeScreen,
    "scan": ScanScreen,
    "appointment": AppointmentScreen,
    "search": SearchScreen,
    "item": ItemScreen,
    "item_type": ItemTypeScreen,
    "applicant": ApplicantScreen,
    "confirm": ConfirmScreen,
    "success": SuccessScreen,
    "stats": StatsScreen,
}
