"""`make run` gives the same demo box whichever comes first, the kiosk's demo seeding or
the sync's first pull (issue 18): they used to race, and a pull first left 8 catalogue
items instead of 2,400 and the used demo appointment unused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from appliance.config import Config
from appliance.store.appointments import seed_appointments
from appliance.store.catalogue import seed_demo_catalogue
from appliance.store.db import connect
from appliance.sync.credentials import read_client_secret, secret_path
from appliance.sync.process import run_sync
from appliance.wiring import demo_appointments, hall_now
from tests.sync_helpers import make_config, start_server

USED = "YY20261129000200"  # demo_appointments.json: used before the demo starts
OTHER_HALL = "YY20261129000999"  # booked at another hall


def seed_as_the_kiosk(config: Config) -> None:
    """What build_services does first on a box with demo_data."""
    db = connect(config.data_dir / "appliance.db")
    seed_appointments(db, demo_appointments(hall_now().date()))
    seed_demo_catalogue(db)
    db.close()


def box_state(config: Config) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(config.data_dir / "appliance.db") as conn:
        catalogue = conn.execute(
            "SELECT code, name, department, promised_days, default_type, pinyin, initials "
            "FROM catalogue_items ORDER BY code"
        ).fetchall()
        appointments = conn.execute(
            "SELECT appointment_number, item_code, day, applicant_name, id_type, id_number, "
            "phone, used, hall FROM appointments ORDER BY appointment_number"
        ).fetchall()
    return catalogue, appointments


def test_demo_seeding_and_the_first_pull_give_the_same_box_in_either_order(
    tmp_path: Path,
) -> None:
    server, first = start_server(make_config(tmp_path / "kiosk-first"), tmp_path / "server")
    secret = read_client_secret(secret_path(first))
    second = make_config(tmp_path / "sync-first", url=server.url)
    second.data_dir.mkdir(parents=True)
    secret_path(second).write_text(secret)
    try:
        seed_as_the_kiosk(first)
        assert run_sync(first, once=True) == 0
        assert run_sync(second, once=True) == 0
        seed_as_the_kiosk(second)
        seed_as_the_kiosk(second)  # a restart of the kiosk changes nothing
    finally:
        server.stop()
    catalogue, appointments = box_state(first)
    assert box_state(second) == (catalogue, appointments)
    assert len(catalogue) == 2400
    by_number = {row[0]: row for row in appointments}
    assert by_number[USED][7] == 1
    assert by_number[OTHER_HALL][8] == "广东省网上办事大厅佛山分厅"
