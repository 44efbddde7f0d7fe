"""A scripted day at the counter, through the real counter service and the real SoftHSM2
demo key: the audit chain records every action and verifies, and the statistics (and
their CSV) match the submissions made, before and after the personal-data purge."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from appliance_dev.sim.softhsm import DEMO_PIN

from appliance.domain.catalogue import ItemType
from appliance.domain.identity import DocumentType
from appliance.domain.submission import Operator
from appliance.hardware.key.port import KeyProblem
from appliance.store import outbox
from appliance.store.audit_check import verify_chain
from appliance.store.retention import purge_personal_fields
from appliance.store.statistics import acceptances, summarise, write_csv
from appliance.wiring import HALL_TIME, build_services
from tests.sync_helpers import make_config

UPRIGHT = "https://zs.gdzwfw.gov.cn/q?v=1&q=A023&i=442000-GA-0101&h=ZSFT&t=20261129T093000"
SLANTED = (
    "https://zs.gdzwfw.gov.cn/q?v=1&q=C105&a=YY20261129000087&i=442000-SC-0501"
    "&h=ZSFT&t=20261129T101500"
)


class Clock:
    def __init__(self) -> None:
        self.moment = datetime.now(HALL_TIME).replace(hour=9, minute=0, second=0, microsecond=0)

    def __call__(self) -> datetime:
        return self.moment

    def at(self, hh: int, mm: int) -> None:
        self.moment = self.moment.replace(hour=hh, minute=mm)


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory):
    """Run the day once; the tests below read what it left."""
    services = build_services(make_config(tmp_path_factory.mktemp("day")))
    counter, clock = services.counter, Clock()
    counter.now = clock
    counter.audit.now = clock
    services.key.start()

    def log_in(pin: str) -> None:
        certificate = services.key.login(bytearray(pin.encode()))
        counter.session.pin_accepted(Operator(certificate.name, certificate.serial))

    def finish(hh: int, mm: int, reprint: bool = False) -> None:
        clock.at(hh, mm)
        counter.submit()
        counter.print_receipt()
        if reprint:
            counter.print_receipt()
        counter.new_acceptance()

    counter.session.key_present()
    with pytest.raises(KeyProblem):
        services.key.login(bytearray(b"000000"))
    counter.session.pin_rejected()
    log_in(DEMO_PIN)

    clock.at(9, 0)  # a walk-in queue ticket: 240 s
    counter.scan(UPRIGHT)
    counter.choose_type(ItemType.BRANCH)
    counter.enter_applicant("张晓三", DocumentType("resident_id"), "11010519491231002X")
    finish(9, 4)

    clock.at(9, 10)  # a booked applicant by appointment number: 120 s, printed twice
    counter.find_by_appointment("YY20261129000123")
    counter.prefill_booked()
    finish(9, 12, reprint=True)

    counter.lock()
    counter.session.key_present()
    log_in(DEMO_PIN)

    clock.at(9, 20)  # a booked applicant's ticket under the camera: 60 s
    counter.scan(SLANTED)
    counter.prefill_booked()
    finish(9, 21)

    clock.at(9, 30)  # 按服务事项查询, recorded as 部门内部系统: 300 s
    counter.choose_item(counter.catalogue.search("社会保障卡")[0])
    counter.choose_type(ItemType.DEPARTMENT)
    counter.enter_applicant("李华", DocumentType("resident_id"), "442000198511204567")
    finish(9, 35)

    counter.session.key_removed()
    counter.audit.flush()
    yield services
    services.key.close()


def actions(services) -> list[str]:
    return [row[0] for row in services.db.execute("SELECT action FROM audit_log ORDER BY seq")]


def test_the_day_is_audited_action_by_action(day) -> None:
    seen = actions(day)
    assert seen[0] == "config.changed"
    for action, times in [
        ("login.failure", 1),
        ("login.success", 2),
        ("session.locked", 1),
        ("key.pulled", 1),
        ("lookup.personal", 2),
        ("submission.created", 4),
        ("receipt.printed", 4),
        ("receipt.reprinted", 1),
    ]:
        assert seen.count(action) == times, action
    assert verify_chain(day.db).intact


def test_audit_entries_hold_no_unmasked_identity(day) -> None:
    text = " ".join(row[0] for row in day.db.execute("SELECT entry FROM audit_log"))
    for secret in (
        "442000198511204567",
        "91440300MA5ELPB95W",
        "11010519491231002X",
        DEMO_PIN,
        "李华",
        "张晓三",
    ):
        assert secret not in text


def test_statistics_match_the_days_submissions(day) -> None:
    stats = summarise(acceptances(day.db))
    assert stats.total == 4
    assert stats.by_type == {"branch": 3, "department": 1}
    stored = day.db.execute(
        "SELECT item_code, item_name, COUNT(*) FROM submissions GROUP BY item_code"
    ).fetchall()
    assert stats.by_item == {(code, name): n for code, name, n in stored}
    ((operator, handled),) = stats.handling.items()
    assert stats.by_operator == {operator: 4}
    assert (handled.timed, handled.mean_s, handled.median_s) == (4, 180.0, 180.0)


def test_csv_agrees_with_the_data_and_survives_the_purge(day) -> None:
    before = io.StringIO()
    write_csv(acceptances(day.db), before)
    keys = [row[0] for row in day.db.execute("SELECT idempotency_key FROM outbox")]
    outbox.mark_delivered(day.db, keys, datetime.now(HALL_TIME) - timedelta(days=40))
    assert purge_personal_fields(day.db, datetime.now(HALL_TIME), 30) == 4
    after = io.StringIO()
    write_csv(acceptances(day.db), after)
    assert after.getvalue() == before.getvalue()
    rows = list(csv.DictReader(io.StringIO(after.getvalue())))
    assert sum(int(r["acceptances"]) for r in rows) == 4
    assert sorted(float(r["mean_handling_s"]) for r in rows) == [60.0, 120.0, 240.0, 300.0]
    assert {r["item_type"] for r in rows} == {"branch", "department"}
    assert json.dumps(rows, ensure_ascii=False).count("李华") == 0
