"""``appliance branch-server``: the dev server for this box's config, until stopped.

It listens where ``branch_server.url`` points, accepts this box's client id with the
secret in its secret file (creating the file on first start), and seeds the bundled
catalogue and the demo appointments so a fresh box can pull them.
"""

from __future__ import annotations

import json
import signal
import ssl
import threading
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from appliance import log
from appliance.config import Config
from appliance.sync.credentials import ensure_client_secret, secret_path
from appliance_dev.devserver.auth import TokenIssuer
from appliance_dev.devserver.faults import Faults
from appliance_dev.devserver.server import READ_TIMEOUT_S, BranchApp, BranchServer
from appliance_dev.devserver.store import BranchStore

DEFAULT_TOKEN_TTL_S = 3600
HALL_TIME = ZoneInfo("Asia/Shanghai")


def bundled_json(name: str) -> dict:
    return json.loads(resources.files("appliance").joinpath(f"data/{name}").read_text("utf-8"))


def demo_appointments() -> list[dict]:
    today = datetime.now(HALL_TIME).date()
    return [
        {
            "number": a["number"],
            "item_code": a["item_code"],
            "day": (today + timedelta(days=a["day_offset"])).isoformat(),
            "applicant_name": a["name"],
            "id_type": a["id_type"],
            "id_number": a["id_number"],
            "phone": a["phone"],
            "hall": a.get("hall"),
            "used": a.get("used", False),
        }
        for a in bundled_json("demo_appointments.json")["appointments"]
    ]


def build_server(
    config: Config,
    data_dir: Path,
    faults: Faults,
    *,
    port: int | None = None,
    token_ttl_s: int = DEFAULT_TOKEN_TTL_S,
    require_signature: bool = False,
    tls: ssl.SSLContext | None = None,
    read_timeout_s: float = READ_TIMEOUT_S,
) -> BranchServer:
    """A ready (not yet started) server with its own database under ``data_dir``."""
    secret = ensure_client_secret(secret_path(config))
    store = BranchStore(data_dir / "branch.db")
    store.seed_catalogue(bundled_json("catalogue.json")["items"])
    store.seed_appointments(demo_appointments())
    app = BranchApp(
        store,
        TokenIssuer({config.branch_server.client_id: secret}, token_ttl_s),
        faults,
        require_signature,
    )
    address = urlsplit(config.branch_server.url)
    chosen = (address.port or 8750) if port is None else port
    return BranchServer(app, address.hostname or "127.0.0.1", chosen, tls, read_timeout_s)


def serve(server: BranchServer) -> int:
    """Serve until SIGTERM or SIGINT."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    log.event("devserver.start", url=server.url, faults=server.app.faults.active)
    stop.wait()
    server.stop()
    log.event("devserver.stop")
    return 0
