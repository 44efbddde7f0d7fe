"""The key port: the operator's USB crypto key (电子钥匙) as a PKCS#11 token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol


class KeyStatus(Enum):
    ABSENT = "absent"
    PRESENT = "present"


@dataclass(frozen=True)
class OperatorCertificate:
    """What the key's certificate says about its holder."""

    name: str
    serial: str
    issuer: str
    not_before: datetime
    not_after: datetime


class KeyProblem(Exception):
    """Base for key problems; subclasses say what the clerk can do."""


class WrongPin(KeyProblem):
    """``warning``: ``final_try`` or ``count_low``; ``tries_left`` only where the key told."""

    def __init__(self, warning: str | None = None, tries_left: int | None = None) -> None:
        super().__init__("the PIN was not accepted by the key")
        self.warning = warning
        self.tries_left = tries_left


class PinLocked(KeyProblem):
    def __init__(self) -> None:
        super().__init__("the key's PIN is locked; branch IT must unlock it")


class KeyAbsent(KeyProblem):
    def __init__(self) -> None:
        super().__init__("no key found")


class KeyPort(Protocol):
    def status(self) -> KeyStatus: ...

    def certificate(self) -> OperatorCertificate:
        """Read the operator certificate (no PIN needed); raises KeyAbsent."""

    def login(self, pin: bytearray) -> OperatorCertificate:
        """Log in with ``pin`` and prove the key holds the certificate's private key.

        The PIN buffer is zeroed before returning, whatever the outcome.
        """
