"""On-site provisioning: branch IT signs a bundle, the box verifies it and installs it on
the data partition, and the configuration then reads the site values. Real Ed25519 keys,
real certificates, real files; nothing of ours is mocked."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from appliance import log
from appliance.commands.cli import main
from appliance.config import dev_config_text, load_config, parse_config
from appliance.ed25519_keys import load_private_key, write_key_pair
from appliance.errors import ConfigError
from appliance.provisioning.bundle import (
    SECRET,
    TRUSTED_CA,
    ProvisioningRefused,
    build_bundle,
)
from appliance.provisioning.install import Owners, apply_bundle
from appliance.provisioning.result import read_installed, read_last_result
from appliance.provisioning.site import to_toml
from appliance.provisioning.words import REASONS
from appliance.sync.process import wait_for_provisioning

ROOT = os.geteuid() == 0
SYNC_UID = 4321 if ROOT else os.getuid()  # stands in for appliance-sync
GROUP_GID = 4322 if ROOT else os.getgid()  # stands in for the appliance group
OWNERS = Owners(
    user={"appliance-sync": SYNC_UID, "root": os.getuid()}.get, group={"appliance": GROUP_GID}.get
)
SECRET_TEXT = "s3cr3t-client-value-never-logged"


def ca_pem(common_name: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


class Site:
    """A box (config with [provisioning]) and branch IT's desk (key, secret, CAs)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.provisioning = tmp / "var-lib" / "provisioning"
        self.private, self.public = tmp / "it" / "provisioning.key", tmp / "etc" / "prov.pub"
        for folder in (self.private.parent, self.public.parent):
            folder.mkdir(parents=True)
        write_key_pair(self.private, self.public)
        self.config = tmp / "etc" / "appliance.toml"
        self.config.write_text(
            dev_config_text(tmp / "data")
            + f'\n[provisioning]\nsite_file = "{self.provisioning / "site.toml"}"\n'
            f'public_key = "{self.public}"\n',
            encoding="utf-8",
        )
        self.secret = tmp / "it" / "secret.txt"
        self.secret.write_text(SECRET_TEXT + "\n", encoding="utf-8")
        self.jit, self.gdca, self.tls = (tmp / "it" / f"{n}.pem" for n in ("jit", "gdca", "tls"))
        for path, name in ((self.jit, "JIT CA"), (self.gdca, "GDCA CA"), (self.tls, "TLS CA")):
            path.write_bytes(ca_pem(name))

    def make(self, serial: int, window: str = "12", *extra: str, out: str = "") -> Path:
        output = self.tmp / (out or f"bundle-{serial}-{window}.bin")
        code = main(
            [
                "provision",
                "make-bundle",
                "--config",
                str(self.config),
                "--key",
                str(self.private),
                "--hall",
                "中山市石岐街道服务中心",
                "--window",
                window,
                "--url",
                "https://branch.zs.example:8443/api",
                "--client-id",
                f"zs-window-{window}",
                "--secret-file",
                str(self.secret),
                "--ca-bundle",
                str(self.tls),
                "--trusted-ca",
                str(self.jit),
                "--trusted-ca",
                str(self.gdca),
                "--serial",
                str(serial),
                "-o",
                str(output),
                *extra,
            ]
        )
        assert code == 0
        return output

    def apply(self, bundle: Path) -> None:
        apply_bundle(bundle, load_config(self.config, site=False), OWNERS)

    def refusal(self, bundle: Path) -> ProvisioningRefused:
        with pytest.raises(ProvisioningRefused) as caught:
            self.apply(bundle)
        return caught.value


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


def test_unprovisioned_box_loads_its_own_file_and_says_so(site: Site) -> None:
    config = load_config(site.config)
    assert not config.provisioned
    assert config.appliance.window == "08"  # the box file's own value until set up
    assert load_config(
        Path(__file__).parents[1] / "appliance/data/appliance.dev.toml"
    ).provisioned  # no [provisioning] section: development is complete as it is


def test_bundle_applied_then_config_reads_the_site_values(site: Site) -> None:
    site.apply(
        site.make(
            100,
            "12",
            "--printer-backend",
            "serial",
            "--serial-port",
            "/dev/ttyUSB0",
            "--baudrate",
            "19200",
        )
    )
    config = load_config(site.config)
    assert config.provisioned
    assert (config.appliance.hall_name, config.appliance.window) == ("中山市石岐街道服务中心", "12")
    branch = config.branch_server
    assert branch.url == "https://branch.zs.example:8443/api"
    assert branch.client_id == "zs-window-12"
    assert branch.client_secret_file == site.provisioning / "client-secret"
    assert branch.ca_bundle == site.provisioning / "ca-bundle.pem"
    assert config.key.trusted_ca == [site.provisioning / "trusted-ca.pem"]
    assert (config.printer.backend, config.printer.serial_port, config.printer.baudrate) == (
        "serial",
        Path("/dev/ttyUSB0"),
        19200,
    )
    assert config.ui.font_index == 2  # everything else is still the box file's
    cas = x509.load_pem_x509_certificates((site.provisioning / "trusted-ca.pem").read_bytes())
    assert len(cas) == 2  # JIT and GDCA in one file
    assert (site.provisioning / "client-secret").read_text().strip() == SECRET_TEXT
    installed = read_installed(site.provisioning)
    assert installed is not None and (installed.serial, installed.window) == (100, "12")
    last = read_last_result(site.provisioning)
    assert last is not None and last.ok and "12号窗口" in last.chinese


