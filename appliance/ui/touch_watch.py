"""The touchscreen's input provider, started only while its device node is there.

Kivy starts the ``[input]`` providers once, when the app runs: a ``hidinput`` provider
whose device is missing dies at once in its thread (``FileNotFoundError``), and a
touchscreen plugged in later is never read. So the ``hidinput`` entries of the board's
input file (:mod:`appliance.ui.board_input`) are taken out of Kivy's config and given to
a :class:`TouchscreenWatcher`: a Kivy Clock poll of one ``os.stat`` per second (the node
is on devtmpfs; no blocking I/O on the main thread) that adds the provider when the node
appears, drops it when the node goes away, and starts a fresh one when the node is
replaced (unplugged and plugged again between two polls).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from appliance import log

PROVIDER = "hidinput"
POLL_INTERVAL_S = 1.0


@dataclass(frozen=True)
class WatchedDevice:
    """One ``[input]`` entry: ``name = hidinput,<device>[,option=value...]``."""

    name: str
    device: Path
    args: str  # what hidinput is given: the device path and its options


class InputConfig(Protocol):
    """The part of Kivy's ConfigParser the watcher reads and edits."""

    def options(self, section: str) -> list[str]: ...
    def get(self, section: str, option: str) -> str: ...
    def remove_option(self, section: str, option: str) -> bool: ...


class InputProvider(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


class EventLoop(Protocol):
    """The part of ``kivy.base.EventLoop`` the watcher uses."""

    status: str

    def add_input_provider(self, provider: Any, auto_remove: bool = False) -> None: ...
    def remove_input_provider(self, provider: Any) -> None: ...


ProviderFactory = Callable[[str, str], InputProvider]  # (name, args) -> provider


def take_hidinput(config: InputConfig) -> list[WatchedDevice]:
    """Remove the ``hidinput`` entries from Kivy's ``[input]`` and return them."""
    taken = []
    for option in list(config.options("input")):
        provider, _, args = config.get("input", option).partition(",")
        if provider.strip() != PROVIDER or not args.strip():
            continue
        config.remove_option("input", option)
        taken.append(WatchedDevice(option, Path(args.split(",", 1)[0].strip()), args))
    return taken


class TouchscreenWatcher:
    """Keeps one provider running for each watched device node that exists."""

    def __init__(
        self,
        watched: list[WatchedDevice],
        factory: ProviderFactory,
        event_loop: EventLoop,
        stat: Callable[[Path], os.stat_result] = os.stat,
    ) -> None:
        self._factory = factory
        self._loop = event_loop
        self._stat = stat
        self._watched = list(watched)
        self._seen: dict[str, tuple[int, int] | None] = {w.name: None for w in watched}
        self._providers: dict[str, InputProvider] = {}
        self._reported: set[str] = set()

    def running(self, name: str) -> InputProvider | None:
        return self._providers.get(name)

    def poll(self, *_dt: object) -> None:
        for watched in self._watched:
            node = self._node(watched.device)
            if node == self._seen[watched.name]:
                self._report_lost(watched)
                continue
            self._seen[watched.name] = node
            if watched.name in self._providers:
                self._drop(watched)
            if node is not None:
                self._add(watched)

    def _report_lost(self, watched: WatchedDevice) -> None:
        """Say once when a provider's reader ended while its node stayed (unreadable)."""
        provider = self._providers.get(watched.name)
        lost = getattr(provider, "lost", None)
        if lost is not None and watched.name not in self._reported:
            self._reported.add(watched.name)
            log.event(
                "ui.touch_device",
                state="failed",
                provider=watched.name,
                device=watched.device,
                error=lost,
            )

    def _node(self, device: Path) -> tuple[int, int] | None:
        """The node's identity (inode, device number): a re-created node differs."""
        try:
            found = self._stat(device)
        except OSError:  # absent, or the link dangles while udev replaces the node
            return None
        return found.st_ino, found.st_rdev

    def _add(self, watched: WatchedDevice) -> None:
        provider = self._factory(watched.name, watched.args)
        self._loop.add_input_provider(provider, auto_remove=True)
        if getattr(self._loop, "status", "started") == "started":
            provider.start()  # otherwise EventLoop.start() starts it with the others
        self._providers[watched.name] = provider
        log.event("ui.touch_device", state="added", provider=watched.name, device=watched.device)

    def _drop(self, watched: WatchedDevice) -> None:
        provider = self._providers.pop(watched.name)
        self._reported.discard(watched.name)
        provider.stop()
        self._loop.remove_input_provider(provider)
        log.event("ui.touch_device", state="removed", provider=watched.name, device=watched.device)


def hidinput_provider(name: str, args: str) -> InputProvider:
    """Kivy's hidinput provider, whose reader thread ends quietly when the device goes.

    Without this, unplugging prints an ``OSError`` traceback from the thread; the watcher
    drops the provider at its next poll either way.
    """
    from kivy.input.providers.hidinput import HIDInputMotionEventProvider

    class UnpluggableHIDInput(HIDInputMotionEventProvider):
        def _thread_run(self, **kwargs: Any) -> None:  # Kivy 2.3's reader thread
            try:
                super()._thread_run(**kwargs)
            except OSError as error:  # ENODEV when unplugged, ENOENT in a race
                self.lost = error

    return UnpluggableHIDInput(name, args)


_active: list[TouchscreenWatcher] = []  # Kivy's Clock holds bound methods weakly


def watch_touchscreens(
    config: InputConfig, factory: ProviderFactory = hidinput_provider
) -> TouchscreenWatcher | None:
    """Take the hidinput entries out of Kivy's config and poll their device nodes."""
    watched = take_hidinput(config)
    if not watched:
        return None
    from kivy.base import EventLoop
    from kivy.clock import Clock

    watcher = TouchscreenWatcher(watched, factory, EventLoop)
    _active.append(watcher)
    Clock.schedule_once(watcher.poll, 0)
    Clock.schedule_interval(watcher.poll, POLL_INTERVAL_S)
    return watcher
