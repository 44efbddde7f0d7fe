"""Log lines that fit the journal: a syslog priority prefix when stderr is the journal
stream systemd connected, plain lines elsewhere, and Kivy's lines through the same
formatter."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from appliance import log
from appliance.events import EVENTS


@pytest.fixture(autouse=True)
def restore_loggers() -> Iterator[None]:
    loggers = [logging.getLogger("appliance"), logging.getLogger("kivy")]
    saved = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    yield
    for lg, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        lg.handlers[:], lg.level, lg.propagate = handlers, level, propagate


@pytest.fixture
def stream(tmp_path: Path) -> Iterator[TextIO]:
    """A real file standing for stderr, so it has a device and an inode."""
    with (tmp_path / "stderr").open("w+", encoding="utf-8") as handle:
        yield handle


def journal_of(handle: TextIO) -> str:
    found = os.fstat(handle.fileno())
    return f"{found.st_dev}:{found.st_ino}"


def lines(handle: TextIO) -> list[str]:
    handle.flush()
    handle.seek(0)
    return handle.read().splitlines()


def test_lines_carry_their_syslog_priority_when_stderr_is_the_journal(
    stream: TextIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", journal_of(stream))
    log.configure(level=logging.DEBUG, stream=stream)
    log.event("app.start", command="run")
    log.event("camera.lost", logging.WARNING, device="/dev/video0")
    log.event("ui.unexpected_error", logging.ERROR, outcome="failure")
    log.event("ui.screen", logging.DEBUG, screen="login")
    got = lines(stream)
    assert [line[:3] for line in got] == ["<6>", "<4>", "<3>", "<7>"]
    assert " event=app.start command=run" in got[0]


def test_lines_are_plain_on_a_terminal_or_another_file(
    stream: TextIO, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (tmp_path / "other").open("w") as other:  # inherited, stderr redirected since
        monkeypatch.setenv("JOURNAL_STREAM", journal_of(other))
        log.configure(stream=stream)
        log.event("app.start", command="run")
    monkeypatch.delenv("JOURNAL_STREAM")
    log.configure(stream=stream)
    log.event("app.stop")
    assert [line[:3] for line in lines(stream)] == ["ts=", "ts="]


@pytest.mark.parametrize("value", ["", "garbage", "12", "1:x"])
def test_a_malformed_journal_stream_means_plain_lines(stream: TextIO, value: str) -> None:
    assert not log.is_journal_stream(stream, {"JOURNAL_STREAM": value})
    assert log.is_journal_stream(stream, {"JOURNAL_STREAM": journal_of(stream)})


def test_kivy_lines_go_through_the_same_formatter_as_one_event_line(
    stream: TextIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kivy's Logger is logging.getLogger("kivy") in KIVY_LOG_MODE=PYTHON."""
    monkeypatch.setenv("JOURNAL_STREAM", journal_of(stream))
    log.configure(stream=stream)
    kivy = logging.getLogger("kivy")
    kivy.setLevel(logging.WARNING)
    kivy.info("GL: this info line stays out")
    kivy.warning("Clipboard: Unable to use xclip")
    try:
        raise FileNotFoundError(2, "No such file or directory", "xsel")
    except FileNotFoundError:
        kivy.critical(
            "Cutbuffer: Unable to find any valuable Cutbuffer provider\nxsel", exc_info=True
        )
    got = lines(stream)
    assert len(got) == 2, got
    assert got[0].startswith("<4>ts=")
    assert "event=kivy.log level=warning category=Clipboard " in got[0]
    assert got[0].endswith('message="Unable to use xclip"')
    assert got[1].startswith("<2>")
    assert "category=Cutbuffer" in got[1] and "provider\\nxsel" in got[1]
    assert "error=" in got[1] and "FileNotFoundError" in got[1]
    assert "kivy.log" in EVENTS


def test_kivy_lines_without_a_category_keep_the_whole_message() -> None:
    record = logging.LogRecord(
        "kivy", logging.WARNING, __file__, 1, "stderr output without a category", None, None
    )
    line = log.LineFormatter().format(record)
    assert line.startswith("ts=")
    assert 'level=warning message="stderr output without a category"' in line


KIVY_CHILD = """
import logging
from appliance import log
log.configure()
from kivy.logger import Logger
logging.getLogger("kivy").setLevel(logging.WARNING)
Logger.info("Window: not shown at warning level")
Logger.warning("Clipboard: Unable to use xclip")
"""


def test_kivy_logger_in_python_mode_reaches_the_journal_through_our_formatter(
    tmp_path: Path,
) -> None:
    """The real Kivy Logger, set up as appliance.ui.kivy_setup sets it up."""
    import subprocess
    import sys

    with (tmp_path / "stderr").open("w+", encoding="utf-8") as stderr:
        env = {
            **os.environ,
            "JOURNAL_STREAM": journal_of(stderr),
            "KIVY_LOG_MODE": "PYTHON",
            "KIVY_NO_ARGS": "1",
            "KIVY_NO_FILELOG": "1",
            "KIVY_NO_CONSOLELOG": "1",
            "KIVY_HOME": str(tmp_path / "kivy"),
        }
        subprocess.run(
            [sys.executable, "-c", KIVY_CHILD], env=env, stderr=stderr, check=True, timeout=60
        )
        got = lines(stderr)
    # Kivy's own start-up lines (version, Python) come first, at the config.ini level.
    assert all(line[:3] in ("<4>", "<6>") and " event=kivy.log " in line for line in got)
    assert got[-1].startswith("<4>ts=")
    assert "event=kivy.log level=warning category=Clipboard" in got[-1]
    assert not any("not shown" in line for line in got)
