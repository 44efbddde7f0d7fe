"""Fresh appointments for each scripted demo run, so ``make run`` can be repeated.

A used appointment stays used (on the box and at the branch server), so a demo that
books the same numbers twice would be refused the second time. Each run copies the
bundled demo bookings under new numbers and draws the ticket for the scanned one.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import cv2

from appliance.store.appointments import Appointment
from appliance_dev.sim.make_tickets import SPECS, item_names, render

BOOKED_TICKET_SPEC = 1  # the online-appointment ticket (JSON payload), laid down rotated


def fresh_numbers(today: date, count: int, clock: float | None = None) -> list[str]:
    """``YY`` + date + six digits from the time of day: unique per run second."""
    base = int(clock if clock is not None else time.time()) % 86400 * count
    return [f"YY{today:%Y%m%d}{(base + k) % 1_000_000:06d}" for k in range(count)]


def renumber(appointment: Appointment, number: str, today: date) -> Appointment:
    return replace(appointment, number=number, day=today, used=False)


def draw_booked_ticket(appointment: Appointment, folder: Path) -> Path:
    """The queue slip of an online booking, its QR holding the appointment as JSON."""
    payload = json.dumps(
        {
            "v": 1,
            "appt": appointment.number,
            "item": appointment.item_code,
            "hall": "ZSFT",
            "ts": f"{appointment.day}T09:30:00+08:00",
        },
        separators=(",", ":"),
    )
    spec = replace(
        SPECS[BOOKED_TICKET_SPEC],
        payload=payload,
        appointment=appointment.number,
        item_code=appointment.item_code,
        file="ticket-booked.png",
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / spec.file
    cv2.imwrite(str(path), render(spec, item_names(), seed=BOOKED_TICKET_SPEC))
    return path
