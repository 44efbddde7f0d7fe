"""systemd's notify protocol, spoken directly: READY=1 and watchdog pings for the kiosk unit.

The UI unit is ``Type=notify`` with ``WatchdogSec``: systemd counts the kiosk as started
only once its first frame is drawn, and restarts it when the Kivy clock stops ticking.
The protocol is one datagram per message on the ``AF_UNIX`` socket named by
``$NOTIFY_SOCKET`` (a leading ``@`` means the abstract namespace), so no systemd Python
binding is needed. Outside systemd the socket is absent and every call does nothing.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


def _address(environ: Mapping[str, str]) -> str | None:
    path = environ.get("NOTIFY_SOCKET", "")
    if not path or path[0] not in "/@":
        return None
    return "\0" + path[1:] if path[0] == "@" else path


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send one notify message (``READY=1``, ``WATCHDOG=1``, ``STATUS=…``); True when sent."""
    address = _address(os.environ if environ is None else environ)
    if address is None:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        try:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
        except OSError:
            return False
    return True


def watchdog_interval_s(environ: Mapping[str, str] | None = None) -> float | None:
    """Half the unit's WatchdogSec, as systemd recommends; None when no watchdog is armed.

    ``WATCHDOG_PID``, when set, names the process systemd expects pings from: another
    process's watchdog is not ours to feed.
    """
    env = os.environ if environ is None else environ
    pid = env.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 2_000_000 if usec > 0 else None
