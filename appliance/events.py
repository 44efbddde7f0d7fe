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
    # ticket scanning (issue 3): camera backends and the decode loop
    "camera.lost": "A camera read failed (cable pulled, driver error); reconnecting.",
    "camera.close_failed": "Closing a failed camera raised; it is dropped anyway.",
    "submission.created": "A submission and its outbox row were stored.",
    "printer.status": "The printer was queried; status says what it answered.",
    "print.init": "A receipt job was sent to the printer.",
    "print.complete": "A receipt job finished.",
    "store.migrated": "The database schema was migrated to a newer version.",
    "selftest.check": "One self-test check finished.",
    "selftest.complete": "The self-test finished.",
    # Operator login with the USB key (detection, diagnosis, session, idle lock).
    "key.detected": "A key scan differed from the last one; state is the diagnosis.",
    "key.session_closed": "The logged-in PKCS#11 session was closed (reason: removed, locked).",
    "key.idle_lock": "The session was locked after idle_minutes without a touch.",
    "usb.enumerate_failed": "Listing the USB bus failed; the bus reads as empty.",
    # Boot into the kiosk (systemd, board input config, updates).
    "ui.watchdog_armed": "systemd's watchdog is on; the Kivy clock pings it every interval_s.",
    "ui.board_input": "The board's Kivy input file replaced the touch and rotation settings.",
    "update.verify": "An update bundle's signature and image hash were checked.",
    "update.install.init": "A verified update image is being written to the spare slot.",
    "update.install.complete": "The update image was written; the next boot tries it.",
    # Offline queue and background sync to the branch server (issue 5).
    "sync.start": "The sync process started (once: a single drain and pull).",
    "sync.stop": "The sync process is stopping.",
    "sync.batch": "One batch was answered: items sent, delivered (new or again), rejected.",
    "sync.rejected": "The server refused one submission for good; it waits for attention.",
    "sync.problem": "A sync attempt failed (kind: network, tls, timeout, server, "
                    "throttled, auth, protocol); retry_in_s is the backoff.",
    "sync.recovered": "Sync works again after after_failures failed attempts.",
    "sync.pull": "Catalogue changes and appointments were pulled; purged counts retention.",
    "devserver.start": "The development branch server is listening at url.",
    "devserver.stop": "The development branch server stopped.",
    "devserver.batch": "The dev server answered a batch (accepted, duplicate, conflict, "
                       "invalid).",
    "devserver.fault": "The dev server injected a fault (error, throttle, drop_after_store).",
    # Receipt printing (issue 6).
    "print.receipt": "A journaled receipt was printed or failed; attempt counts tries.",
    "printer.connection": "The link to a real printer failed; the next call reopens it.",
    "printer.unprinted": "Receipts never printed were found in the journal at start-up.",
    # Acceptance flow on the touchscreen (issue 7).
    "draft.restored": "An acceptance kept on disk was resumed after a restart; state says where.",
    "diagnostics.opened": "The operator confirmed with the key PIN to open 系统诊断 (or failed).",
    "appointment.refused": "An appointment could not be used: reason is unknown, used, "
                           "expired or other_hall.",
}


def describe(name: str) -> str:
    """Return the description of an event, raising KeyError for an unknown name."""
    return EVENTS[name]
