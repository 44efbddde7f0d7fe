"""A PIN retry counter in front of a SoftHSM2 token, which never locks on its own.

Real USB keys count wrong PINs, raise COUNT_LOW, then FINAL_TRY, then lock. This wrapper
adds that to any python-pkcs11 Token so the demo and the UI test can walk a key down to
locked; the right PIN still goes to the real token's C_Login.
"""

from __future__ import annotations

import pkcs11
from pkcs11 import TokenFlag


class CountingPinToken:
    def __init__(self, token: pkcs11.Token, tries: int = 3) -> None:
        self._token = token
        self.tries_left = tries
        self._tries = tries
        self.slot = self

    def get_token(self) -> CountingPinToken:
        return self

    @property
    def label(self) -> str:
        return self._token.label

    @property
    def flags(self) -> int:
        flags = int(self._token.flags)
        if self.tries_left == 0:
            return flags | TokenFlag.USER_PIN_LOCKED
        if self.tries_left == 1:
            flags |= TokenFlag.USER_PIN_FINAL_TRY
        if self.tries_left < self._tries:
            flags |= TokenFlag.USER_PIN_COUNT_LOW
        return flags

    def open(self, user_pin: str | None = None, **kwargs) -> pkcs11.Session:
        if self.tries_left == 0:
            raise pkcs11.PinLocked()
        try:
            session = self._token.open(user_pin=user_pin, **kwargs)
        except pkcs11.PinIncorrect:
            self.tries_left -= 1
            if self.tries_left == 0:
                raise pkcs11.PinLocked() from None
            raise
        self.tries_left = self._tries
        return session
