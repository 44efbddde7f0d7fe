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
    "scan.decoded": "A ticket QR code was decoded; decoder says which read it (zxing, or "
    "wechat: the escalation of a frame zxing-cpp could not read).",
    # issue 15: the scan's escalation to OpenCV's WeChat decoder
    "scan.escalation_ready": "The WeChat QR models were checked and loaded (ms, on the "
    "escalation's own thread).",
    "scan.escalation_unavailable": "The WeChat QR models could not be loaded (reason); the "
    "scan goes on with zxing-cpp alone.",
    "scan.escalation_overrun": "One frame cost the WeChat decoder more CPU than its limit "
    "(cpu_ms, limit_ms); its process was stopped and started again, the frame left unread.",
    "scan.escalation_failed": "The WeChat decoder raised on one frame (reason); the next "
    "failed frame is tried as usual.",
    "scan.rejected": "A QR code was read but its payload is not a known ticket.",
    # ticket scanning (issue 3): camera backends and the decode loop
    "camera.lost": "A camera read failed (cable pulled, driver error); reconnecting.",
    "camera.close_failed": "Closing a failed camera raised; it is dropped anyway.",
    "camera.found": "A camera configured as 'first found' was found and opened (device).",
    "printer.found": "A USB receipt printer listed in the profiles was found (usb_id, "
    "profile; in_use: the profile the receipts are laid out for).",
    "submission.created": "A submission and its outbox row were stored.",
    "printer.status": "The printer was queried; status says what it answered.",
    "print.init": "A receipt job was sent to the printer.",
    "print.complete": "A receipt job finished.",
    "store.migrated": "The database schema was migrated to a newer version.",
    "store.mode_fixed": "A database file of ours (or its WAL, shared memory, journal, or "
    "the audit key file) had a mode other than 0660 (was: too narrow for the other service, "
    "or readable by others); it was set to 0660 so the kiosk and the sync (group appliance) "
    "share it and nobody else reads it.",
    "selftest.check": "One self-test check finished.",
    "selftest.complete": "The self-test finished.",
    # Operator login with the USB key (detection, diagnosis, session, idle lock).
    "key.detected": "A key scan differed from the last one; state is the diagnosis, "
    "detail its English reason (a driver's own error), choices the keys that can log in.",
    "key.chosen": "The clerk picked one of several valid keys on the login screen.",
    "key.session_closed": "The logged-in PKCS#11 session was closed (reason: removed, locked).",
    "key.idle_lock": "The session was locked after idle_minutes without a touch.",
    "usb.enumerate_failed": "Listing the USB bus failed; the bus reads as empty.",
    # Boot into the kiosk (systemd, board input config, updates).
    "ui.watchdog_armed": "systemd's watchdog is on; the Kivy clock pings it every interval_s.",
    "ui.board_input": "The board's Kivy input file replaced the touch and rotation settings.",
    "kivy.log": "Kivy logged a line (level, category, message; error: its traceback), "
    "passed through the appliance's formatter.",
    "ui.touch_device": "The touchscreen's device node appeared (state added: its input "
    "provider started), went away (removed: provider stopped), or "
    "could not be read though it is there (failed: error).",
    "update.verify": "An update bundle's signature and image hash were checked.",
    "update.install.init": "A verified update image is being written to the spare slot.",
    "update.install.complete": "The update image was written; the next boot tries it.",
    # Field updates with systemd-boot's boot assessment (issue 16).
    "update.slot_entries_removed": "The spare slot's loader entries were deleted before its "
    "image is written (slot, removed).",
    "update.outcome": "An update outcome was recorded in history.jsonl (kind: install, "
    "refused, blessed or rollback; version, slot).",
    "update.status": "The root slots' status was written for the kiosk and the sync "
    "(booted, next_boot, a and b: empty, blessed, trial or failed).",
    "update.record_failed": "An update outcome could not be recorded (what: history.jsonl "
    "or audit; error).",
    # Offline queue and background sync to the branch server (issue 5).
    "sync.start": "The sync process started (once: a single drain and pull).",
    "sync.stop": "The sync process is stopping.",
    "sync.batch": "One batch was answered: items sent, delivered (new or again), rejected.",
    "sync.rejected": "The server refused one submission for good; it waits for attention.",
    "sync.problem": "A sync attempt failed (kind: network, tls, timeout, server, "
    "throttled, auth, protocol); work (delivery or pull) says whose backoff retry_in_s is.",
    "sync.recovered": "Deliveries or pulls (work) go through again after after_failures "
    "failed attempts.",
    "sync.pull": "Catalogue changes and appointments were pulled; purged counts retention.",
    "devserver.start": "The development branch server is listening at url.",
    "devserver.stop": "The development branch server stopped.",
    "devserver.batch": "The dev server answered a batch (accepted, duplicate, conflict, invalid).",
    "devserver.fault": "The dev server injected a fault (error, throttle, drop_after_store).",
    "devserver.request_timeout": "A client stopped sending mid-request (part: headers or "
    "body); it was answered 408 and its connection closed.",
    "devserver.error": "The dev server failed on a request (a bug, error names the exception); "
    "the client was answered 500.",
    "devserver.connection_error": "A connection failed outside a request (reset, TLS "
    "handshake); error names the exception.",
    "devserver.audit_key": "The dev server registered a box's audit verification key (new: "
    "first time or the same again; first_seq). The key itself is never logged.",
    # Receipt printing (issue 6).
    "print.receipt": "A journaled receipt was printed or failed; attempt counts tries.",
    "printer.connection": "The link to a real printer failed; the next call reopens it.",
    "printer.unprinted": "Receipts never printed were found in the journal at start-up.",
    # Acceptance flow on the touchscreen (issue 7).
    "draft.restored": "An acceptance kept on disk was resumed after a restart; state says where.",
    "diagnostics.opened": "The operator confirmed with the key PIN to open the diagnostics "
    "screen (or failed).",
    "appointment.refused": "An appointment could not be used: reason is unknown, used, "
    "expired, other_hall or offline (not cached, not asked online).",
    "appointment.online": "The kiosk asked the sync process for an appointment its cache "
    "lacks: answer found, not_found or offline (reason: the sync "
    "problem's kind, wait_timeout or no_sync); ms waited.",
    "appointment.lookup": "The sync process asked the branch server for one appointment "
    "(answer found, not_found or failed with kind); ms.",
    # Audit trail, statistics and diagnostics (issue 9).
    "audit.appended": "An audit entry was added to the hash chain (action, seq).",
    "audit.verify": "The audit chain was checked; problem names the first broken entry.",
    "audit.delivery": "Audit entries were delivered to the branch server up to seq "
    "(or refused: reason).",
    "audit.key_handover": "The box handed its audit verification key to the branch server "
    "and erased its copy (first_seq), or the server refused it (reason). Never the key.",
    "audit.seal_key": "The audit sealing key file could not be read (reason: missing, ahead: "
    "the entry goes unsealed) or written (error).",
    "audit.verify_key": "appliance audit verify-key printed the verification key for branch "
    "IT (first_seq), or the box no longer holds it (reason: not_held).",
    "draft.purged": "A kept draft (half-typed acceptance) was deleted: the hall's day ended "
    "or draft_keep_hours passed since it was saved (saved_hours_ago).",
    "config.changed": "The configuration file differs from the one last recorded; audited.",
    "stats.export": "Acceptance statistics were written to a CSV file (rows, path).",
    "selftest.init": "The self-test started (offline: branch-server checks skipped).",
    "selftest.slip": "The readiness slip was printed (or not: status).",
    # Issue 5 gaps: operator signatures, disk full, damaged database, device health.
    "submission.refused": "A submission was not stored (reason: disk_full, key_absent, "
    "other_operator); nothing was written and no receipt printed.",
    "store.full": "A database write failed because the disk (or page limit) is full; "
    "the transaction was rolled back.",
    "store.damaged": "The database failed its integrity check at start; it was moved aside "
    "to aside for recovery and start-up stopped.",
    "store.damaged_kept": "A damaged database moved aside earlier is still in the data "
    "folder, waiting for recovery.",
    "health.published": "The kiosk published a changed device health for the heartbeat.",
    # On-site provisioning (issue 12): signed bundles from branch IT set a box up.
    "provision.bundle_made": "A provisioning bundle was made and signed (serial, hall, "
    "window, key_id); the client secret is never logged.",
    "provision.verify": "A provisioning bundle was checked (refused: reason and detail).",
    "provision.apply.init": "A verified provisioning bundle is being written (serial).",
    "provision.apply.complete": "The provisioning files were written (or not: reason).",
    "provision.owner_unknown": "A provisioning file's user or group does not exist on this "
    "system; the file keeps the writer's owner.",
    "provision.result_unwritten": "last-result.json could not be written (error).",
    "sync.waiting_for_provisioning": "The box is not provisioned yet; the sync process waits "
    "for the site file (site_file) before it starts.",
    # The resident ID card reader (issue 14). No field of a card is ever logged.
    "idcard.reader": "The ID card reader's state changed (state, device, sam: the SAM "
    "module's id, status: its three status bytes).",
    "idcard.found": "The ID card reader was found on USB by its serial chip (device, usb_id, "
    "chip).",
    "idcard.read": "A card laid on the reader was read (card_type, number_check, validity, "
    "ms) or not (reason, attempts, detail); no card field is logged.",
    "idcard.resync": "Damaged bytes from the reader were skipped before a good answer "
    "(skipped, reasons: noise, length, checksum, truncated).",
    "idcard.resend": "A command was sent to the reader again after a damaged answer "
    "(command, attempt, reason).",
    "idcard.listener_failed": "A listener of the reader's events raised (event, error).",
    "idcard.dropped": "A card read (or failed read) reached the kiosk after the applicant "
    "step was left; it was neither shown nor kept (event, screen).",
    "idcard.command": "appliance idcard read finished (outcome; reason when no card was "
    "read; unmasked: the record was printed in full).",
}


