"""Shared fixtures: a fresh database per test, and a box syncing to a real dev server."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from appliance.store.db import connect
from appliance.sync.process import build_worker
from tests.sync_helpers import make_config, start_server


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return connect(tmp_path / "appliance.db")


@pytest.fixture
def sync_box(tmp_path: Path):
    """A box's database and sync worker, delivering to a real dev server on loopback."""
    config = make_config(tmp_path / "box")
    server, config = start_server(config, tmp_path / "server")
    db = connect(config.data_dir / "appliance.db")
    worker = build_worker(config, db)
    yield server, worker, db
    worker.client.close()
    server.stop()
