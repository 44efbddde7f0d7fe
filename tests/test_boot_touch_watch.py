"""The touchscreen provider survives a missing touchscreen and picks one up when plugged.

No hardware: a file in tmp_path stands for /dev/input/touchscreen, a fake factory for
Kivy's hidinput provider and a fake for Kivy's EventLoop.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from appliance import log
from appliance.ui.touch_watch import TouchscreenWatcher, WatchedDevice, take_hidinput
from tests.test_boot_board_input import BOARD_FILE, FakeKivyConfig


class FakeProvider:
    def __init__(self, name: str, args: str) -> None:
        self.name, self.args = name, args
        self.started = self.stopped = 0

    def start(self) -> None:
        self.started += 1

    def stop(self) -> None:
        self.stopped += 1


class FakeEventLoop:
    def __init__(self, status: str = "started") -> None:
        self.status = status
        self.input_providers: list[FakeProvider] = []

    def add_input_provider(self, provider: FakeProvider, auto_remove: bool = False) -> None:
        assert auto_remove, "stopped with the app like Kivy's own providers"
        self.input_providers.append(provider)

    def remove_input_provider(self, provider: FakeProvider) -> None:
        self.input_providers.remove(provider)


class Rig:
    def __init__(self, tmp_path: Path, status: str = "started") -> None:
        self.node = tmp_path / "touchscreen"
        self.made: list[FakeProvider] = []
        self.loop = FakeEventLoop(status)
        watched = [WatchedDevice("touchscreen", self.node, f"{self.node},rotation=0")]
        self.watcher = TouchscreenWatcher(watched, self.factory, self.loop)

    def factory(self, name: str, args: str) -> FakeProvider:
        self.made.append(FakeProvider(name, args))
        return self.made[-1]


@pytest.fixture
def events() -> io.StringIO:
    stream = io.StringIO()
    log.configure(stream=stream)
    return stream


def test_a_missing_touchscreen_starts_no_provider_and_nothing_fails(
    tmp_path: Path, events: io.StringIO
) -> None:
    rig = Rig(tmp_path)
    rig.watcher.poll()
    rig.watcher.poll(1.0)
    assert rig.made == [] and rig.loop.input_providers == []
    assert events.getvalue() == ""


def test_a_touchscreen_plugged_later_is_picked_up_at_the_next_poll(
    tmp_path: Path, events: io.StringIO
) -> None:
    rig = Rig(tmp_path)
    rig.watcher.poll()
    rig.node.touch()
    rig.watcher.poll(1.0)
    rig.watcher.poll(1.0)
    [provider] = rig.made
    assert (provider.name, provider.args) == ("touchscreen", f"{rig.node},rotation=0")
    assert provider.started == 1
    assert rig.loop.input_providers == [provider]
    assert rig.watcher.running("touchscreen") is provider
    assert "event=ui.touch_device state=added provider=touchscreen" in events.getvalue()


def test_an_unplugged_touchscreen_is_dropped_cleanly_and_comes_back_when_replugged(
    tmp_path: Path, events: io.StringIO
) -> None:
    rig = Rig(tmp_path)
    rig.node.touch()
    rig.watcher.poll()
    rig.node.unlink()
    rig.watcher.poll(1.0)
    first = rig.made[0]
    assert (first.started, first.stopped) == (1, 1)
    assert rig.loop.input_providers == []
    assert rig.watcher.running("touchscreen") is None
    rig.node.touch()
    rig.watcher.poll(1.0)
    assert len(rig.made) == 2 and rig.loop.input_providers == [rig.made[1]]
    assert rig.made[1].started == 1
    states = [
        part
        for line in events.getvalue().splitlines()
        for part in line.split()
        if part.startswith("state=")
    ]
    assert states == ["state=added", "state=removed", "state=added"]


def test_a_node_replaced_between_two_polls_gets_a_fresh_provider(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.node.touch()
    rig.watcher.poll()
    keep = tmp_path / "keep"  # holds the old inode so the new node cannot reuse it
    rig.node.rename(keep)
    rig.node.touch()
    rig.watcher.poll(1.0)
    assert [(p.started, p.stopped) for p in rig.made] == [(1, 1), (1, 0)]
    assert rig.loop.input_providers == [rig.made[1]]


def test_before_the_app_runs_the_event_loop_starts_the_provider_not_the_watcher(
    tmp_path: Path,
) -> None:
    rig = Rig(tmp_path, status="idle")
    rig.node.touch()
    rig.watcher.poll()
    assert rig.loop.input_providers == rig.made and rig.made[0].started == 0


def test_a_reader_that_died_on_a_present_node_is_reported_once(
    tmp_path: Path, events: io.StringIO
) -> None:
    rig = Rig(tmp_path)
    rig.node.touch()
    rig.watcher.poll()
    rig.made[0].lost = PermissionError(13, "Permission denied")
    rig.watcher.poll(1.0)
    rig.watcher.poll(1.0)
    assert events.getvalue().count("state=failed") == 1


def test_hidinput_entries_move_from_kivy_config_to_the_watcher() -> None:
    config = FakeKivyConfig()
    config.sections["input"] = {
        "touchscreen": "hidinput,/dev/input/touchscreen,rotation=90",
        "mouse": "mouse,multitouch_on_demand",
    }
    config.get = lambda section, option: config.sections[section][option]
    [watched] = take_hidinput(config)
    assert watched == WatchedDevice(
        "touchscreen", Path("/dev/input/touchscreen"), "/dev/input/touchscreen,rotation=90"
    )
    assert config.sections["input"] == {"mouse": "mouse,multitouch_on_demand"}


def test_the_shipped_board_file_leaves_kivy_no_provider_to_start_at_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from appliance.ui.board_input import apply_board_input

    config = FakeKivyConfig()
    config.get = lambda section, option: config.sections[section][option]
    apply_board_input(config, {"APPLIANCE_KIVY_INPUT": str(BOARD_FILE)})
    [watched] = take_hidinput(config)
    assert watched.device == Path("/dev/input/touchscreen")
    assert config.sections["input"] == {}
