"""``make soak``: a counter's day on the real Kivy app under Xvfb (issue 18; not in CI).

The demo driver runs ``SOAK_ACCEPTANCES`` acceptances (default 500) in turn by the three
look-ups: the ticket's QR code under the camera, the appointment number typed, and a
walk-in applicant by ID card on the simulated reader. Between two acceptances the camera
preview runs on an empty desk for ``SOAK_PREVIEW_S`` seconds. Then the kiosk idles
``SOAK_IDLE_MIN`` minutes (default 30) with the preview on the empty desk.

Every ``SOAK_SAMPLE_S`` seconds (default 60) a sampler thread records the process's
resident memory, open file descriptors, threads (all of the process's tasks; both the
least of five reads over a second, so a thread or file open for a moment is not counted),
Kivy textures alive (after a garbage collection) and the database's size (file and WAL).
One sample is also taken right after the 50th acceptance, with the preview on: the
baseline of the targets. From there RSS may grow by at most 5 %, file descriptors and
threads not at all.

Writes ``bench/results/soak.json``, ``soak.md`` (the table) and ``soak.png`` (the curves).
``SOAK_ACCEPTANCES=60 SOAK_IDLE_MIN=2 make soak`` checks the harness in a few minutes.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from results_file import RESULTS, write_results

BASELINE_AFTER = 50
RSS_GROWTH_LIMIT = 0.05


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass
class Sample:
    minute: float
    acceptances: int
    phase: str
    rss_mib: float
    fds: int
    threads: int
    textures: int
    db_kib: float


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


SETTLE_READS = 5  # fds and threads: the least of five reads 0.2 s apart


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def settled(count: Any) -> int:
    """The least of a few reads: a thread or file open for a moment (a poll, a print)
    is not a leak; one that stays is counted every time."""
    seen = []
    for _ in range(SETTLE_READS):
        seen.append(count())
        time.sleep(0.2)
    return min(seen)


def textures() -> int:
    """Kivy textures alive in the process (garbage collected first: a texture in an
    unreachable cycle is not a leak)."""
    from kivy.graphics.texture import Texture

    gc.collect()
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Texture))


def db_kib(path: Path) -> float:
    return (
        sum(
            Path(f"{path}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{path}{suffix}").exists()
        )
        / 1024
    )


class Soak:
    def __init__(self, acceptances: int, idle_min: float, sample_s: float, preview_s: float):
        self.acceptances = acceptances
        self.idle_min = idle_min
        self.sample_s = sample_s
        self.preview_s = preview_s
        self.done = 0
        self.phase = "acceptances"
        self.samples: list[Sample] = []
        self.started = time.monotonic()
        self.stop = threading.Event()
        self.driver: Any = None
        self.db_path: Path | None = None
        self.per_kind: dict[str, int] = {"qr": 0, "appointment": 0, "walk_in_card": 0}
        self.relogins = 0
        self.report: Callable[[], None] = lambda: None  # writes the results so far

    def sample(self, phase: str | None = None) -> None:
        try:
            count = self.driver.on_main(textures)
        except Exception as exc:  # a weak proxy gone mid-count, the app stopping
            print(f"soak: texture count failed: {exc!r}", flush=True)
            count = -1
        assert self.db_path is not None
        row = Sample(
            minute=round((time.monotonic() - self.started) / 60, 2),
            acceptances=self.done,
            phase=phase or self.phase,
            rss_mib=round(rss_mib(), 1),
            fds=settled(open_fds),
            threads=settled(threads),
            textures=count,
            db_kib=round(db_kib(self.db_path), 1),
        )
        self.samples.append(row)
        self.report()
        print(
            f"soak: {row.minute:6.1f} min {row.acceptances:4d} acc {row.rss_mib:7.1f} MiB "
            f"{row.fds:3d} fds {row.threads:3d} thr {row.textures:4d} tex "
            f"{row.db_kib:8.1f} KiB {row.phase}",
            flush=True,
        )

    def sampler(self) -> None:
        while not self.stop.wait(self.sample_s):
            try:
                self.sample()
            except Exception as exc:  # the app may be stopping
                print(f"soak: sample failed: {exc!r}", flush=True)


def empty_desk(folder: Path) -> Path:
    """A grey desk with nothing on it, the size of the bundled tickets."""
    import cv2
    from appliance_dev.sim.replay_camera import bundled_tickets

    h, w = cv2.imread(str(bundled_tickets()[0]), cv2.IMREAD_GRAYSCALE).shape
    rng = np.random.default_rng(1)
    desk = (80 + rng.normal(0, 4, (h, w))).clip(0, 255).astype(np.uint8)
    path = folder / "empty-desk.png"
    cv2.imwrite(str(path), desk)
    return path


def script(soak: Soak) -> Any:
    from appliance_dev.demo import scripts as s
    from appliance_dev.sim.fresh_appointments import draw_booked_ticket, renumber

    from appliance.store.appointments import save_appointments
    from appliance.wiring import demo_appointments, hall_now

    def run(d: Any) -> None:
        desk = empty_desk(d.output)
        camera = d.app.services.camera
        s.lift_card(d)
        s.login(d)
        d.on_screen("home")
        today = hall_now().date()
        bundled = {a.applicant.name: a for a in demo_appointments(today)}

        def book(i: int, name: str) -> str:
            number = f"YY{today:%Y%m%d}{(500_000 + i) % 1_000_000:06d}"
            appointment = renumber(bundled[name], number, today)
            d.in_background(lambda: save_appointments(d.app.services.db, [appointment]))
            return number

        def qr(i: int) -> None:
            number = book(i, "李华")
            ticket = draw_booked_ticket(
                renumber(bundled["李华"], number, today), d.output / "tickets"
            )
            s.scan(d, ticket)
            d.tap("scan.read")
            d.on_screen("confirm")
            d.tap("confirm.submit")

        def appointment(i: int) -> None:
            number = book(i, "王芳")
            d.tap("lookup.appointment")
            d.on_screen("appointment")
            d.tap("keys.clear")
            s.type_keys(d, number.removeprefix("YY"))
            d.tap("appointment.find")
            d.on_screen("confirm")
            d.tap("confirm.submit")

        def walk_in_card(_i: int) -> None:
            s.search_item(d, "shbzk", "社会保障卡补领")
            d.tap("item.handle")
            d.on_screen("item_type")
            d.tap("item_type.branch")
            s.armed_on(d, "applicant")
            s.lay_card(d, "resident_id")
            d.on_screen("confirm")
            d.tap("confirm.submit")

        kinds = [("qr", qr), ("appointment", appointment), ("walk_in_card", walk_in_card)]
        for i in range(soak.acceptances):
            name, walk = kinds[i % len(kinds)]
            if d.on_main(lambda: d.app.manager.current) == "login":  # locked: log in again
                soak.relogins += 1
                s.login(d)
            d.on_screen("home")
            walk(i)
            d.on_screen("success")
            s.printed(d)
            s.lift_card(d)
            d.tap("success.next")
            soak.done += 1
            soak.per_kind[name] += 1
            d.on_screen("home")  # the preview between two applicants, on an empty desk
            camera.show(desk)
            d.tap("lookup.qr")
            d.on_screen("scan")
            time.sleep(soak.preview_s)
            if soak.done == BASELINE_AFTER:  # preview on: its grabber thread is counted
                soak.sample("baseline")
            d.tap("common.back")
        soak.phase = "idle"
        soak.sample("idle-start")
        d.on_screen("home")
        camera.show(desk)
        d.tap("lookup.qr")
        d.on_screen("scan")
        deadline = time.monotonic() + soak.idle_min * 60
        while time.monotonic() < deadline:
            time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
            if d.app.manager.current != "scan":  # e.g. the idle key lock: note it
                d.findings.setdefault("left_scan_during_idle", d.app.manager.current)
        soak.stop.set()
        soak.sample("end")
        d.findings["acceptances"] = soak.done

    return run


def verdict(samples: list[Sample]) -> dict[str, Any]:
    base = next((x for x in samples if x.phase == "baseline"), None)
    if base is None:
        return {"baseline": None, "note": f"fewer than {BASELINE_AFTER} acceptances"}
    later = [x for x in samples if x.acceptances >= BASELINE_AFTER]
    rss_max = max(x.rss_mib for x in later)
    end = samples[-1]
    return {
        "baseline": asdict(base),
        "rss_growth_max": round(rss_max / base.rss_mib - 1, 4),
        "rss_growth_end": round(end.rss_mib / base.rss_mib - 1, 4),
        "fds_growth_max": max(x.fds for x in later) - base.fds,
        "threads_growth_max": max(x.threads for x in later) - base.threads,
        "textures_growth_max": max(x.textures for x in later) - base.textures,
        "rss_ok": rss_max <= base.rss_mib * (1 + RSS_GROWTH_LIMIT),
        "fds_ok": max(x.fds for x in later) <= base.fds,
        "threads_ok": max(x.threads for x in later) <= base.threads,
    }


def markdown(samples: list[Sample], result: dict[str, Any]) -> str:
    lines = [
        "| minute | acceptances | phase | RSS MiB | fds | threads | textures | db KiB |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for x in samples:
        lines.append(
            f"| {x.minute} | {x.acceptances} | {x.phase} | {x.rss_mib} | {x.fds} | "
            f"{x.threads} | {x.textures} | {x.db_kib} |"
        )
    lines.append("")
    lines.append("```json")
    lines.append(json.dumps(result, indent=1))
    lines.append("```")
    return "\n".join(lines) + "\n"


def plot(samples: list[Sample], path: Path) -> None:
    """Five small panels (RSS, fds, threads, textures, db size) against minutes, with
    Pillow; the baseline sample is marked in red."""
    series = [
        ("RSS MiB", [x.rss_mib for x in samples]),
        ("open fds", [float(x.fds) for x in samples]),
        ("threads", [float(x.threads) for x in samples]),
        ("Kivy textures", [float(x.textures) for x in samples]),
        ("db + WAL KiB", [x.db_kib for x in samples]),
    ]
    minutes = [x.minute for x in samples]
    width, panel, margin = 900, 170, 60
    image = Image.new("RGB", (width, panel * len(series) + 30), "white")
    draw = ImageDraw.Draw(image)
    t_max = max(minutes[-1], 1e-6)
    for k, (title, values) in enumerate(series):
        top = 20 + k * panel
        box = (margin, top + 20, width - 20, top + panel - 20)
        draw.rectangle(box, outline="black")
        low, high = min(values), max(values)
        span = (high - low) or max(abs(high), 1.0) * 0.1
        low, high = low - span * 0.1, high + span * 0.1
        draw.text((margin, top + 4), f"{title}: {values[0]:g} .. {values[-1]:g}", fill="black")
        draw.text((4, box[1]), f"{high:.0f}", fill="gray")
        draw.text((4, box[3] - 12), f"{low:.0f}", fill="gray")

        def xy(t: float, v: float, box=box, low=low, high=high) -> tuple[float, float]:
            x = box[0] + (box[2] - box[0]) * t / t_max
            y = box[3] - (box[3] - box[1]) * (v - low) / (high - low)
            return x, y

        points = [xy(t, v) for t, v in zip(minutes, values, strict=True)]
        if len(points) > 1:
            draw.line(points, fill="navy", width=2)
        for sample, point in zip(samples, points, strict=True):
            if sample.phase == "baseline":
                draw.ellipse([point[0] - 4, point[1] - 4, point[0] + 4, point[1] + 4], fill="red")
            if sample.phase == "idle-start":
                draw.line([(point[0], box[1]), (point[0], box[3])], fill="orange")
    draw.text((margin, panel * len(series) + 8), f"minutes (0 .. {t_max:.1f})", fill="black")
    image.save(path)


def write_report(soak: Soak, driver: Any, quiet: bool = False) -> None:
    """soak.json, soak.md and soak.png with the samples so far (rewritten at each one, so
    a run stopped early still leaves its curves)."""
    result = verdict(soak.samples)
    report = {
        "acceptances": soak.done,
        "per_lookup": soak.per_kind,
        "relogins": soak.relogins,
        "idle_min": soak.idle_min,
        "sample_s": soak.sample_s,
        "preview_between_s": soak.preview_s,
        "finished": soak.stop.is_set(),
        "succeeded": driver.succeeded,
        "findings": driver.findings,
        "verdict": result,
        "samples": [asdict(x) for x in soak.samples],
        "day": date.today().isoformat(),
    }
    if quiet:
        with contextlib.redirect_stdout(io.StringIO()):
            write_results("soak", report)
    else:
        write_results("soak", report)
    (RESULTS / "soak.md").write_text(markdown(soak.samples, result), encoding="utf-8")
    if soak.samples:
        plot(soak.samples, RESULTS / "soak.png")


def main() -> int:
    from appliance.config import dev_config_text, load_config

    soak = Soak(
        acceptances=int(_env("SOAK_ACCEPTANCES", 500)),
        idle_min=_env("SOAK_IDLE_MIN", 30),
        sample_s=_env("SOAK_SAMPLE_S", 60),
        preview_s=_env("SOAK_PREVIEW_S", 2),
    )
    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    config_path = tmp / "appliance.toml"
    # The idle lock would stop the preview of the idle phase (and the driver's taps are no
    # window touches), so it is set to its longest here; the clerk's touches keep it off
    # on a real counter day.
    text = dev_config_text(tmp / "data")
    text = re.sub(r"idle_lock_minutes = [0-9.]+", "idle_lock_minutes = 480", text)
    config_path.write_text(text, encoding="utf-8")
    config = load_config(config_path)
    soak.db_path = config.data_dir / "appliance.db"

    from appliance_dev.virtual_display import has_display, start_virtual_display

    from appliance.commands.kiosk import STARTED_AT, prepare_kiosk

    display = None if has_display() else start_virtual_display(config.ui.width, config.ui.height)
    try:
        app_class, services = prepare_kiosk(config)
        from appliance_dev.demo.driver import DemoDriver

        app = app_class(services, STARTED_AT)
        driver = DemoDriver(app, tmp / "demo")
        soak.driver = driver
        soak.report = lambda: write_report(soak, driver, quiet=True)
        sampler = threading.Thread(target=soak.sampler, name="soak-sampler", daemon=True)

        def started(_app: Any) -> None:
            soak.started = time.monotonic()
            sampler.start()
            driver.start("soak", script(soak))

        app.on_started = started
        app.run()
    finally:
        soak.stop.set()
        if display is not None:
            display.terminate()
    write_report(soak, driver)
    print(markdown(soak.samples, verdict(soak.samples)))
    return 0 if driver.succeeded else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