def test_installed_files_have_their_modes_and_owners(site: Site) -> None:
    site.apply(site.make(100))
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in site.provisioning.iterdir()}
    assert modes == {
        "client-secret": 0o400,
        "ca-bundle.pem": 0o644,
        "trusted-ca.pem": 0o644,
        "site.toml": 0o640,
        "installed.json": 0o640,
        "last-result.json": 0o640,
    }
    secret = (site.provisioning / "client-secret").stat()
    assert secret.st_uid == SYNC_UID
    site_toml = (site.provisioning / "site.toml").stat()
    assert (site_toml.st_uid, site_toml.st_gid) == (os.getuid(), GROUP_GID)
    assert not list(site.provisioning.glob(".*"))  # no temporary file left behind


def test_unknown_owner_names_are_skipped_with_a_note(site: Site) -> None:
    bundle = site.make(100)  # the CLI sets up its own log first
    stream = io.StringIO()
    log.configure(stream=stream)
    nobody = Owners(user=lambda _name: None, group=lambda _name: None)
    apply_bundle(bundle, load_config(site.config, site=False), nobody)
    assert load_config(site.config).provisioned
    notes = stream.getvalue()
    assert "event=provision.owner_unknown kind=user owner=appliance-sync" in notes
    assert SECRET_TEXT not in notes


def test_a_later_bundle_reprovisions_the_moved_window(site: Site) -> None:
    site.apply(site.make(100, "12"))
    site.apply(site.make(101, "15"))
    config = load_config(site.config)
    assert (config.appliance.window, config.branch_server.client_id) == ("15", "zs-window-15")
    assert read_installed(site.provisioning).serial == 101


@pytest.mark.parametrize("serial", [100, 99])
def test_an_older_or_replayed_bundle_is_refused(site: Site, serial: int) -> None:
    site.apply(site.make(100, "12"))
    refusal = site.refusal(site.make(serial, "15", out="old.bin"))
    assert refusal.reason == "not_newer"
    assert load_config(site.config).appliance.window == "12"
    last = read_last_result(site.provisioning)
    assert last is not None and not last.ok and last.chinese == REASONS["not_newer"].chinese


def flip(path: Path, marker: bytes) -> Path:
    data = bytearray(path.read_bytes())
    at = data.index(marker)
    data[at] ^= 0x01
    tampered = path.with_name("tampered-" + path.name)
    tampered.write_bytes(bytes(data))
    return tampered


def test_a_tampered_manifest_byte_is_refused(site: Site) -> None:
    tampered = flip(site.make(100, "12"), b'"window": "12"')
    assert site.refusal(tampered).reason == "bad_signature"
    assert not load_config(site.config).provisioned
    assert not (site.provisioning / "client-secret").exists()


def test_a_tampered_carried_file_is_refused(site: Site) -> None:
    tampered = flip(site.make(100), SECRET_TEXT.encode())
    assert site.refusal(tampered).reason == "hash_mismatch"
    assert not (site.provisioning / "site.toml").exists()


def test_a_bundle_signed_with_another_key_is_refused(site: Site) -> None:
    other_private, other_public = site.tmp / "other.key", site.tmp / "other.pub"
    write_key_pair(other_private, other_public)
    bundle = site.make(100)
    site.private.unlink()
    other_private.rename(site.private)
    assert site.refusal(site.make(101)).reason == "wrong_key"
    site.apply(bundle)  # the right key's bundle still goes in


def members(path: Path) -> list[tuple[str, bytes]]:
    with tarfile.open(path) as bundle:
        return [(m.name, bundle.extractfile(m).read()) for m in bundle]


def rebuild(path: Path, kept: list[tuple[str, bytes]]) -> Path:
    out = path.with_name("rebuilt-" + path.name)
    with tarfile.open(out, "w") as bundle:
        for name, data in kept:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return out


def test_an_unsigned_bundle_is_refused(site: Site) -> None:
    bundle = site.make(100)
    unsigned = rebuild(bundle, [(n, d) for n, d in members(bundle) if n != "manifest.sig"])
    assert site.refusal(unsigned).reason == "unsigned"


