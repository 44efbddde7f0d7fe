"""``appliance provision``: make-key and make-bundle (branch IT's machine), apply (the box,
as root, from the provisioning unit) and status.

Kept here so ``appliance/commands/cli.py`` only hands over. These commands read the box file
without its site file (``apply`` checks a new site against the box file alone, and a
damaged site file must not stop a new bundle from replacing it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from appliance import log
from appliance.config import check_site, default_config_path, load_config, read_config_text
from appliance.ed25519_keys import key_id, load_private_key, write_key_pair
from appliance.errors import ApplianceError
from appliance.provisioning.bundle import (
    CA_BUNDLE,
    SECRET,
    TRUSTED_CA,
    ProvisioningRefused,
    build_bundle,
    check_files,
    site_table,
)
from appliance.provisioning.result import read_installed, read_last_result
from appliance.provisioning.site import to_toml
from appliance.wording import text

COMMANDS = ("provision",)
EXIT_REFUSED = 2
EXIT_WRITE_FAILED = 1


def add_provision_commands(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    provision = commands.add_parser(
        "provision", parents=[common], help="set a box up for its counter (signed bundles)"
    )
    actions = provision.add_subparsers(dest="action", required=True)
    key = actions.add_parser(
        "make-key", parents=[common], help="a new Ed25519 provisioning key pair (branch IT)"
    )
    key.add_argument("private", type=Path, help="private key PEM (created 0600)")
    key.add_argument("public", type=Path, help="public key PEM (goes into the image)")
    make = actions.add_parser(
        "make-bundle", parents=[common], help="make and sign a provisioning bundle (branch IT)"
    )
    make.add_argument("--key", type=Path, required=True, help="private key PEM")
    make.add_argument("--hall", required=True, help=f"hall name, e.g. {text('cli.hall_example')}")
    make.add_argument("--window", required=True, help="window number, e.g. 08")
    make.add_argument("--url", required=True, help="branch server URL")
    make.add_argument(
        "--token-url", default=None, help="OAuth2 token URL (default: <url>/oauth/token)"
    )
    make.add_argument("--client-id", required=True, help="the box's OAuth2 client id")
    make.add_argument(
        "--secret-file", type=Path, required=True, help="file holding the client secret (one line)"
    )
    make.add_argument(
        "--ca-bundle",
        type=Path,
        default=None,
        help="PEM CA bundle of the branch server's TLS certificate",
    )
    make.add_argument(
        "--trusted-ca",
        type=Path,
        action="append",
        required=True,
        help="PEM CA certificate(s) of operator keys (JIT, GDCA); repeat",
    )
    make.add_argument("--printer-profile", default=None, help="printer profile name")
    make.add_argument(
        "--printer-backend", choices=["usb", "serial", "network", "device"], default=None
    )
    make.add_argument("--serial-port", default=None, help="e.g. /dev/ttyUSB0")
    make.add_argument("--baudrate", type=int, default=None)
    make.add_argument("--usb-id", default=None, help="printer USB id VVVV:PPPP (hex)")
    make.add_argument("--printer-host", default=None)
    make.add_argument("--printer-port", type=int, default=None)
    make.add_argument("--paper-width", type=int, choices=[58, 80], default=None)
    make.add_argument("--printer-mode", choices=["text", "raster"], default=None)
    make.add_argument(
        "--serial",
        type=int,
        default=None,
        help="bundle serial, larger than any before for this box "
        "(default: the issue time in seconds)",
    )
    make.add_argument("-o", "--output", type=Path, required=True, help="bundle file to write")
    apply = actions.add_parser(
        "apply", parents=[common], help="verify a bundle and install it (root, on the box)"
    )
    apply.add_argument("bundle", type=Path)
    status = actions.add_parser(
        "status", parents=[common], help="provisioned or not, hall, window, serial, last result"
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")


def run_provision_command(args: argparse.Namespace) -> int:
    if args.action == "make-key":
        public = write_key_pair(args.private, args.public)
        print(f"key {key_id(public)}: private {args.private}, public {args.public}")
        return 0
    config_path = getattr(args, "config", None) or default_config_path()
    if args.action == "make-bundle":
        return _make_bundle(args, config_path)
    if args.action == "apply":
        return _apply(args.bundle, config_path)
    return _status(config_path, args.json)


def _printer(args: argparse.Namespace) -> dict:
    printer = {
        "profile": args.printer_profile,
        "backend": args.printer_backend,
        "serial_port": args.serial_port,
        "baudrate": args.baudrate,
        "host": args.printer_host,
        "port": args.printer_port,
        "paper_width_mm": args.paper_width,
        "mode": args.printer_mode,
    }
    if args.usb_id:
        try:
            vendor, product = (int(part, 16) for part in args.usb_id.split(":"))
        except ValueError:
            raise ApplianceError(f"--usb-id {args.usb_id!r}: expected VVVV:PPPP in hex") from None
        printer |= {"usb_vendor_id": vendor, "usb_product_id": product}
    return {key: value for key, value in printer.items() if value is not None}


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ApplianceError(f"{what} {path}: {error.strerror}") from None


def _make_bundle(args: argparse.Namespace, config_path: Path) -> int:
    key = load_private_key(args.key)
    site = to_toml(
        site_table(args.hall, args.window, args.url, args.client_id, args.token_url, _printer(args))
    )
    # The same schema as the box: the site over the box file (or the development one).
    check_site(read_config_text(config_path), config_path, site, args.output)
    files = {
        SECRET: _read(args.secret_file, "--secret-file"),
        TRUSTED_CA: b"".join(
            _read(path, "--trusted-ca").rstrip(b"\n") + b"\n" for path in args.trusted_ca
        ),
    }
    if args.ca_bundle is not None:
        files[CA_BUNDLE] = _read(args.ca_bundle, "--ca-bundle")
    try:
        check_files(files)
    except ValueError as error:
        raise ApplianceError(str(error)) from None
    issued = datetime.now(UTC)
    serial = args.serial if args.serial is not None else int(time.time())
    if serial < 1:
        raise ApplianceError("--serial must be a positive integer")
    data = build_bundle(
        key,
        serial=serial,
        issued_at=issued.isoformat(timespec="seconds"),
        site_toml=site,
        files=files,
    )
    args.output.write_bytes(data)
    log.event(
        "provision.bundle_made",
        serial=serial,
        hall=args.hall,
        window=args.window,
        key_id=key_id(key.public_key()),
        path=args.output,
        bytes=len(data),
    )
    print(
        f"bundle {args.output}: serial {serial}, {args.hall} window {args.window}, "
        f"checked against {config_path}"
    )
    return 0


def _apply(bundle: Path, config_path: Path) -> int:
    from appliance.provisioning.install import apply_bundle

    try:
        installed = apply_bundle(bundle, load_config(config_path, site=False))
    except ProvisioningRefused as refusal:
        print(f"appliance provision: refused ({refusal.reason}): {refusal}", file=sys.stderr)
        return EXIT_WRITE_FAILED if refusal.reason == "write_failed" else EXIT_REFUSED
    manifest = installed.manifest
    print(f"provisioned: {manifest.hall_name} window {manifest.window}, serial {manifest.serial}")
    return 0


def _status(config_path: Path, as_json: bool) -> int:
    config = load_config(config_path, site=False)
    site_file = config.provisioning.site_file if config.provisioning else None
    installed = read_installed(site_file.parent) if site_file else None
    last = read_last_result(site_file.parent) if site_file else None
    status = {
        "provisioned": config.provisioned,
        "site_file": str(site_file) if site_file else None,
        "hall_name": installed.hall_name if installed else config.appliance.hall_name,
        "window": installed.window if installed else config.appliance.window,
        "serial": installed.serial if installed else None,
        "issued_at": installed.issued_at if installed else None,
        "last_result": None
        if last is None
        else {
            "ok": last.ok,
            "reason": last.reason,
            "english": last.english,
            "chinese": last.chinese,
            "at": last.at,
        },
    }
    if as_json:
        json.dump(status, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(
        f"provisioned: {'yes' if status['provisioned'] else 'no'}"
        + (f" (site file {site_file})" if site_file else " (no [provisioning] section)")
    )
    print(f"hall: {status['hall_name']}  window: {status['window']}")
    print(f"serial: {status['serial'] or '-'}  issued: {status['issued_at'] or '-'}")
    if last is None:
        print("last result: none")
    else:
        outcome = "ok" if last.ok else f"refused ({last.reason})"
        print(f"last result: {outcome} at {last.at}: {last.english}")
    return 0
