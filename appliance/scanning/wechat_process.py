"""The WeChat decoder in a child process, so that one frame can cost only so much CPU.

OpenCV's WeChat decoder cannot be interrupted, and on some frames it takes seconds: a
blank slip under the sensor noise of an uncompressed camera (sigma 4 to 8 grey levels)
took 1.5 s at 720p and 13 s at 1080p on the development machine, where a ticket takes
10-140 ms. In a process of its own it can be stopped: when the frame in hand has cost
``limit_s`` of CPU (read from ``/proc``, so a loaded machine's waiting is not counted),
the child is killed and started again, and the frame counts as unread. Every CPU second
the child spends (start-up, decodes, the killed one) is reported in :attr:`last_cpu_s`
for the budget.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from appliance import log
from appliance.scanning.port import Symbol
from appliance.scanning.wechat import MODEL_DIR, ModelFileError

CHILD = "appliance.scanning.wechat_child"
POLL_S = 0.02
START_TIMEOUT_S = 30.0
# A frame may wait this many times its CPU limit in wall time (a loaded machine) at most.
WALL_FACTOR = 10
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User plus system CPU seconds of a running process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


class WeChatProcess:
    """The WeChat decoder behind a pipe (the :class:`~appliance.scanning.port.Decoder` port).

    Built on the escalation's thread; raises :class:`ModelFileError` when the child
    cannot check or load the models. Not thread-safe: one caller at a time.
    """

    FORMAT = "QRCode"

    def __init__(self, limit_s: float = 0.5, model_dir: Path = MODEL_DIR) -> None:
        self.limit_s = limit_s
        self._model_dir = model_dir
        self._proc: subprocess.Popen[bytes] | None = None
        self._reported = 0.0  # CPU seconds the running child has reported
        self._buffer = b""
        self.last_cpu_s = 0.0  # the child's CPU in the last read (or the start-up)
        self.overruns = 0
        self._start()

    def _start(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", CHILD, str(self._model_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        self._reported, self._buffer = 0.0, b""
        reply = self._reply(START_TIMEOUT_S, cpu_limit_s=None)
        if reply is None or not reply.get("ready"):
            self._stop()
            message = (reply or {}).get("message", "the WeChat decoder process did not start")
            raise ModelFileError(message)
        self._reported = float(reply["cpu_s"])
        self.last_cpu_s += self._reported

    def read(self, gray: np.ndarray) -> list[Symbol]:
        if gray.ndim != 2 or gray.dtype != np.uint8:
            raise ValueError(f"expected a 2-D uint8 image, got {gray.ndim}-D {gray.dtype}")
        self.last_cpu_s = 0.0
        if self._proc is None:
            self._start()  # after an overrun; its start-up CPU is this read's too
        assert self._proc is not None and self._proc.stdin is not None
        frame = np.ascontiguousarray(gray)
        try:
            self._proc.stdin.write(f"{frame.shape[0]} {frame.shape[1]}\n".encode())
            self._proc.stdin.write(frame.data)
        except BrokenPipeError:
            self._stop()
            return []
        reply = self._reply(self.limit_s * WALL_FACTOR, cpu_limit_s=self.limit_s)
        if reply is None:
            self.overruns += 1
            cpu = self._stop()
            log.event(
                "scan.escalation_overrun",
                cpu_ms=round(cpu * 1000),
                limit_ms=round(self.limit_s * 1000),
            )
            return []
        self._reported += reply["cpu_s"]
        self.last_cpu_s += reply["cpu_s"]
        return [Symbol(text, self.FORMAT) for text in reply["texts"] if text]

    def _reply(self, wall_limit_s: float, cpu_limit_s: float | None) -> dict | None:
        """The child's next JSON line; None when a limit passed or the child is gone."""
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + wall_limit_s
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([fd], [], [], min(POLL_S, remaining))
            if readable:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None  # the child exited
                self._buffer += chunk
            elif cpu_limit_s is not None:
                try:
                    spent = process_cpu_s(self._proc.pid) - self._reported
                except OSError:
                    return None
                if spent > cpu_limit_s:
                    return None
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def _stop(self) -> float:
        """Kill the child; the CPU it spent beyond what it reported, in seconds."""
        proc, self._proc = self._proc, None
        if proc is None:
            return 0.0
        proc.kill()
        _pid, _status, usage = os.wait4(proc.pid, 0)
        proc.returncode = -9  # reaped here, so Popen must not wait for it again
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        unreported = max(0.0, usage.ru_utime + usage.ru_stime - self._reported)
        self.last_cpu_s += unreported
        return unreported

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
