"""One screen per step of the flow, in the manual's words. Screens only show state and
forward taps to the app, which runs the counter's work in the background."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.spinner import Spinner
from kivy.uix.textinput import TextInput

from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.identity import DocumentType
from appliance.domain.masking import mask_id_number
from appliance.ui.widgets import (
    ACCENT,
    BODY_FONT,
    DANGER,
    INK,
    TITLE_FONT,
    TOUCH_HEIGHT,
    BigButton,
    Keypad,
    Text,
)

if TYPE_CHECKING:
    from appliance.ui.app import KioskApp

GREY = (0.35, 0.38, 0.42, 1)


class KioskScreen(Screen):
    """Title, body, and a message line for what went wrong (in Chinese)."""

    title = ""

    def __init__(self, app: KioskApp, name: str) -> None:
        super().__init__(name=name)
        self.app = app
        frame = BoxLayout(orientation="vertical", padding=(32, 16), spacing=12)
        frame.add_widget(Label(text=self.title, font_size=TITLE_FONT, color=INK,
                               size_hint_y=None, height=64, bold=True))
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


class LoginScreen(KioskScreen):
    title = "电子钥匙登录"

    def build(self) -> None:
        self.pin = bytearray()
        row = BoxLayout(spacing=40)
        info = BoxLayout(orientation="vertical", spacing=12)
        self.key_state = Text("正在检测电子钥匙…")
        self.holder = Text("")
        self.pin_display = Text("", font_size=48, halign="center")
        info.add_widget(self.key_state)
        info.add_widget(self.holder)
        info.add_widget(Text("请输入电子钥匙PIN码：", color=GREY))
        info.add_widget(self.pin_display)
        row.add_widget(info)
        self.keypad = Keypad(self.on_key, extra=("退格", "back"), confirm=("确定", self.submit_pin))
        row.add_widget(self.keypad)
        self.body.add_widget(row)

    def on_key(self, key: str) -> None:
        if key == "清除":
            self.clear_pin()
        elif key == "back":
            if self.pin:
                self.pin[-1] = 0
                del self.pin[-1]
        elif len(self.pin) < 16:
            self.pin.append(ord(key))
        self.pin_display.text = "●" * len(self.pin)

    def clear_pin(self) -> None:
        self.pin[:] = bytes(len(self.pin))
        self.pin = bytearray()
        self.pin_display.text = ""

    def submit_pin(self) -> None:
        if not self.pin:
            self.say("请输入PIN码")
            return
        pin, self.pin = self.pin, bytearray()
        self.pin_display.text = ""
        self.say("正在验证…", error=False)
        self.app.login(pin)

    def show_key(self, present: bool, holder: str) -> None:
        self.key_state.text = "电子钥匙已插入" if present else "未检测到电子钥匙，请检查USB接口"
        self.holder.text = holder


class HomeScreen(KioskScreen):
    title = "窗口受理"

    def build(self) -> None:
        for text, target in (("二维码扫描", "scan"), ("按预约编号", "appointment"),
                             ("按服务事项查询", "search")):
            self.body.add_widget(BigButton(text, lambda t=target: self.app.go(t),
                                           font_size=40, height=130))
        self.body.add_widget(BoxLayout())
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        row.add_widget(BigButton("今日统计", lambda: self.app.go("stats"), color=GREY))
        row.add_widget(BigButton("锁定", self.app.lock, color=GREY))
        self.body.add_widget(row)


class ScanScreen(KioskScreen):
    title = "二维码扫描"

    def build(self) -> None:
        row = BoxLayout(spacing=24)
        self.preview = Image(fit_mode="contain")
        self._texture: Texture | None = None
        row.add_widget(self.preview)
        side = BoxLayout(orientation="vertical", spacing=16, size_hint_x=None, width=340)
        self.read_button = BigButton("获取条码", self.app.arm_scan)
        side.add_widget(self.read_button)
        side.add_widget(BigButton("开始预览", self.app.start_preview, color=GREY))
        side.add_widget(BigButton("停止预览", self.app.stop_preview, color=GREY))
        self.result = Text("请将叫号纸放在高拍仪下，点击“获取条码”", font_size=24)
        side.add_widget(self.result)
        side.add_widget(BigButton("返回", lambda: self.app.go("home"), color=GREY))
        row.add_widget(side)
        self.body.add_widget(row)

    def on_pre_enter(self, *args) -> None:
        super().on_pre_enter(*args)
        self.app.start_preview()

    def on_leave(self, *_args) -> None:
        self.app.stop_preview()

    def show_frame(self, gray) -> None:
        """Blit the grey frame into one reused texture (a texture per frame leaks on the Pi)."""
        height, width = gray.shape
        if self._texture is None or self._texture.size != (width, height):
            self._texture = Texture.create(size=(width, height), colorfmt="luminance")
            self._texture.flip_vertical()
        self._texture.blit_buffer(gray.tobytes(), colorfmt="luminance", bufferfmt="ubyte")
        self.preview.texture = self._texture
        self.preview.canvas.ask_update()


class AppointmentScreen(KioskScreen):
    title = "按预约编号"

    def build(self) -> None:
        row = BoxLayout(spacing=40)
        info = BoxLayout(orientation="vertical", spacing=12)
        info.add_widget(Text("请输入叫号纸或短信上的预约编号：", color=GREY))
        self.number = Text("YY", font_size=44)
        info.add_widget(self.number)
        info.add_widget(BoxLayout())
        info.add_widget(BigButton("返回", lambda: self.app.go("home"), color=GREY))
        row.add_widget(info)
        search = ("查询", lambda: self.app.find_appointment(self.number.text))
        row.add_widget(Keypad(self.on_key, extra=("YY", "YY"), confirm=search))
        self.body.add_widget(row)

    def on_key(self, key: str) -> None:
        if key == "清除":
            self.number.text = "YY"
        elif key == "YY":
            self.number.text = "YY" + self.number.text.removeprefix("YY")
        elif len(self.number.text) < 16:
            self.number.text += key


class SearchScreen(KioskScreen):
    title = "按服务事项查询"

    def build(self) -> None:
        self.query = TextInput(hint_text="输入事项名称或编码，例如：社会保障卡",
                               font_size=BODY_FONT, multiline=False, size_hint_y=None,
                               height=TOUCH_HEIGHT)
        self.query.bind(text=lambda _w, _t: self.refresh())
        self.body.add_widget(self.query)
        self.results = BoxLayout(orientation="vertical", spacing=10)
        self.body.add_widget(self.results)
        self.body.add_widget(BigButton("返回", lambda: self.app.go("home"), color=GREY))

    def refresh(self) -> None:
        self.results.clear_widgets()
        items = self.app.counter.catalogue.search(self.query.text, limit=5)
        for item in items:
            self.results.add_widget(BigButton(f"{item.name}  （{item.department}）",
                                              lambda i=item: self.app.choose_item(i),
                                              color=(0.2, 0.25, 0.32, 1), font_size=26))
        if not items:
            self.results.add_widget(Text("没有找到相关事项，请换个关键词"))
        self.results.add_widget(BoxLayout())


class ItemScreen(KioskScreen):
    title = "事项详情"

    def build(self) -> None:
        self.details = Text("", font_size=32)
        self.body.add_widget(self.details)
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        row.add_widget(BigButton("返回", self.app.back, color=GREY))
        self.handle_button = BigButton("办理", lambda: self.app.go("item_type"))
        row.add_widget(self.handle_button)
        self.body.add_widget(row)

    def refresh(self) -> None:
        draft = self.app.counter.flow.draft
        item: ServiceItem | None = draft.item
        if item is None:
            return
        promise = f"{item.promised_days}个工作日" if item.promised_days else "即办"
        lines = [f"事项名称：{item.name}", f"事项编码：{item.code}",
                 f"办理部门：{item.department}", f"承诺时限：{promise}"]
        if draft.queue_number:
            lines.append(f"叫号：{draft.queue_number}")
        if draft.appointment_number:
            lines.append(f"预约编号：{draft.appointment_number}")
        if draft.known_applicant:
            lines.append(f"预约人：{draft.known_applicant.name}")
        self.details.text = "\n".join(lines)


class ItemTypeScreen(KioskScreen):
    title = "事项类型"

    def build(self) -> None:
        self.body.add_widget(Text("请选择事项类型（仅用于统计）：", color=GREY,
                                  size_hint_y=None, height=60))
        self.type_buttons = {}
        for item_type in ItemType:
            button = BigButton(item_type.label, lambda t=item_type: self.app.choose_type(t),
                               font_size=40, height=140)
            self.type_buttons[item_type] = button
            self.body.add_widget(button)
        self.body.add_widget(BoxLayout())
        self.body.add_widget(BigButton("返回", lambda: self.app.go("item"), color=GREY))


class ApplicantScreen(KioskScreen):
    title = "办事人信息录入"

    def build(self) -> None:
        self.name_input = self._field("姓名")
        self.doc_type = Spinner(text=DocumentType.RESIDENT_ID.label,
                                values=[t.label for t in DocumentType], font_size=BODY_FONT,
                                size_hint_y=None, height=TOUCH_HEIGHT)
        self._row("证件类型", self.doc_type)
        self.number_input = self._field("证件号码")
        self.phone_input = self._field("手机号码（选填）")
        self.body.add_widget(BoxLayout())
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        row.add_widget(BigButton("返回", self.app.back, color=GREY))
        row.add_widget(BigButton("下一步", self.next))
        self.body.add_widget(row)

    def _row(self, label: str, widget) -> None:
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        row.add_widget(Text(label, size_hint_x=None, width=260))
        row.add_widget(widget)
        self.body.add_widget(row)

    def _field(self, label: str) -> TextInput:
        field = TextInput(font_size=BODY_FONT, multiline=False, write_tab=False)
        self._row(label, field)
        return field

    def refresh(self) -> None:
        known = self.app.counter.flow.draft.known_applicant
        if known and not self.name_input.text:
            self.name_input.text = known.name
            self.doc_type.text = DocumentType(known.id_type).label
            self.number_input.text = known.id_number
            self.phone_input.text = known.phone or ""

    def clear(self) -> None:
        for field in (self.name_input, self.number_input, self.phone_input):
            field.text = ""
        self.doc_type.text = DocumentType.RESIDENT_ID.label

    def next(self) -> None:
        doc_type = next(t for t in DocumentType if t.label == self.doc_type.text)
        self.app.enter_applicant(self.name_input.text, doc_type, self.number_input.text,
                                 self.phone_input.text)


class ConfirmScreen(KioskScreen):
    title = "确认提交"

    def build(self) -> None:
        self.summary = Text("", font_size=30)
        self.body.add_widget(self.summary)
        row = BoxLayout(size_hint_y=None, height=TOUCH_HEIGHT, spacing=16)
        row.add_widget(BigButton("返回修改", self.app.back, color=GREY))
        self.submit_button = BigButton("提交", self.app.submit)
        row.add_widget(self.submit_button)
        self.body.add_widget(row)

    def refresh(self) -> None:
        draft = self.app.counter.flow.draft
        if not (draft.item and draft.applicant and draft.item_type):
            return
        applicant = draft.applicant
        self.summary.text = "\n".join([
            f"服务事项：{draft.item.name}（{draft.item.code}）",
            f"事项类型：{draft.item_type.label}",
            f"姓名：{applicant.name}",
            f"证件类型：{DocumentType(applicant.id_type).label}",
            f"证件号码：{applicant.id_number}",
            f"手机号码：{applicant.phone or '（未填）'}",
        ])


class SuccessScreen(KioskScreen):
    title = "受理成功"

    def build(self) -> None:
        row = BoxLayout(spacing=24)
        side = BoxLayout(orientation="vertical", spacing=16)
        self.summary = Text("", font_size=30)
        side.add_widget(self.summary)
        self.print_button = BigButton("打印回执", self.app.print_receipt)
        side.add_widget(self.print_button)
        self.reprint_button = BigButton("重新打印", self.app.print_receipt, color=GREY)
        side.add_widget(self.reprint_button)
        side.add_widget(BigButton("下一位", self.app.next_applicant, color=GREY))
        row.add_widget(side)
        self.preview = Image(fit_mode="contain", size_hint_x=None, width=420)
        row.add_widget(self.preview)
        self.body.add_widget(row)

    def refresh(self) -> None:
        draft = self.app.counter.flow.draft
        submission = draft.submission
        if submission is None:
            return
        applicant = submission.applicant
        synced = "已同步至分厅服务器" if self.app.is_synced(submission.id) else "离线受理，待同步"
        self.summary.text = "\n".join([
            f"回执编号：{submission.receipt_number}",
            f"办事人：{applicant.name}  {mask_id_number(applicant.id_number)}",
            f"服务事项：{submission.item.name}",
            synced,
            f"已打印 {draft.copies_printed} 份" if draft.copies_printed else "尚未打印回执",
        ])
        self.print_button.disabled = draft.copies_printed > 0
        self.reprint_button.disabled = draft.copies_printed == 0
        self.app.load_receipt_preview(self.preview)


class StatsScreen(KioskScreen):
    title = "今日统计"

    def build(self) -> None:
        self.table = Text("", font_size=32)
        self.body.add_widget(self.table)
        self.body.add_widget(BigButton("返回", lambda: self.app.go("home"), color=GREY))

    def refresh(self) -> None:
        counts = self.app.today_counts()
        total = sum(counts.values())
        lines = [f"{t.label}：{counts.get(t, 0)} 件" for t in ItemType]
        self.table.text = "\n".join([f"今日受理合计：{total} 件", *lines])


SCREEN_NAMES = {
    "login": LoginScreen, "home": HomeScreen, "scan": ScanScreen,
    "appointment": AppointmentScreen, "search": SearchScreen, "item": ItemScreen,
    "item_type": ItemTypeScreen, "applicant": ApplicantScreen, "confirm": ConfirmScreen,
    "success": SuccessScreen, "stats": StatsScreen,
}
