"""Shared pieces of the sync tests: a config in a temp folder, a dev server, submissions."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils
from appliance_dev.devserver.faults import Faults
from appliance_dev.devserver.run import build_server
from appliance_dev.devserver.server import BranchServer

from appliance.config import DEV_CONFIG, Config, dev_config_text, parse_config
from appliance.domain.catalogue import ItemType, ServiceItem
from appliance.domain.submission import Applicant, LookupMethod, Operator
from appliance.store.submissions import store_submission

TZ = ZoneInfo("Asia/Shanghai")
ITEM = ServiceItem("442000-SB-0310", "社会保障卡补领", "中山市人社局", 7, ItemType.BRANCH)
APPLICANT = Applicant("张晓三", "resident_id", "11010519491231002X", "13800138000")


def make_config(data_dir: Path, url: str = "http://127.0.0.1:1", **branch: object) -> Config:
    config = parse_config(dev_config_text(data_dir), DEV_CONFIG)
    update = {"url": url, "lease_s": 2.0, **branch}
    return config.model_copy(
        update={"branch_server": config.branch_server.model_copy(update=update)}
    )


def start_server(
    config: Config, server_dir: Path, faults: Faults | None = None, **options: object
) -> tuple[BranchServer, Config]:
    """A dev server on a free port, and the config pointing at it."""
    server = build_server(config, server_dir, faults or Faults(seed=7), port=0, **options).start()
    pointed = config.model_copy(
        update={"branch_server": config.branch_server.model_copy(update={"url": server.url})}
    )
    return server, pointed


def heartbeat_after_one_pull(
    config: Config, server: BranchServer, server_dir: Path, db: sqlite_utils.Database | None = None
) -> dict:
    """One pull of a fresh sync worker, then the one heartbeat body the server stored."""
    from appliance.sync.process import build_worker

    worker = build_worker(config, db)
    try:
        worker.pull()
    finally:
        worker.client.close()
        server.stop()
    with sqlite3.connect(server_dir / "branch.db") as conn:
        [(body,)] = conn.execute("SELECT body FROM heartbeats").fetchall()
    return json.loads(body)


def add_submissions(db: sqlite_utils.Database, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        ids.append(
            store_submission(
                db,
                created_at=datetime.now(TZ),
                hall_name="中山分厅",
                window="08",
                operator=Operator("陈晓明", "1A2B"),
                lookup_method=LookupMethod.QR,
                item=ITEM,
                item_type=ItemType.BRANCH,
                applicant=APPLICANT,
            ).id
        )
    return ids
