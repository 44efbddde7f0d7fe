"""``appliance sync``: the sync process, separate from the kiosk, sharing its database."""

from __future__ import annotations

import signal
import threading

import sqlite_utils

from appliance import log
from appliance.config import Config, load_config
from appliance.store.db import connect
from appliance.sync.client import BranchClient, ClientSettings, SyncProblem
from appliance.sync.credentials import secret_path, token_url
from appliance.sync.worker import SyncWorker, WorkerSettings

PROVISIONING_POLL_S = 3.0  # how often an unprovisioned box looks for its site file


def client_settings(config: Config) -> ClientSettings:
    branch = config.branch_server
    return ClientSettings(
        base_url=branch.url,
        token_url=token_url(config),
        client_id=branch.client_id,
        secret_file=secret_path(config),
        ca_bundle=branch.ca_bundle,
        connect_timeout_s=branch.connect_timeout_s,
        read_timeout_s=branch.read_timeout_s,
    )


def worker_settings(config: Config) -> WorkerSettings:
    branch = config.branch_server
    return WorkerSettings(
        batch_size=branch.batch_size,
        lease_s=branch.lease_s,
        backoff_cap_s=branch.backoff_cap_s,
        pull_interval_s=branch.pull_interval_s,
        retention_days=branch.retention_days,
        device_id=branch.client_id,
        updates_dir=config.data_dir / "updates",
    )


def build_worker(config: Config, db: sqlite_utils.Database | None = None) -> SyncWorker:
    db = db or connect(config.data_dir / "appliance.db")
    return SyncWorker(db, BranchClient(client_settings(config)), worker_settings(config))


def wait_for_provisioning(
    config: Config, stop: threading.Event, interval_s: float = PROVISIONING_POLL_S
) -> Config | None:
    """On a box not set up yet: wait for the site file, then the configuration with it
    (None when stopped first). No secret, no server: nothing to do but wait, and a
    process that exited would only be restarted in a loop."""
    assert config.provisioning is not None
    site_file = config.provisioning.site_file
    log.event("sync.waiting_for_provisioning", site_file=site_file)
    while not stop.wait(interval_s):
        if site_file.exists():
            return load_config(config.source)
    return None


def run_sync(config: Config, once: bool = False) -> int:
    """Run until SIGTERM/SIGINT; with ``once``, drain and pull once (exit 1 on failure).
    An unprovisioned box waits for its site file first (``once``: exits at once)."""
    if not config.provisioned:
        assert config.provisioning is not None  # only a [provisioning] section can be unmet
        if once:
            log.event("sync.waiting_for_provisioning", site_file=config.provisioning.site_file)
            return 0
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        provisioned = wait_for_provisioning(config, stop)
        if provisioned is None:
            return 0
        config = provisioned
    worker = build_worker(config)
    log.event("sync.start", url=config.branch_server.url, once=once)
    try:
        if once:
            try:
                worker.drain()
                worker.pull()
            except SyncProblem as problem:
                worker.failed(problem)
                return 1
            worker.succeeded()
            return 0
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        worker.run(stop)
        return 0
    finally:
        worker.client.close()
        log.event("sync.stop")
