"""The development commands added to ``appliance``: the scripted demo, the development
branch server and the simulated USB bus."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from appliance.config import Config
from appliance.development import CommandGroup


class DemoCommand:
    names: tuple[str, ...] = ("demo",)

    def add(self, commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
        demo = commands.add_parser(
            "demo", parents=[common], help="drive one complete acceptance and save screenshots"
        )
        demo.add_argument("--output", type=Path, default=None, help="folder for the screenshots")
        demo.add_argument(
            "--script",
            choices=["acceptance", "faults", "resume", "walk_in"],
            default="acceptance",
            help="acceptance: the three look-ups and a walk-in by ID card to receipts; "
            "faults: wrong input, cards refused, pulled key, no paper; resume: after a "
            "restart; walk_in: typed vs card, counted (make bench BENCH=flow)",
        )

    def run(self, config: Config, args: argparse.Namespace) -> int:
        from appliance.commands.kiosk import STARTED_AT, prepare_kiosk
        from appliance_dev.virtual_display import has_display, start_virtual_display

        display = (
            None if has_display() else start_virtual_display(config.ui.width, config.ui.height)
        )
        try:
            app_class, services = prepare_kiosk(config)
            from appliance_dev.demo.driver import DemoDriver, private_dir
            from appliance_dev.demo.scripts import SCRIPTS

            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            if args.output is None:
                private_dir(config.data_dir / "demo")
            output = (args.output or config.data_dir / "demo" / stamp).resolve()
            app = app_class(services, STARTED_AT)
            driver = DemoDriver(app, output)
            app.on_started = lambda _app: driver.start(args.script, SCRIPTS[args.script])
            app.run()
            if app.first_frame_ms is not None:
                (output / "timing.txt").write_text(
                    f"first_frame_ms={app.first_frame_ms:.0f}\n", encoding="utf-8"
                )
        finally:
            if display is not None:
                display.terminate()
        if not driver.succeeded:
            print(f"demo failed; partial output: {output}", file=sys.stderr)
            return 1
        print(f"demo output: {output}")
        return 0


class BranchServerCommand:
    names: tuple[str, ...] = ("branch-server", "devserver")

    def add(self, commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
        server = commands.add_parser(
            "branch-server",
            aliases=["devserver"],
            parents=[common],
            help="the development branch server (loopback)",
        )
        server.add_argument(
            "--port", type=int, default=None, help="port (default: the one in branch_server.url)"
        )
        server.add_argument(
            "--data",
            type=Path,
            default=None,
            help="its own data folder (default: <data_dir>/branch-server)",
        )
        server.add_argument("--error-rate", type=float, default=0.0, help="share of 503 answers")
        server.add_argument("--slow-ms", type=int, default=0, help="delay before every answer")
        server.add_argument(
            "--throttle-rate", type=float, default=0.0, help="share of 429 answers with Retry-After"
        )
        server.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds")
        server.add_argument(
            "--drop-rate",
            type=float,
            default=0.0,
            help="share of batches stored and then left unanswered",
        )
        server.add_argument("--seed", type=int, default=None, help="seed of the fault draws")
        server.add_argument("--token-ttl", type=int, default=3600, help="access token lifetime")
        server.add_argument(
            "--require-signature",
            action="store_true",
            help="refuse submissions without an operator signature",
        )

    def run(self, config: Config, args: argparse.Namespace) -> int:
        from appliance_dev.devserver.faults import Faults
        from appliance_dev.devserver.run import build_server, serve

        faults = Faults(
            error_rate=args.error_rate,
            slow_ms=args.slow_ms,
            throttle_rate=args.throttle_rate,
            retry_after_s=args.retry_after,
            drop_rate=args.drop_rate,
            seed=args.seed,
        )
        server = build_server(
            config,
            args.data or config.data_dir / "branch-server",
            faults,
            port=args.port,
            token_ttl_s=args.token_ttl,
            require_signature=args.require_signature,
        )
        return serve(server)


class UsbCommand:
    names: tuple[str, ...] = ("usb",)

    def add(self, commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
        usb = commands.add_parser("usb", parents=[common], help="the simulated USB bus")
        usb.add_argument("action", choices=["list", "plug", "unplug"])
        usb.add_argument("device", nargs="?", choices=["key", "printer"])

    def run(self, config: Config, args: argparse.Namespace) -> int:
        from appliance_dev.sim.fake_usb import NAMED_DEVICES, FakeUsbBus

        bus = FakeUsbBus(config.usb.state_file or config.data_dir / "usb-bus.json")
        if args.action != "list":
            if args.device is None:
                print("appliance: error: say which device: key or printer", file=sys.stderr)
                return 2
            (bus.plug if args.action == "plug" else bus.unplug)(NAMED_DEVICES[args.device])
        for found in bus.devices():
            print(f"{found.ids}  {found.description}")
        return 0


COMMANDS: list[CommandGroup] = [DemoCommand(), BranchServerCommand(), UsbCommand()]
