"""Runs blocking counter work off the Kivy main thread, one job at a time.

One worker keeps the counter's state machines single-threaded: a print and a key poll
never interleave. Results come back on the main thread through ``Clock.schedule_once``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kivy.clock import Clock


class Background:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="counter")
        self.busy = 0

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.busy += 1

        def deliver(future: Future) -> None:
            self.busy -= 1
            error = future.exception()
            if error is None:
                if on_done:
                    on_done(future.result())
            elif on_error:
                on_error(error)
            else:
                raise error

        future = self._pool.submit(work)
        future.add_done_callback(lambda f: Clock.schedule_once(lambda _dt: deliver(f)))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
