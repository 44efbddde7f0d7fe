"""Appointment look-up from the cache first, online when reachable: the counter against a
real dev server and a real sync worker thread, through the shared SQLite file."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlite_utils
from appliance_dev.devserver.server import BranchServer

from appliance.config import Config
from appliance.store import appointment_requests as requests
from appliance.store.appointment_requests import RequestState
from appliance.store.appointments import Appointment, find_appointment, seed_appointments
from appliance.store.db import connect
from appliance.store.sync_state import read_state, write_state
from appliance.sync.credentials import ensure_client_secret, secret_path
from appliance.sync.process import build_worker
from appliance.sync.worker import SyncWorker
from appliance.workflow.acceptance import FlowState
from appliance.workflow.counter import Counter
from appliance.workflow.messages import UserFacingError
from appliance.workflow.online_appointments import (
    OFFLINE_MESSAGE,
    LookupOffline,
    OnlineAppointments,
)
from tests.sync_helpers import make_config, start_server
from tests.test_acceptance_counter import GOOD, TODAY, counter

WAIT_S = 3.0
ITEM_CODE = "442000-SB-0310"
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def wire(number: str, day: date = TODAY, hall: str | None = None) -> dict:
    return {
        "number": number,
        "item_code": ITEM_CODE,
        "day": day.isoformat(),
        "applicant_name": GOOD.name,
        "id_type": GOOD.id_type,
        "id_number": GOOD.id_number,
        "phone": GOOD.phone,
        "hall": hall,
    }


@dataclass
class Box:
    counter: Counter
    db: sqlite_utils.Database  # the kiosk's connection
    worker: SyncWorker  # with its own connection, as in the sync process
    server: BranchServer | None


@contextmanager
def running(worker: SyncWorker, db: sqlite_utils.Database) -> Iterator[None]:
    """The sync loop in a thread, after its first pass has recorded online or not."""
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while read_state(db).get("online") is None and time.monotonic() < deadline:
        time.sleep(0.05)
    yield
    stop.set()
    thread.join(timeout=10)
    worker.client.close()


def box(config: Config, tmp_path: Path, server: BranchServer | None) -> Box:
    kiosk_db = connect(config.data_dir / "appliance.db")
    made = counter(kiosk_db, tmp_path)
    made.online = OnlineAppointments(kiosk_db, lambda: NOW, wait_s=WAIT_S)
    worker = build_worker(config, connect(config.data_dir / "appliance.db"))
    return Box(made, kiosk_db, worker, server)


@pytest.fixture
def online(tmp_path: Path) -> Iterator[Box]:
    server, config = start_server(make_config(tmp_path / "box"), tmp_path / "server")
    made = box(config, tmp_path, server)
    with running(made.worker, made.db):
        yield made
    server.stop()


@pytest.fixture
def server_down(tmp_path: Path) -> Iterator[Box]:
    config = make_config(tmp_path / "box")  # port 1: the connection is refused at once
    ensure_client_secret(secret_path(config))
    made = box(config, tmp_path, None)
    with running(made.worker, made.db):
        yield made


def test_an_appointment_booked_after_the_pull_is_found_online_and_cached(online) -> None:
    assert online.server is not None
    online.server.app.store.seed_appointments([wire("YY7001")])
    assert find_appointment(online.db, "YY7001") is None
    started = time.monotonic()
    item = online.counter.find_by_appointment("yy7001")
    assert time.monotonic() - started < WAIT_S
    assert item.code == ITEM_CODE
    assert online.counter.flow.draft.known_applicant == GOOD
    assert online.counter.prefill_booked() is FlowState.APPLICANT_ENTERED
    assert find_appointment(online.db, "YY7001") is not None
    assert requests.answer_of(online.db, "YY7001").state is RequestState.FOUND


def test_a_number_the_server_does_not_know_says_not_found(online) -> None:
    with pytest.raises(UserFacingError) as refused:
        online.counter.find_by_appointment("YY7999")
    assert refused.value.chinese.startswith("未找到该预约编号")
    assert requests.answer_of(online.db, "YY7999").state is RequestState.NOT_FOUND


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("YY7101", "已过期"),
        ("YY7102", "已受理过"),
        ("YY7103", "佛山分厅"),
    ],
)
def test_online_appointments_are_refused_like_cached_ones(online, number: str, words: str) -> None:
    assert online.server is not None
    online.server.app.store.seed_appointments(
        [wire("YY7101", day=date(2026, 11, 27)), wire("YY7102"), wire("YY7103", hall="佛山分厅")]
    )
    online.server.app.store.mark_appointment_used("YY7102")
    with pytest.raises(UserFacingError) as refused:
        online.counter.find_by_appointment(number)
    assert words in refused.value.chinese


def test_a_used_mark_made_on_this_box_survives_an_online_answer(online) -> None:
    assert online.server is not None
    online.server.app.store.seed_appointments([wire("YY7201")])
    online.counter.find_by_appointment("YY7201")
    online.db.execute("UPDATE appointments SET used = 1 WHERE appointment_number = 'YY7201'")
    requests.ask(online.db, "YY7201", NOW)
    deadline = time.monotonic() + WAIT_S
    while requests.answer_of(online.db, "YY7201").state is RequestState.PENDING:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert find_appointment(online.db, "YY7201").used


def test_server_down_gives_the_offline_message_within_the_wait(server_down) -> None:
    assert read_state(server_down.db)["online"] == "0"
    started = time.monotonic()
    with pytest.raises(UserFacingError) as refused:
        server_down.counter.find_by_appointment("YY7301")
    assert time.monotonic() - started < WAIT_S
    assert refused.value.chinese == OFFLINE_MESSAGE
    answer = requests.answer_of(server_down.db, "YY7301")
    assert (answer.state, answer.detail) == (RequestState.FAILED, "network")


def test_a_silent_sync_process_gives_the_offline_message_after_the_wait(db) -> None:
    write_state(db, online="1")  # a sync process ran once, and now answers nothing
    lookup = OnlineAppointments(db, lambda: NOW, wait_s=0.4)
    started = time.monotonic()
    with pytest.raises(LookupOffline, match="wait_timeout"):
        lookup.fetch("YY7401")
    assert 0.4 <= time.monotonic() - started < 1.5
    answer = requests.answer_of(db, "YY7401")
    assert (answer.state, answer.detail) == (RequestState.FAILED, "wait_timeout")


def test_without_any_sync_process_the_offline_message_comes_at_once(db, tmp_path) -> None:
    made = counter(db, tmp_path)
    made.online = OnlineAppointments(db, lambda: NOW, wait_s=WAIT_S)
    started = time.monotonic()
    with pytest.raises(UserFacingError) as refused:
        made.find_by_appointment("YY7501")
    assert time.monotonic() - started < 0.5
    assert refused.value.chinese == OFFLINE_MESSAGE
    assert requests.answer_of(db, "YY7501") is None


def test_a_cached_appointment_never_asks_online(db, tmp_path) -> None:
    seed_appointments(db, [Appointment("YY7601", ITEM_CODE, TODAY, GOOD, False)])
    made = counter(db, tmp_path)
    made.online = OnlineAppointments(db, lambda: NOW, wait_s=WAIT_S)
    assert made.find_by_appointment("YY7601").code == ITEM_CODE
    assert requests.answer_of(db, "YY7601") is None


def test_a_lookup_during_a_backoff_is_asked_and_ends_it(tmp_path: Path) -> None:
    server, config = start_server(make_config(tmp_path / "box"), tmp_path / "server")
    server.app.store.seed_appointments([wire("YY7701")])
    db = connect(config.data_dir / "appliance.db")
    worker = build_worker(config, db)
    requests.ask(db, "YY7701", NOW)
    started = time.monotonic()
    worker._back_off(threading.Event(), 30.0)
    assert time.monotonic() - started < WAIT_S
    assert requests.answer_of(db, "YY7701").state is RequestState.FOUND
    worker.client.close()
    server.stop()


# The request table on its own.


def test_a_request_is_pending_until_its_first_answer_which_is_final(db) -> None:
    requests.ask(db, "YY1", NOW)
    requests.ask(db, "YY2", NOW.replace(minute=1))
    assert requests.has_pending(db) and requests.pending(db) == ["YY1", "YY2"]
    assert requests.answer(db, "YY1", RequestState.FOUND, NOW)
    assert not requests.answer(db, "YY1", RequestState.FAILED, NOW, "wait_timeout")
    assert requests.answer_of(db, "YY1") == requests.RequestAnswer(RequestState.FOUND, None)
    assert requests.pending(db) == ["YY2"]
    assert not requests.answer(db, "YY3", RequestState.NOT_FOUND, NOW)


def test_asking_again_starts_a_fresh_request(db) -> None:
    requests.ask(db, "YY1", NOW)
    requests.answer(db, "YY1", RequestState.FAILED, NOW, "network")
    assert not requests.has_pending(db)
    requests.ask(db, "YY1", NOW)
    assert requests.answer_of(db, "YY1") == requests.RequestAnswer(RequestState.PENDING, None)
    assert requests.has_pending(db)


def test_the_table_refuses_an_unknown_state(db) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO appointment_requests (number, requested_at, state) "
            "VALUES ('YY1', '2026', 'maybe')"
        )
