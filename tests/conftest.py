"""Shared fixtures: a fresh data directory and a database per test."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from appliance.store.db import connect


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return connect(tmp_path / "appliance.db")
