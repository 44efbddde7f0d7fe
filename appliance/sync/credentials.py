"""The box's OAuth2 device credentials: a client id in the config, the secret in a file.

The secret never sits in the config file (which is readable for support) nor in a log.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from appliance.config import Config

TOKEN_PATH = "/oauth/token"


def secret_path(config: Config) -> Path:
    return config.branch_server.client_secret_file or config.data_dir / "branch-client-secret"


def token_url(config: Config) -> str:
    return config.branch_server.token_url or config.branch_server.url.rstrip("/") + TOKEN_PATH


def read_client_secret(path: Path) -> str:
    """The secret, without surrounding whitespace; OSError when the file is missing."""
    return path.read_text(encoding="utf-8").strip()


def ensure_client_secret(path: Path) -> str:
    """Create a random secret (mode 0600) when none exists: the dev server issues it."""
    if path.exists():
        return read_client_secret(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(24)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_client_secret(path)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value
