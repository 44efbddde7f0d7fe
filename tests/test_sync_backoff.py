"""Sync backoff (issue 18): a busy token endpoint is waited out for its Retry-After, and
deliveries and pulls keep their own failure counts. Real servers on loopback."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from appliance_dev.devserver.faults import Faults

from appliance.store import outbox
from appliance.store.db import connect
from appliance.sync.client import SyncProblem
from appliance.sync.process import build_worker
from tests.sync_helpers import add_submissions, make_config, start_server


class CeilingRng(random.Random):
    """Full jitter at its ceiling, so each backoff is exact: base * 2**failures."""

    def uniform(self, a: float, b: float) -> float:
        return b


class _BusyTokenEndpoint(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    answers: list[tuple[int, str | None]] = []

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, retry_after = self.answers[0]
        body = b'{"error": "unavailable", "message": "busy"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def busy_token_endpoint() -> Iterator[tuple[str, type[_BusyTokenEndpoint]]]:
    handler = type("Busy", (_BusyTokenEndpoint,), {"answers": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("status", "retry_after", "kind", "wait"),
    [(503, "7", "server", 7.0), (429, "11", "throttled", 11.0), (500, None, "server", 1.0)],
)
def test_a_busy_token_endpoint_is_retried_after_its_retry_after(
    tmp_path: Path, busy_token_endpoint, status: int, retry_after: str | None, kind: str, wait
) -> None:
    url, handler = busy_token_endpoint
    handler.answers.append((status, retry_after))
    config = make_config(tmp_path / "box", url=url)
    db = connect(config.data_dir / "appliance.db")
    (config.data_dir / "branch-client-secret").write_text("x")
    worker = build_worker(config, db)
    worker.rng = CeilingRng()
    add_submissions(db, 1)
    try:
        with pytest.raises(SyncProblem) as caught:
            worker.drain()
    finally:
        worker.client.close()
    assert caught.value.kind == kind  # not "auth": the client was not refused
    assert worker.failed(caught.value) == wait  # without Retry-After: the first backoff step
    assert outbox.counts(db).pending == 1


def test_failed_pulls_do_not_lengthen_the_wait_of_the_next_delivery(tmp_path: Path) -> None:
    faults = Faults(error_rate=1.0)
    server, config = start_server(make_config(tmp_path / "box"), tmp_path / "server", faults)
    db = connect(config.data_dir / "appliance.db")
    worker = build_worker(config, db)
    worker.rng = CeilingRng()
    try:
        # a flaky minute: six pulls fail, the queue is empty
        assert [worker.pull_or_delay() for _ in range(6)] == [1, 2, 4, 8, 16, 32]
        add_submissions(db, 1)
        with pytest.raises(SyncProblem) as caught:
            worker.drain()
        assert worker.failed(caught.value) == 1.0  # the first failed delivery, not the 7th
        assert worker.pull_or_delay() == 64  # and the pulls keep their own count
        faults.error_rate = 0.0
        assert worker.deliver() is None and outbox.counts(db).delivered == 1
        assert worker.pull_or_delay() == worker.settings.pull_interval_s
    finally:
        worker.client.close()
        server.stop()


def test_a_drain_that_went_through_resets_the_delivery_backoff_even_with_nothing_delivered(
    tmp_path: Path,
) -> None:
    faults = Faults(error_rate=1.0)
    server, config = start_server(
        make_config(tmp_path / "box"), tmp_path / "server", faults, require_signature=True
    )
    db = connect(config.data_dir / "appliance.db")
    worker = build_worker(config, db)
    worker.rng = CeilingRng()
    try:
        add_submissions(db, 1)  # unsigned: this server will refuse it
        for expected in (1.0, 2.0, 4.0):
            with pytest.raises(SyncProblem) as caught:
                worker.drain()
            assert worker.failed(caught.value) == expected
        faults.error_rate = 0.0
        assert worker.deliver() is None  # healthy: the item rejected, nothing delivered
        assert outbox.counts(db).rejected == 1
        assert worker.deliver() is None  # and now empty
        faults.error_rate = 1.0
        add_submissions(db, 1)
        with pytest.raises(SyncProblem) as caught:
            worker.drain()
        assert worker.failed(caught.value) == 1.0  # afresh, not the 4th failure in a row
    finally:
        worker.client.close()
        server.stop()
