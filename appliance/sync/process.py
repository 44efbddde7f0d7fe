"""``appliance sync``: the sync process, separate from the kiosk, sharing its database."""

from __future__ import annotations

import signal
import threading

import sqlite_utils

from appliance import log
from appliance.config import Config
from appliance.store.db import connect
from appliance.sync.client import BranchClient, ClientSettings, SyncProblem
from appliance.sync.credentials import secret_path, token_url
from appliance.sync.worker import SyncWorker, WorkerSettings


def client_settings(config: Config) -> ClientSettings:
    branch = config.branch_server
    return ClientSettings(
        base_url=branch.url, token_url=token_url(config), client_id=branch.client_id,
        secret_file=secret_path(config), ca_bundle=branch.ca_bundle,
        connect_timeout_s=branch.connect_timeout_s, read_timeout_s=branch.read_timeout_s)


def worker_settings(config: Config) -> WorkerSettings:
    branch = config.branch_server
    return WorkerSettings(
        batch_size=branch.batch_size, lease_s=branch.lease_s,
        backoff_cap_s=branch.backoff_cap_s, pull_interval_s=branch.pull_interval_s,
        retention_days=branch.retention_days, device_id=branch.client_id)


def build_worker(config: Config, db: sqlite_utils.Database | None = None) -> SyncWorker:
    db = db or connect(config.data_dir / "appliance.db")
    return SyncWorker(db, BranchClient(client_settings(config)), worker_settings(config))


def run_sync(config: Config, once: bool = False) -> int:
    """Run until SIGTERM/SIGINT; with ``once``, drain and pull once (exit 1 on failure)."""
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
