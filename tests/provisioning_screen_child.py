"""The real kiosk on a box not set up yet: it must open 设备初始化 and show the last
refusal. Run by tests/test_ui_provisioning.py as
``KIVY_NO_ARGS=1 python -m tests.provisioning_screen_child --work DIR``; writes
``DIR/out/p01-refused.png`` (and ``.json`` with the labels), then a second refusal
written while it runs, ``p02-newer-refusal``, and ``result.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import traceback
from pathlib import Path

from appliance import log
from appliance.config import dev_config_text, load_config
from appliance.provisioning.result import LAST_RESULT, LastResult, to_json
from appliance.provisioning.words import REASONS


def refusal(reason: str) -> LastResult:
    words = REASONS[reason]
    return LastResult(False, reason, words.chinese, words.english, "2025-03-01T09:00:00+08:00")


def write_config(work: Path) -> Path:
    text = dev_config_text(work / "data")
    text = re.sub(r"demo_token = true.*", "demo_token = false", text)
    text = re.sub(r"demo_data = true.*", "demo_data = false", text)
    provisioning = work / "provisioning"
    text += (
        f'\n[provisioning]\nsite_file = "{provisioning / "site.toml"}"\n'
        f'public_key = "{work / "provisioning.pub"}"\n'
    )
    path = work / "appliance.toml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    work = parser.parse_args().work
    log.configure()
    config = load_config(write_config(work))
    directory = config.provisioning.site_file.parent
    directory.mkdir(parents=True)
    (directory / LAST_RESULT).write_bytes(to_json(refusal("bad_signature")))
    from appliance_dev.virtual_display import has_display, start_virtual_display

    display = None if has_display() else start_virtual_display(config.ui.width, config.ui.height)
    result: dict = {}
    try:
        from appliance.commands.kiosk import STARTED_AT, prepare_kiosk

        app_class, services = prepare_kiosk(config)  # configures Kivy before it is imported
        from appliance_dev.demo.driver import DemoDriver

        app = app_class(services, STARTED_AT)
        driver = DemoDriver(app, work / "out")
        (work / "out").mkdir()

        def walk() -> None:
            try:
                screen = app.screens["provisioning"]
                driver.on_screen("provisioning")
                driver.wait(
                    "the refusal", lambda: REASONS["bad_signature"].chinese in screen.result.text
                )
                driver.wait("the devices", lambda: all(line.text for line in screen.devices))
                driver.shoot("p01-refused")
                driver.on_main(lambda: app.go("login"))  # a locked key, a poll: stays put
                result["after_go_login"] = driver.on_main(lambda: app.manager.current)
                (directory / LAST_RESULT).write_bytes(to_json(refusal("not_newer")))
                driver.wait(
                    "the newer refusal", lambda: REASONS["not_newer"].chinese in screen.result.text
                )
                driver.shoot("p02-newer-refusal")
                result["ok"] = True
            except Exception:
                result["error"] = traceback.format_exc()
            finally:
                driver.on_main(app.stop)

        app.on_started = lambda _app: threading.Thread(target=walk, daemon=True).start()
        app.run()
    finally:
        if display is not None:
            display.terminate()
    (work / "out" / "result.json").write_text(json.dumps(result), encoding="utf-8")
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
