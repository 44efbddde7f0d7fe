"""Signed A/B updates: how a new version reaches a box in the field.

A release is one bundle file (an uncompressed tar, read as a stream) holding, in order,
``manifest.json``, ``manifest.sig`` (Ed25519 over the manifest's bytes), then the files
the manifest lists with their SHA-256: the gzip-compressed root filesystem image of the
new version, its kernel and initrd. The box holds only the public key
(/etc/appliance/update-signing.pub); the private key never leaves the release machine.

:func:`install_bundle` refuses a bundle before writing anything unless the signature,
the architecture and the version (newer than the running one) check out; it then streams
the image into the spare root slot while hashing, and only a matching hash lets the
caller give the boot loader an entry for that slot, with a try counter
(:mod:`appliance.updates.install`). The slot is blessed only when its kiosk is ready and its
sync runs (systemd/appliance-boot-check.service); if it never gets there, systemd-boot
returns to the old slot once the tries are used up (:mod:`appliance.updates.boot_slots`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from appliance import ed25519_keys, log
from appliance.errors import ApplianceError

FORMAT = 1
IMAGE = "root.ext4.gz"
BOOT_FILES = ("vmlinuz", "initrd.img")
CHUNK = 1 << 20


class UpdateRefused(ApplianceError):
    """The bundle was not installed; the message says why. The running slot is untouched."""


@dataclass(frozen=True)
class Manifest:
    version: str
    arch: str
    files: dict[str, str]
    image_size: int

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise UpdateRefused(f"bundle format {data.get('format')!r} is not {FORMAT}")
        return cls(data["version"], data["arch"], dict(data["files"]), int(data["image_size"]))


def version_key(version: str) -> tuple[int, ...]:
    """ "0.10.2" → (0, 10, 2); anything after a non-digit part is ignored."""
    parts = []
    for part in version.split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        return ed25519_keys.load_public_key(path)
    except ed25519_keys.KeyFileError as error:
        raise UpdateRefused(str(error)) from None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def make_bundle(
    out: Path,
    private_key: Ed25519PrivateKey,
    version: str,
    arch: str,
    root_image: Path,
    boot_dir: Path,
) -> Manifest:
    """Release side: compress the root image, sign the manifest, write the bundle."""
    work = out.with_suffix(".parts")
    work.mkdir(parents=True, exist_ok=True)
    with (
        root_image.open("rb") as source,
        (work / IMAGE).open("wb") as raw_target,
        gzip.GzipFile(fileobj=raw_target, mode="wb", compresslevel=6, mtime=0) as target,
    ):
        shutil.copyfileobj(source, target, CHUNK)
    for name in BOOT_FILES:
        shutil.copyfile(boot_dir / name, work / name)
    names = (IMAGE, *BOOT_FILES)
    manifest = Manifest(
        version, arch, {n: _sha256_file(work / n) for n in names}, root_image.stat().st_size
    )
    raw = json.dumps(
        {
            "format": FORMAT,
            "version": version,
            "arch": arch,
            "files": manifest.files,
            "image_size": manifest.image_size,
        },
        sort_keys=True,
    ).encode()
    (work / "manifest.json").write_bytes(raw)
    (work / "manifest.sig").write_bytes(ed25519_keys.sign(private_key, raw))
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as bundle:
        for name in ("manifest.json", "manifest.sig", *names):
            info = bundle.gettarinfo(work / name, arcname=name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with (work / name).open("rb") as handle:
                bundle.addfile(info, handle)
    shutil.rmtree(work)
    return manifest


def _members(bundle: tarfile.TarFile) -> Iterator[tuple[str, IO[bytes]]]:
    for member in bundle:
        handle = bundle.extractfile(member)
        if handle is None:
            raise UpdateRefused(f"bundle member {member.name} is not a file")
        yield member.name, handle


def _verified_manifest(
    members: Iterator[tuple[str, IO[bytes]]], key: Ed25519PublicKey, arch: str, running_version: str
) -> Manifest:
    name, handle = next(members, ("", None))
    if name != "manifest.json" or handle is None:
        raise UpdateRefused("bundle does not start with manifest.json")
    raw = handle.read()
    name, handle = next(members, ("", None))
    if name != "manifest.sig" or handle is None:
        raise UpdateRefused("bundle has no manifest.sig after the manifest")
    if not ed25519_keys.signature_ok(key, handle.read(), raw):
        raise UpdateRefused("signature does not match the box's update key")
    manifest = Manifest.parse(raw)
    if manifest.arch != arch:
        raise UpdateRefused(f"bundle is for {manifest.arch}, this box is {arch}")
    if version_key(manifest.version) <= version_key(running_version):
        raise UpdateRefused(
            f"bundle version {manifest.version} is not newer than {running_version}"
        )
    return manifest


def _copy_hashed(source: IO[bytes], target: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest()


def install_bundle(
    bundle_path: Path,
    key: Ed25519PublicKey,
    arch: str,
    running_version: str,
    slot_device: Path,
    boot_dir: Path,
    before_write: Callable[[Manifest], None] | None = None,
) -> Manifest:
    """Verify the bundle and write it to the spare slot; UpdateRefused leaves it unbootable.

    ``before_write`` runs once the manifest is verified and before the first byte is
    written (the caller removes the slot's loader entries there); everything written is
    on disk (fsync) when this returns."""
    with tarfile.open(bundle_path, "r|") as bundle:
        members = _members(bundle)
        manifest = _verified_manifest(members, key, arch, running_version)
        log.event("update.verify", outcome="success", version=manifest.version, arch=arch)
        if before_write is not None:
            before_write(manifest)
        log.event("update.install.init", version=manifest.version, slot=slot_device)
        boot_dir.mkdir(parents=True, exist_ok=True)
        seen: set[str] = set()
        for name, handle in members:
            if name not in manifest.files:
                raise UpdateRefused(f"bundle member {name} is not in the manifest")
            if name == IMAGE:
                digest = _write_image(handle, slot_device, manifest)
            else:
                with (boot_dir / f"{name}.new").open("wb") as target:
                    digest = _copy_hashed(handle, target)
                    target.flush()
                    os.fsync(target.fileno())
            if digest != manifest.files[name]:
                _spoil(slot_device)
                raise UpdateRefused(f"{name} does not match its hash in the signed manifest")
            seen.add(name)
    if seen != set(manifest.files):
        _spoil(slot_device)
        raise UpdateRefused(f"bundle lacks {sorted(set(manifest.files) - seen)}")
    for name in BOOT_FILES:
        (boot_dir / f"{name}.new").replace(boot_dir / name)
    fsync_directory(boot_dir)
    log.event(
        "update.install.complete", outcome="success", version=manifest.version, slot=slot_device
    )
    return manifest


def _write_image(handle: IO[bytes], slot_device: Path, manifest: Manifest) -> str:
    """Stream the compressed image into the slot; returns the compressed stream's hash."""
    digest = hashlib.sha256()

    class _Hashing:
        def read(self, size: int = -1) -> bytes:
            chunk = handle.read(size)
            digest.update(chunk)
            return chunk

        def seek(self, offset: int, whence: int = 0) -> int:  # never called when reading
            raise io.UnsupportedOperation("the image is read once, front to back")

    written = 0
    with (
        gzip.GzipFile(fileobj=_Hashing(), mode="rb") as image,
        slot_device.open("r+b" if slot_device.exists() else "wb") as target,
    ):
        while chunk := image.read(CHUNK):
            target.write(chunk)
            written += len(chunk)
        target.flush()
        os.fsync(target.fileno())
    if written != manifest.image_size:
        _spoil(slot_device)
        raise UpdateRefused(f"image is {written} bytes, the manifest says {manifest.image_size}")
    return digest.hexdigest()


def fsync_directory(path: Path) -> None:
    """Make renames and deletions in ``path`` survive a power cut."""
    folder = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _spoil(slot_device: Path) -> None:
    """Overwrite the start of a half-written slot so nothing ever boots from it."""
    with slot_device.open("r+b") as target:
        target.write(b"\0" * CHUNK)
