"""二维码扫描: the camera preview and the read of a queue ticket's QR code."""

from __future__ import annotations

from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from appliance.ui.preview import preview_image
from appliance.ui.screen_actions import (
    ScanActions,
)
from appliance.ui.screens.base import GREY, KioskScreen
from appliance.ui.widgets import (
    BigButton,
    Text,
)
from appliance.wording import text as words


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
