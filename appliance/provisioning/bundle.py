"""The provisioning bundle: one small signed file from branch IT that sets up a counter.

A bundle is an uncompressed tar, read whole into memory (it is a few kilobytes; nothing
is extracted to disk before it is verified), holding in order:

- ``manifest.json``: format, ``serial`` (an integer that grows with every bundle issued
  for the box; by default the issue time in seconds), ``issued_at``, hall name, window,
  the site TOML (``site_toml``) and the SHA-256 of each carried file;
- ``manifest.sig``: Ed25519 over the manifest's exact bytes (as update bundles, through
  :mod:`appliance.ed25519_keys`);
- ``manifest.key-id``: the id of the signing key, so another key is told from tampering;
- ``files/client-secret``, ``files/trusted-ca.pem`` (JIT, GDCA … in one PEM) and
  optionally ``files/ca-bundle.pem`` (the branch server's TLS CA).

This module is pure: bytes in, bytes or a :class:`Bundle` out. :func:`verify_bundle`
raises :class:`ProvisioningRefused` with a reason code from :mod:`.words`.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from appliance.ed25519_keys import key_id, sign, signature_ok
from appliance.errors import ApplianceError
from appliance.provisioning.words import REASONS

FORMAT = 1
MAX_BUNDLE_BYTES = 4 << 20
SECRET = "client-secret"
CA_BUNDLE = "ca-bundle.pem"
TRUSTED_CA = "trusted-ca.pem"
REQUIRED_FILES = (SECRET, TRUSTED_CA)
CARRIED_FILES = (SECRET, CA_BUNDLE, TRUSTED_CA)
MANIFEST, SIGNATURE, KEY_ID = "manifest.json", "manifest.sig", "manifest.key-id"
FILE_PREFIX = "files/"


class ProvisioningRefused(ApplianceError):
    """The bundle was not installed; ``reason`` is a code of :data:`.words.REASONS`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        english = REASONS[reason].english
        super().__init__(f"{english}: {detail}" if detail else english)


