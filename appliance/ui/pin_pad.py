"""The PIN keypad (login and 系统诊断): the digits live in one bytearray, never a str,
zeroed whenever they are cleared, and handed over whole on 确定."""

from __future__ import annotations

from collections.abc import Callable

from appliance.ui.widgets import Keypad

PIN_MAX_LENGTH = 16


class PinPad(Keypad):
    def __init__(
        self,
        show: Callable[[str], None],
        say: Callable[..., None],
        send: Callable[[bytearray], None],
    ) -> None:
        """``show`` gets the masked PIN, ``say`` the screen's message line, ``send`` the PIN."""
        super().__init__(self._key, extra=("退格", "back"), confirm=("确定", self.submit))
        self.pin = bytearray()
        self.show = show
        self.say = say
        self.send = send

    def _key(self, key: str) -> None:
        if key == "清除":
            self.clear()
        elif key == "back":
            if self.pin:
                self.pin[-1] = 0
                del self.pin[-1]
        elif len(self.pin) < PIN_MAX_LENGTH:
            self.pin.append(ord(key))
        self.show("●" * len(self.pin))

    def clear(self) -> None:
        self.pin[:] = bytes(len(self.pin))
        self.pin = bytearray()
        self.show("")

    def submit(self) -> None:
        if not self.pin:
            self.say("请输入PIN码")
            return
        pin, self.pin = self.pin, bytearray()
        self.show("")
        self.say("正在验证…", error=False)
        self.send(pin)