def test_a_schema_invalid_site_is_refused(site: Site) -> None:
    key = load_private_key(site.private)
    files = {SECRET: b"x\n", TRUSTED_CA: site.jit.read_bytes()}
    bad = {
        "appliance": {"hall_name": "中山", "window": "12"},
        "branch_server": {"url": "ftp:/nowhere", "client_id": "zs"},
    }
    path = site.tmp / "bad.bin"
    path.write_bytes(
        build_bundle(
            key, serial=5, issued_at="2025-01-01T00:00:00Z", site_toml=to_toml(bad), files=files
        )
    )
    refusal = site.refusal(path)
    assert refusal.reason == "invalid_site" and "branch_server.url" in str(refusal)
    foreign = {**bad, "branch_server": {"url": "https://b.example"}, "ui": {"fullscreen": False}}
    path.write_bytes(
        build_bundle(
            key, serial=6, issued_at="2025-01-01T00:00:00Z", site_toml=to_toml(foreign), files=files
        )
    )
    refusal = site.refusal(path)
    assert refusal.reason == "invalid_site" and "ui: not allowed in a site file" in str(refusal)


def test_garbage_is_refused_as_malformed(site: Site) -> None:
    garbage = site.tmp / "garbage.bin"
    garbage.write_bytes(b"not a bundle at all" * 50)
    assert site.refusal(garbage).reason == "malformed"
    assert site.refusal(site.tmp / "absent.bin").reason == "unreadable"


def test_a_site_file_may_only_set_site_keys(site: Site) -> None:
    site.provisioning.mkdir(parents=True)
    (site.provisioning / "site.toml").write_text(
        '[appliance]\nwindow = "12"\ndata_dir = "/tmp/elsewhere"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"appliance\.data_dir: not allowed in a site file"):
        load_config(site.config)


def test_make_bundle_checks_the_site_against_the_schema(site: Site, capsys) -> None:
    code = main(
        [
            "provision",
            "make-bundle",
            "--config",
            str(site.config),
            "--key",
            str(site.private),
            "--hall",
            "中山",
            "--window",
            "12",
            "--url",
            "https://b.example",
            "--client-id",
            "zs",
            "--secret-file",
            str(site.secret),
            "--trusted-ca",
            str(site.jit),
            "--printer-backend",
            "serial",
            "-o",
            str(site.tmp / "x.bin"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "printer" in err and "serial_port" in err
    assert not (site.tmp / "x.bin").exists()


def test_cli_apply_exit_codes_and_status(site: Site, capsys) -> None:
    bundle = site.make(100, "12")
    capsys.readouterr()
    config = ["--config", str(site.config)]
    assert main(["provision", "status", *config]) == 0
    assert capsys.readouterr().out.startswith("provisioned: no")
    assert main(["provision", "apply", str(bundle), *config]) == 0
    assert "window 12, serial 100" in capsys.readouterr().out
    assert main(["provision", "apply", str(bundle), *config]) == 2
    err = capsys.readouterr().err
    assert "refused (not_newer)" in err and "not newer than the installed one" in err
    assert main(["provision", "status", "--json", *config]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["provisioned"] and status["window"] == "12" and status["serial"] == 100
    assert status["last_result"]["reason"] == "not_newer"


def test_sync_waits_for_the_site_file_then_carries_on(site: Site) -> None:
    bundle = site.make(100, "12")
    stream = io.StringIO()
    log.configure(stream=stream)
    config = load_config(site.config)
    stop = threading.Event()
    found: list = []
    waiter = threading.Thread(
        target=lambda: found.append(wait_for_provisioning(config, stop, interval_s=0.02))
    )
    waiter.start()
    site.apply(bundle)
    waiter.join(5)
    assert found and found[0] is not None and found[0].appliance.window == "12"
    assert stream.getvalue().count("event=sync.waiting_for_provisioning") == 1


def test_sync_once_on_an_unprovisioned_box_exits_normally(site: Site) -> None:
    assert main(["sync", "--once", "--config", str(site.config)]) == 0


def test_dev_config_text_with_site_merges_over_it(tmp_path: Path) -> None:
    site_file = tmp_path / "site.toml"
    site_file.write_text('[appliance]\nwindow = "21"\n', encoding="utf-8")
    text = dev_config_text(tmp_path / "data") + (
        f'\n[provisioning]\nsite_file = "{site_file}"\npublic_key = "{tmp_path / "k.pub"}"\n'
    )
    config = parse_config(text, tmp_path / "appliance.toml")
    assert config.appliance.window == "21" and config.provisioned
    assert parse_config(text, tmp_path / "appliance.toml", site=False).appliance.window == "08"


def test_make_key_refuses_to_overwrite_a_private_key(tmp_path: Path, capsys) -> None:
    private, public = tmp_path / "p.key", tmp_path / "p.pub"
    assert main(["provision", "make-key", str(private), str(public)]) == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert isinstance(load_private_key(private), Ed25519PrivateKey)
    assert main(["provision", "make-key", str(private), str(public)]) == 2
    assert "not overwriting" in capsys.readouterr().err