# Events that report how an action ended: every call carries outcome=success|failure.
OUTCOME_EVENTS: frozenset[str] = frozenset(
    {
        "app.startup_failed",
        "appointment.refused",
        "demo.complete",
        "diagnostics.opened",
        "login.complete",
        "print.complete",
        "print.receipt",
        "printer.connection",
        "printer.status",
        "selftest.check",
        "selftest.complete",
        "store.damaged",
        "store.full",
        "submission.created",
        "submission.refused",
        "sync.problem",
        "sync.rejected",
        "token.provision.complete",
        "ui.unexpected_error",
        "update.install.complete",
        "update.verify",
        "usb.enumerate_failed",
        "audit.verify",
        "audit.delivery",
        "audit.key_handover",
        "audit.seal_key",
        "audit.verify_key",
        "selftest.slip",
        "audit.appended",
        "appointment.online",
        "appointment.lookup",
        "provision.verify",
        "provision.apply.complete",
        "idcard.read",
        "idcard.command",
    }
)

OUTCOMES = ("success", "failure")

# What the audit trail records (appliance.store.audit_trail); entries never hold a PIN
# and hold ID numbers only masked.
AUDIT_ACTIONS: dict[str, str] = {
    "login.success": "An operator logged in with the key and PIN.",
    "login.failure": "A login was refused (reason: wrong_pin, pin_locked, expired, "
    "not_yet_valid, untrusted, key_mismatch, sm2_only, key_absent, ...; attempts: "
    "failures in a row).",
    "key.pulled": "The key was pulled out while a session was open or a PIN was asked.",
    "session.locked": "The operator session was locked (idle or by the operator).",
    "lookup.personal": "A look-up showed an applicant's personal data (booked applicant).",
    "submission.created": "A submission was stored and queued for the branch server "
    "(id_source: typed, card or appointment; card_validity and validity_override: a card "
    "not valid that day accepted by the clerk's explicit choice).",
    "receipt.printed": "The receipt of a submission was printed for the first time.",
    "receipt.reprinted": "The receipt of a submission was printed again (the reprint button).",
    "sync.delivered": "The branch server took a batch of submissions.",
    "sync.rejected": "The branch server refused a submission for good.",
    "config.changed": "The appliance started with a configuration file not seen before.",
    "selftest.run": "The self-test ran; failures lists the failed checks.",
    "diagnostics.opened": "An operator opened the diagnostics screen with the key and PIN.",
    "update.installed": "An update was written to the spare root slot, on trial (version, "
    "slot, tries).",
    "update.blessed": "The updated slot reached the kiosk and the sync and was blessed.",
    "update.rolled_back": "The updated slot used up its tries; the box went back to the "
    "other slot by itself (version, slot, booted).",
    "idcard.read": "An ID card laid on the reader was read, or its read failed: one entry per "
    "card laid (reader: SAM id, outcome, reason, card_type, id_number masked, "
    "operator, via: kiosk or cli; unmasked: printed in full on the command "
    "line).",
}


def init_complete_pairs() -> list[tuple[str, str]]:
    """Every long action's ``.init`` event with its ``.complete`` partner."""
    return [
        (name, name.removesuffix(".init") + ".complete")
        for name in EVENTS
        if name.endswith(".init")
    ]