@dataclass(frozen=True)
class Manifest:
    serial: int
    issued_at: str
    hall_name: str
    window: str
    site_toml: str
    files: dict[str, str]

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "serial": self.serial,
                "issued_at": self.issued_at,
                "hall_name": self.hall_name,
                "window": self.window,
                "site_toml": self.site_toml,
                "files": self.files,
            },
            ensure_ascii=False,
            sort_keys=True,
            indent=1,
        ).encode()

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ProvisioningRefused(
                    "malformed", f"format {data.get('format')!r} is not {FORMAT}"
                )
            manifest = cls(
                data["serial"],
                data["issued_at"],
                data["hall_name"],
                data["window"],
                data["site_toml"],
                dict(data["files"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ProvisioningRefused("malformed", f"manifest: {error}") from None
        if (
            not isinstance(manifest.serial, int)
            or isinstance(manifest.serial, bool)
            or manifest.serial < 1
        ):
            raise ProvisioningRefused("malformed", f"serial {manifest.serial!r}")
        return manifest


@dataclass(frozen=True)
class Bundle:
    """A verified bundle: its manifest, the site table it carries, the carried files."""

    manifest: Manifest
    site: dict[str, Any]
    files: dict[str, bytes]
    sha256: str


def site_table(
    hall_name: str,
    window: str,
    url: str,
    client_id: str,
    token_url: str | None = None,
    printer: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """The site keys branch IT chooses (file paths are added when the box installs it)."""
    branch: dict[str, Any] = {"url": url, "client_id": client_id}
    if token_url:
        branch["token_url"] = token_url
    site: dict[str, dict[str, Any]] = {
        "appliance": {"hall_name": hall_name, "window": window},
        "branch_server": branch,
    }
    if printer:
        site["printer"] = dict(printer)
    return site


def build_bundle(
    key: Ed25519PrivateKey, *, serial: int, issued_at: str, site_toml: str, files: dict[str, bytes]
) -> bytes:
    """Branch IT's side: the signed bundle's bytes. ``files`` are named as in
    :data:`CARRIED_FILES`; the site TOML must already have passed the schema."""
    check_files(files)
    appliance = tomllib.loads(site_toml).get("appliance", {})
    manifest = Manifest(
        serial,
        issued_at,
        appliance.get("hall_name", ""),
        appliance.get("window", ""),
        site_toml,
        {name: _sha256(data) for name, data in sorted(files.items())},
    )
    raw = manifest.to_bytes()
    members = [
        (MANIFEST, raw),
        (SIGNATURE, sign(key, raw)),
        (KEY_ID, key_id(key.public_key()).encode()),
        *((FILE_PREFIX + name, data) for name, data in sorted(files.items())),
    ]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as bundle:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            bundle.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def verify_bundle(
    data: bytes,
    key: Ed25519PublicKey,
    installed_serial: int,
    check_site: Callable[[dict[str, Any]], None],
) -> Bundle:
    """The bundle, if it is signed by ``key``, whole, newer than ``installed_serial`` and
    its site passes ``check_site`` (which raises ValueError or ApplianceError)."""
    members = _members(data)
    if MANIFEST not in members:
        raise ProvisioningRefused("malformed", f"no {MANIFEST}")
    if SIGNATURE not in members:
        raise ProvisioningRefused("unsigned", f"no {SIGNATURE}")
    raw = members[MANIFEST]
    signer = members.get(KEY_ID, b"").decode("ascii", "replace").strip()
    if signer and signer != key_id(key):
        raise ProvisioningRefused(
            "wrong_key", f"signed by key {signer}, the box trusts {key_id(key)}"
        )
    if not signature_ok(key, members[SIGNATURE], raw):
        raise ProvisioningRefused("bad_signature")
    manifest = Manifest.parse(raw)
    files = _carried(members, manifest)
    if manifest.serial <= installed_serial:
        raise ProvisioningRefused(
            "not_newer", f"serial {manifest.serial}, installed {installed_serial}"
        )
    site = _site(manifest)
    try:
        check_site(site)
    except (ValueError, ApplianceError) as error:
        raise ProvisioningRefused("invalid_site", str(error)) from None
    return Bundle(manifest, site, files, _sha256(data))


def _members(data: bytes) -> dict[str, bytes]:
    if len(data) > MAX_BUNDLE_BYTES:
        raise ProvisioningRefused("malformed", f"{len(data)} bytes, more than {MAX_BUNDLE_BYTES}")
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as bundle:
            for member in bundle:
                handle = bundle.extractfile(member) if member.isreg() else None
                if handle is None or member.name in members:
                    raise ProvisioningRefused(
                        "malformed", f"member {member.name!r} is not a single regular file"
                    )
                members[member.name] = handle.read()
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ProvisioningRefused("malformed", f"not a bundle: {error}") from None
    return members


def _carried(members: dict[str, bytes], manifest: Manifest) -> dict[str, bytes]:
    """The carried files, each matching its hash in the signed manifest."""
    files = {
        name.removeprefix(FILE_PREFIX): data
        for name, data in members.items()
        if name.startswith(FILE_PREFIX)
    }
    unknown = set(files) - set(manifest.files)
    unknown |= set(members) - {MANIFEST, SIGNATURE, KEY_ID} - {FILE_PREFIX + name for name in files}
    if unknown:
        raise ProvisioningRefused("malformed", f"not in the manifest: {sorted(unknown)}")
    for name, digest in manifest.files.items():
        if name not in files:
            raise ProvisioningRefused("malformed", f"{name} is missing")
        if _sha256(files[name]) != digest:
            raise ProvisioningRefused("hash_mismatch", name)
    try:
        check_files(files)
    except ValueError as error:
        raise ProvisioningRefused("malformed", str(error)) from None
    return files


def check_files(files: dict[str, bytes]) -> None:
    """The carried files are the known ones and look like what they are (ValueError)."""
    unknown = set(files) - set(CARRIED_FILES)
    missing = set(REQUIRED_FILES) - set(files)
    if unknown or missing:
        raise ValueError(f"carried files: unknown {sorted(unknown)}, missing {sorted(missing)}")
    secret = files[SECRET].decode("utf-8", "replace").strip()
    if not secret or any(ch.isspace() for ch in secret):
        raise ValueError(f"{SECRET} must be one line without spaces")
    for name in (CA_BUNDLE, TRUSTED_CA):
        if name in files:
            try:
                x509.load_pem_x509_certificates(files[name])
            except ValueError:
                raise ValueError(f"{name} holds no PEM certificate") from None


def _site(manifest: Manifest) -> dict[str, Any]:
    try:
        site = tomllib.loads(manifest.site_toml)
    except tomllib.TOMLDecodeError as error:
        raise ProvisioningRefused("invalid_site", f"site TOML: {error}") from None
    appliance = site.get("appliance", {})
    if not isinstance(appliance, dict) or (appliance.get("hall_name"), appliance.get("window")) != (
        manifest.hall_name,
        manifest.window,
    ):
        raise ProvisioningRefused("malformed", "hall and window differ from the site TOML")
    return site


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
