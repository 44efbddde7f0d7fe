"""The catalogue of every event the appliance logs: one stable name, one description.

Long actions log an ``.init`` and a ``.complete`` event; the outcome field says success
or failure.
"""

from __future__ import annotations

EVENTS: dict[str, str] = {
    "app.start": "The appliance process started with a validated configuration.",
    "app.stop": "The appliance process is stopping.",
    "app.startup_failed": "Start-up stopped: the message says what to fix.",
    "ui.first_frame": "The kiosk drew its first frame; ms is the time since process start.",
    "ui.screen": "The kiosk showed a screen.",
    "ui.unexpected_error": "A background action failed in a way no message covers.",
    "demo.init": "The scripted demo acceptance started.",
    "demo.complete": "The scripted demo acceptance finished.",
    "display.virtual": "No display was found, so a virtual X display was started.",
    "token.provision.init": "The demo SoftHSM2 token is being created.",
    "token.provision.complete": "The demo SoftHSM2 token was created.",
    "session.transition": "The operator session changed state.",
    "login.init": "A PIN was submitted to the key.",
    "login.complete": "The key answered a PIN login.",
    "session.locked": "The operator session was locked.",
    "flow.transition": "The acceptance flow changed state.",
    "camera.status": "The camera changed status (running, stopped, disconnected).",
    "scan.decoded": "A ticket QR code was decoded.",
    "scan.rejected": "A QR code was read but its payload is not a known ticket.",
    "submission.created": "A submission and its outbox row were stored.",
    "printer.status": "The printer was queried; status says what it answered.",
    "print.init": "A receipt job was sent to the printer.",
    "print.complete": "A receipt job finished.",
    "store.migrated": "The database schema was migrated to a newer version.",
    "selftest.check": "One self-test check finished.",
    "selftest.complete": "The self-test finished.",
}


def describe(name: str) -> str:
    """Return the description of an event, raising KeyError for an unknown name."""
    return EVENTS[name]
