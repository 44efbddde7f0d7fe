"""Installing an update on trial, and what the box records afterwards: the ESP's loader
entries, history.jsonl, the audit trail, status.json, 系统诊断 and the heartbeat."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.commands.cli import main as cli_main
from appliance.ed25519_keys import public_pem
from appliance.store.db import connect
from appliance.updates import bundle as updates
from appliance.updates.bundle import UpdateRefused, make_bundle
from appliance.updates.install import install, main
from appliance.updates.status import (
    UpdatePaths,
    read_history,
    read_status_file,
    refresh,
)
from appliance.updates.words import chinese_lines, english_lines

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
OPTIONS = "root=PARTLABEL=root-a ro console=ttyS0 systemd.wants=appliance-boot-report.service"
SLOT_BYTES = 2 * (1 << 20) + 7


class Box:
    """A box's ESP, kernel command line, spare slot device and data folder in tmp_path."""

    def __init__(self, root: Path) -> None:
        self.paths = UpdatePaths(
            root / "data" / "updates",
            root / "data" / "appliance.db",
            root / "esp",
            root / "cmdline",
        )
        self.devices = root / "dev"
        self.devices.mkdir(parents=True)
        (self.devices / "root-b").write_bytes(b"\xff" * (3 << 20))
        self.paths.entries.mkdir(parents=True)
        (self.paths.entries / "appliance-0.1.0-a.conf").write_text(
            f"title Counter appliance 0.1.0 (slot a)\nlinux /slot-a/vmlinuz\n"
            f"initrd /slot-a/initrd.img\noptions {OPTIONS}\n"
        )
        self.boot("a")

    def boot(self, slot: str) -> None:
        self.paths.cmdline.write_text(OPTIONS.replace("root-a", f"root-{slot}") + "\n")

    def entries(self) -> list[str]:
        return sorted(p.name for p in self.paths.entries.iterdir())

    def rename(self, old: str, new: str) -> None:
        """What systemd-boot (a counted boot) or systemd-bless-boot does."""
        (self.paths.entries / old).rename(self.paths.entries / new)

    def audit_actions(self) -> list[str]:
        db = connect(self.paths.database)
        try:
            return [row[0] for row in db.execute("SELECT action FROM audit_log ORDER BY seq")]
        finally:
            db.conn.close()


@pytest.fixture
def box(tmp_path: Path) -> Box:
    return Box(tmp_path / "box")


@pytest.fixture
def release(tmp_path: Path):
    """A real signed bundle of version 0.2.0 and the box's public key file."""
    key = Ed25519PrivateKey.generate()
    work = tmp_path / "release"
    (work / "boot").mkdir(parents=True)
    image = work / "root.ext4"
    image.write_bytes(os.urandom(SLOT_BYTES))
    (work / "boot" / "vmlinuz").write_bytes(b"kernel-0.2.0")
    (work / "boot" / "initrd.img").write_bytes(b"initrd-0.2.0")
    bundle = work / "appliance-0.2.0.bundle"
    make_bundle(bundle, key, "0.2.0", "amd64", image, work / "boot")
    public = work / "update-signing.pub"
    public.write_bytes(public_pem(key.public_key()))
    return bundle, public, image


def run_install(box: Box, bundle: Path, public: Path, arch: str = "amd64", tries: int = 3):
    return install(bundle, box.paths, public, arch, "0.1.0", tries, box.devices)


def test_install_replaces_the_spare_entry_only_after_emptying_it(box, release, monkeypatch) -> None:
    bundle, public, image = release
    (box.paths.entries / "appliance-0.0.9-b.conf").write_text("options root=PARTLABEL=root-b\n")
    seen_while_writing = []
    write_image = updates._write_image

    def watched(*args):
        seen_while_writing.append(box.entries())
        return write_image(*args)

    monkeypatch.setattr(updates, "_write_image", watched)
    manifest, spare, entry = run_install(box, bundle, public)
    assert (manifest.version, spare, entry) == ("0.2.0", "b", "appliance-0.2.0-b+3.conf")
    assert seen_while_writing == [["appliance-0.1.0-a.conf"]]
    assert box.entries() == ["appliance-0.1.0-a.conf", "appliance-0.2.0-b+3.conf"]
    text = (box.paths.entries / entry).read_text()
    assert f"options {OPTIONS.replace('root-a', 'root-b')}\n" in text
    assert "linux /slot-b/vmlinuz\n" in text
    assert (box.paths.esp / "slot-b" / "vmlinuz").read_bytes() == b"kernel-0.2.0"
    assert (box.devices / "root-b").read_bytes()[:SLOT_BYTES] == image.read_bytes()


