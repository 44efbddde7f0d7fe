"""Child processes of the crash loop: the counter storing submissions, the sync process,
the dev server. Preloaded by a forkserver, so a restart after SIGKILL costs milliseconds."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

from appliance_dev.devserver.faults import Faults
from appliance_dev.devserver.run import build_server

from appliance.config import Config
from appliance.store.db import connect
from appliance.sync.process import build_worker
from tests.sync_helpers import add_submissions


def counter(config: Config) -> None:
    """Accepts submissions as fast as the store allows, until killed."""
    db = connect(config.data_dir / "appliance.db")
    while True:
        add_submissions(db, 1)
        time.sleep(0.002)


def sync(config: Config) -> None:
    worker = build_worker(config)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker.run(stop)


def server(config: Config, folder: Path, faults: dict, port: int) -> None:
    app_server = build_server(config, folder, Faults(**faults), port=port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    app_server.start()
    stop.wait()
    app_server.stop()
