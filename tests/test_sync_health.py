"""Device health in the heartbeat: the kiosk publishes it, the sync process reports it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from appliance.hardware.camera.port import CameraStatus
from appliance.hardware.key.detection import KeyState
from appliance.hardware.printer.port import PrinterStatus
from appliance.store.db import connect
from appliance.store.device_health import MAX_AGE, REFRESH, publish_health, read_health
from appliance.ui.health import HealthNotes, health_of
from tests.sync_helpers import heartbeat_after_one_pull, make_config, start_server

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
SEEN = {"printer": "paper_out", "camera": "running", "key": "ready"}


def test_nothing_published_reads_unknown(db) -> None:
    assert read_health(db, T0) == {"printer": "unknown", "camera": "unknown", "key": "unknown"}


def test_published_health_is_read_until_it_goes_stale(db) -> None:
    publish_health(db, SEEN, T0)
    assert read_health(db, T0 + MAX_AGE - timedelta(seconds=1)) == SEEN
    assert set(read_health(db, T0 + MAX_AGE + timedelta(seconds=1)).values()) == {"unknown"}


def test_kiosk_publishes_on_change_and_refreshes_unchanged_health() -> None:
    clock = [100.0]
    notes = HealthNotes(lambda: clock[0])
    health = health_of(PrinterStatus.READY, CameraStatus.STOPPED, KeyState.READY)
    assert health == {"printer": "ready", "camera": "stopped", "key": "ready"}
    assert notes.due(health)
    clock[0] += 1
    assert not notes.due(dict(health))
    assert notes.due({**health, "printer": "paper_out"})
    clock[0] += REFRESH.total_seconds()
    assert notes.due({**health, "printer": "paper_out"})
    assert health_of(PrinterStatus.UNKNOWN, CameraStatus.DISCONNECTED, None)["key"] == "unknown"


def test_heartbeat_carries_what_the_kiosk_published(tmp_path: Path) -> None:
    config = make_config(tmp_path / "box")
    server, config = start_server(config, tmp_path / "server")
    db = connect(config.data_dir / "appliance.db")
    publish_health(db, SEEN, datetime.now(UTC))  # as the UI process would
    body = heartbeat_after_one_pull(config, server, tmp_path / "server", db)
    assert body["health"] == SEEN