@pytest.mark.parametrize(
    ("signer", "arch", "reason"),
    [
        ("other", "amd64", "signature"),
        ("release", "arm64", "this box is arm64"),
    ],
)
def test_refused_bundle_writes_nothing(box, release, tmp_path, signer, arch, reason) -> None:
    bundle, public, _image = release
    (box.paths.entries / "appliance-0.0.9-b.conf").write_text("options root=PARTLABEL=root-b\n")
    if signer == "other":
        public = tmp_path / "other.pub"
        public.write_bytes(public_pem(Ed25519PrivateKey.generate().public_key()))
    before = box.entries()
    with pytest.raises(UpdateRefused, match=reason):
        run_install(box, bundle, public, arch=arch)
    assert box.entries() == before
    assert (box.devices / "root-b").read_bytes() == b"\xff" * (3 << 20)
    assert not (box.paths.esp / "slot-b").exists()


def test_no_install_over_the_last_good_slot_while_running_on_trial(box, release) -> None:
    bundle, public, _image = release
    box.rename("appliance-0.1.0-a.conf", "appliance-0.1.0-a+2-1.conf")
    with pytest.raises(UpdateRefused, match="not blessed yet"):
        run_install(box, bundle, public)
    assert box.entries() == ["appliance-0.1.0-a+2-1.conf"]


def test_refusal_is_recorded_and_exits_1(box, release, tmp_path, capsys) -> None:
    junk = tmp_path / "junk.bundle"
    junk.write_bytes(b"not a tar")
    assert main([str(junk)], box.paths, release[1]) == 1
    assert capsys.readouterr().err.splitlines()[-1].startswith("appliance-update: refused: ")
    [record] = read_history(box.paths.updates_dir)
    assert record["event"] == "refused" and record["bundle"] == "junk.bundle"
    assert box.entries() == ["appliance-0.1.0-a.conf"]


def test_install_command_records_the_install(box, release, capsys, monkeypatch) -> None:
    bundle, public, _image = release
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    assert main([str(bundle), "--tries", "2"], box.paths, public, box.devices) == 0
    assert capsys.readouterr().out.startswith("appliance-update: installed in slot b: 0.2.0 ")
    assert box.entries() == ["appliance-0.1.0-a.conf", "appliance-0.2.0-b+2.conf"]
    [record] = read_history(box.paths.updates_dir)
    assert (record["event"], record["version"], record["slot"], record["tries"]) == (
        "install",
        "0.2.0",
        "b",
        2,
    )
    assert box.audit_actions() == ["update.installed"]
    assert main([str(bundle), "--tries", "0"], box.paths, public, box.devices) == 2


def record_install(box: Box, release) -> None:
    from appliance.updates.status import record_outcome

    bundle, public, _image = release
    manifest, spare, entry = run_install(box, bundle, public)
    record_outcome(
        box.paths,
        {
            "event": "install",
            "version": manifest.version,
            "slot": spare,
            "tries": 3,
            "entry": entry,
        },
        T0,
    )


def test_fresh_image_status(box) -> None:
    status = refresh(box.paths, T0)
    assert status["booted"] == "a" and status["next_boot"] == "a"
    assert status["slots"]["a"]["state"] == "blessed" and status["slots"]["b"]["state"] == "empty"
    assert status["last_update"] is None
    assert read_status_file(box.paths.updates_dir) == status
    assert chinese_lines(status) == [
        "当前系统：A 槽 0.1.0（已确认）",
        "备用系统：B 槽 空",
        "上次更新：无",
    ]
    assert (box.paths.updates_dir / "status.json").stat().st_mode & 0o777 == 0o640


