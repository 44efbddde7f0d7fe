"""The box side of an update: install a bundle into the spare slot, on trial.

``appliance-update BUNDLE [--tries N] [--reboot]`` (images/update/appliance-update), as
root. The running slot comes from the kernel command line (``root=PARTLABEL=root-a``);
the bundle goes to the other one. In order, so that a power cut at any moment leaves a
box that boots the old slot:

1. the bundle's signature, architecture and version are checked (nothing written yet);
2. every loader entry of the spare slot is deleted and the entries folder fsynced: from
   here on nothing points at the slot being written;
3. the image is streamed into the slot, kernel and initrd go to ``ESP/slot-<x>/`` (all
   fsynced);
4. the entry ``appliance-<version>-<x>+<N>.conf`` is written atomically: systemd-boot
   boots it next (newest version first) at most N times until
   ``systemd-bless-boot`` blesses it (:mod:`appliance.updates.boot_slots`).

The outcome goes to history.jsonl and the audit trail (:mod:`appliance.updates.status`).
Exit 0: installed; 1: refused or failed, the reason on stderr; 2: usage.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tarfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

from appliance import __version__, log
from appliance.errors import ApplianceError
from appliance.updates.boot_slots import (
    DEFAULT_TRIES,
    boot_order,
    booted_slot,
    entry_text,
    format_entry,
    parse_entry,
    spare_slot,
)
from appliance.updates.bundle import Manifest, UpdateRefused, install_bundle, load_public_key
from appliance.updates.bundle import fsync_directory as _fsync_directory
from appliance.updates.status import UpdatePaths, record_outcome

PUBLIC_KEY = Path("/etc/appliance/update-signing.pub")
SLOT_DEVICES = Path("/dev/disk/by-partlabel")
BOX_DATA_DIR = Path("/var/lib/appliance")
ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}


def running_slot(cmdline: str) -> str:
    """'a' or 'b' from ``root=PARTLABEL=root-<slot>``; UpdateRefused on any other root."""
    slot = booted_slot(cmdline)
    if slot is None:
        raise UpdateRefused("this system was not booted from an A/B root slot")
    return slot


def running_options(entries: Path, booted: str) -> str:
    """The ``options`` of the running slot's entry (the new entry copies them).

    Refused while that entry is still on trial: the spare slot is then the only one
    known to reach the kiosk, and writing over it would leave no way back."""
    names = [e for e in map(parse_entry, _names(entries)) if e is not None and e.slot == booted]
    for entry in boot_order(names):
        if entry.state != "blessed":
            raise UpdateRefused(
                f"the running slot {booted} is not blessed yet ({entry.name}): "
                "install once its boot was found good"
            )
        lines = (entries / entry.name).read_text(encoding="utf-8").splitlines()
        options = [
            line.split(None, 1)[1]
            for line in lines
            if line.startswith("options") and len(line.split(None, 1)) == 2
        ]
        if options:
            return " ".join(options)
    raise UpdateRefused(f"no loader entry with options for the running slot {booted} in {entries}")


def _names(entries: Path) -> list[str]:
    try:
        return sorted(p.name for p in entries.iterdir())
    except OSError as error:
        raise UpdateRefused(
            f"cannot read the loader entries in {entries}: {error.strerror}"
        ) from None


def remove_slot_entries(entries: Path, slot: str) -> list[str]:
    """Delete every entry of ``slot`` (with or without a counter), then fsync the folder."""
    removed = []
    for name in _names(entries):
        entry = parse_entry(name)
        if entry is not None and entry.slot == slot:
            (entries / name).unlink()
            removed.append(name)
    _fsync_directory(entries)
    return removed


def write_entry(entries: Path, name: str, text: str) -> None:
    """Temporary file, fsync, rename, fsync folder: the entry is whole or absent."""
    temporary = entries / f".{name}.new"  # not *.conf: systemd-boot never reads it
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(entries / name)
    _fsync_directory(entries)


def install(
    bundle: Path,
    paths: UpdatePaths,
    key_path: Path,
    arch: str,
    running_version: str,
    tries: int = DEFAULT_TRIES,
    slot_devices: Path = SLOT_DEVICES,
) -> tuple[Manifest, str, str]:
    """Install ``bundle`` into the spare slot on trial; returns (manifest, spare, entry)."""
    booted = running_slot(paths.cmdline.read_text(encoding="utf-8"))
    spare = spare_slot(booted)
    options = running_options(paths.entries, booted)
    key = load_public_key(key_path)
    named: list[str] = []

    def before_write(manifest: Manifest) -> None:
        try:
            named.append(format_entry(manifest.version, spare, tries))
        except ValueError as error:
            raise UpdateRefused(str(error)) from None
        removed = remove_slot_entries(paths.entries, spare)
        log.event("update.slot_entries_removed", slot=spare, removed=removed)

    manifest = install_bundle(
        bundle,
        key,
        arch,
        running_version,
        slot_devices / f"root-{spare}",
        paths.esp / f"slot-{spare}",
        before_write,
    )
    write_entry(paths.entries, named[0], entry_text(manifest.version, spare, options))
    return manifest, spare, named[0]


def _data_dir() -> Path:
    from appliance.config import default_config_path, load_config

    try:
        return load_config(default_config_path(), site=False).data_dir
    except ApplianceError:
        return BOX_DATA_DIR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="appliance-update",
        description="Install a signed update bundle into the spare root slot (root).",
    )
    parser.add_argument("bundle", type=Path)
    parser.add_argument(
        "--tries",
        type=int,
        default=DEFAULT_TRIES,
        help=f"boots the new slot gets to reach the kiosk (default {DEFAULT_TRIES})",
    )
    parser.add_argument("--reboot", action="store_true", help="reboot into it at once")
    return parser


# What a damaged or foreign bundle can raise besides UpdateRefused: all mean "refused".
FAILURES = (UpdateRefused, OSError, tarfile.TarError, ValueError, KeyError, EOFError, zlib.error)


def main(
    argv: list[str] | None = None,
    paths: UpdatePaths | None = None,
    key: Path = PUBLIC_KEY,
    slot_devices: Path = SLOT_DEVICES,
) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if not 1 <= args.tries <= 9:
        print("appliance-update: --tries must be between 1 and 9", file=sys.stderr)
        return 2
    log.configure()
    paths = paths or UpdatePaths.for_data_dir(_data_dir())
    arch = ARCHES.get(platform.machine(), platform.machine())
    try:
        manifest, spare, entry = install(
            args.bundle, paths, key, arch, __version__, args.tries, slot_devices
        )
    except FAILURES as exc:
        log.event("update.verify", outcome="failure", detail=str(exc)[:200])
        record_outcome(
            paths,
            {"event": "refused", "reason": str(exc)[:300], "bundle": args.bundle.name},
            datetime.now(UTC),
        )
        print(f"appliance-update: refused: {exc}", file=sys.stderr)
        return 1
    record_outcome(
        paths,
        {
            "event": "install",
            "version": manifest.version,
            "slot": spare,
            "tries": args.tries,
            "entry": entry,
            "from_version": __version__,
        },
        datetime.now(UTC),
    )
    print(
        f"appliance-update: installed in slot {spare}: {manifest.version} ({entry}); "
        f"the next boot tries it, {args.tries} times at most"
    )
    if args.reboot:
        result = subprocess.run(["systemctl", "reboot"], check=False)
        if result.returncode != 0:
            print(
                "appliance-update: installed, but systemctl reboot failed; reboot by hand",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