def test_good_update_is_tried_then_blessed_once(box, release) -> None:
    record_install(box, release)
    status = refresh(box.paths, T0)
    assert status["next_boot"] == "b" and status["slots"]["b"]["tries_left"] == 3
    assert "下次启动：B 槽" in chinese_lines(status)
    assert chinese_lines(status)[-1].startswith("上次更新：版本 0.2.0 已写入 B 槽，重启后试用")
    box.rename("appliance-0.2.0-b+3.conf", "appliance-0.2.0-b+2-1.conf")  # systemd-boot
    box.boot("b")
    trial = refresh(box.paths, T0)
    assert trial["slots"]["b"]["state"] == "trial" and trial["last_update"]["event"] == "install"
    box.rename("appliance-0.2.0-b+2-1.conf", "appliance-0.2.0-b.conf")  # systemd-bless-boot
    blessed = refresh(box.paths, T0)
    refresh(box.paths, T0)
    assert [r["event"] for r in read_history(box.paths.updates_dir)] == ["install", "blessed"]
    assert blessed["last_update"]["event"] == "blessed"
    assert box.audit_actions() == ["update.installed", "update.blessed"]
    assert chinese_lines(blessed)[:2] == [
        "当前系统：B 槽 0.2.0（已确认）",
        "备用系统：A 槽 0.1.0（已确认）",
    ]
    assert "slot b: 0.2.0 blessed - booted - boots next" in english_lines(blessed)


def test_update_that_never_gets_ready_rolls_back_once(box, release) -> None:
    record_install(box, release)
    box.rename("appliance-0.2.0-b+3.conf", "appliance-0.2.0-b+0-3.conf")  # three tries used
    box.boot("a")
    status = refresh(box.paths, T0)
    refresh(box.paths, T0)
    history = read_history(box.paths.updates_dir)
    assert [r["event"] for r in history] == ["install", "rollback"]
    assert history[-1] | {"at": None} == {
        "event": "rollback",
        "at": None,
        "version": "0.2.0",
        "slot": "b",
        "booted": "a",
        "booted_version": "0.1.0",
        "tries_done": 3,
    }
    assert status["next_boot"] == "a" and status["slots"]["b"]["state"] == "failed"
    assert box.audit_actions() == ["update.installed", "update.rolled_back"]
    assert chinese_lines(status) == [
        "当前系统：A 槽 0.1.0（已确认）",
        "备用系统：B 槽 0.2.0（启动失败，已停用）",
        "上次更新：版本 0.2.0 启动失败，已自动回到 A 槽　2026-12-01 02:00",
    ]


def test_status_command_reads_the_esp_or_else_status_json(box, tmp_path, capsys) -> None:
    config = tmp_path / "appliance.toml"
    from appliance.config import dev_config_text

    config.write_text(dev_config_text(box.paths.updates_dir.parent))
    argv = [
        "update",
        "status",
        "--config",
        str(config),
        "--esp",
        str(box.paths.esp),
        "--cmdline",
        str(box.paths.cmdline),
    ]
    assert cli_main([*argv, "--write"]) == 0
    assert read_status_file(box.paths.updates_dir)["booted"] == "a"
    capsys.readouterr()
    assert cli_main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["slots"]["a"]["version"] == "0.1.0"
    argv[argv.index("--esp") + 1] = str(tmp_path / "unreadable")
    assert cli_main(argv) == 0
    out = capsys.readouterr().out
    assert "from status.json of" in out and "slot a: 0.1.0 blessed - booted" in out


def test_no_status_yet_reads_unknown_in_diagnostics(tmp_path) -> None:
    assert read_status_file(tmp_path) is None
    assert chinese_lines(None) == ["系统更新状态：未知（本次启动尚未记录）"]


def test_heartbeat_carries_the_update_status(tmp_path) -> None:
    from appliance.updates.status import write_status
    from tests.sync_helpers import heartbeat_after_one_pull, make_config, start_server

    config = make_config(tmp_path / "box")
    server, config = start_server(config, tmp_path / "server")
    status = {"booted": "a", "next_boot": "a", "slots": {}, "last_update": None}
    write_status(config.data_dir / "updates", status)
    body = heartbeat_after_one_pull(config, server, tmp_path / "server")
    assert body["update"] == status
