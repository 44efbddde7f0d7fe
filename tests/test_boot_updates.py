"""Signed A/B updates: only a bundle signed by the release key and newer than the box
is ever written, and a damaged image never becomes bootable."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.updates.bundle import UpdateRefused, install_bundle, make_bundle, version_key
from appliance.updates.install import running_slot

IMAGE_BYTES = 3 * (1 << 20) + 123


@pytest.fixture
def release(tmp_path: Path):
    key = Ed25519PrivateKey.generate()
    image = tmp_path / "root-a.ext4"
    image.write_bytes(os.urandom(IMAGE_BYTES))
    boot = tmp_path / "boot"
    boot.mkdir()
    (boot / "vmlinuz").write_bytes(b"kernel")
    (boot / "initrd.img").write_bytes(b"initrd")
    bundle = tmp_path / "appliance-0.2.0.bundle"
    make_bundle(bundle, key, "0.2.0", "amd64", image, boot)
    return key, bundle, image


def install(bundle: Path, key, tmp_path: Path, running: str = "0.1.0", arch: str = "amd64"):
    slot = tmp_path / "root-b"
    slot.write_bytes(b"\xff" * (4 << 20))
    return install_bundle(
        bundle, key.public_key(), arch, running, slot, tmp_path / "esp" / "slot-b"
    )


def test_signed_newer_bundle_is_written_to_the_spare_slot(release, tmp_path: Path) -> None:
    key, bundle, image = release
    manifest = install(bundle, key, tmp_path)
    assert manifest.version == "0.2.0"
    assert (tmp_path / "root-b").read_bytes()[:IMAGE_BYTES] == image.read_bytes()
    assert (tmp_path / "esp" / "slot-b" / "vmlinuz").read_bytes() == b"kernel"


def test_bundle_signed_by_another_key_is_refused_before_writing(release, tmp_path) -> None:
    _key, bundle, _image = release
    with pytest.raises(UpdateRefused, match="signature"):
        install(bundle, Ed25519PrivateKey.generate(), tmp_path)
    assert (tmp_path / "root-b").read_bytes()[:16] == b"\xff" * 16


@pytest.mark.parametrize(
    ("running", "arch", "reason"),
    [
        ("0.2.0", "amd64", "not newer"),
        ("1.0.0", "amd64", "not newer"),
        ("0.1.0", "arm64", "this box is arm64"),
    ],
)
def test_old_or_foreign_bundle_is_refused(release, tmp_path, running, arch, reason) -> None:
    key, bundle, _image = release
    with pytest.raises(UpdateRefused, match=reason):
        install(bundle, key, tmp_path, running=running, arch=arch)


def test_image_altered_after_signing_leaves_the_slot_unbootable(release, tmp_path) -> None:
    key, bundle, _image = release
    tampered = tmp_path / "tampered.bundle"
    with tarfile.open(bundle) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "root.ext4.gz":
                data = gzip.compress(gzip.decompress(data)[:-1] + b"X", mtime=0)
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(UpdateRefused, match="hash"):
        install(tampered, key, tmp_path)
    assert (tmp_path / "root-b").read_bytes()[: 1 << 20] == b"\0" * (1 << 20)
    assert not (tmp_path / "esp" / "slot-b" / "vmlinuz").exists()


def test_versions_compare_numerically() -> None:
    assert version_key("0.10.0") > version_key("0.9.9")


def test_spare_slot_comes_from_the_kernel_command_line() -> None:
    assert running_slot("quiet root=PARTLABEL=root-a ro") == "a"
    assert running_slot("root=PARTLABEL=root-b ro") == "b"
    with pytest.raises(UpdateRefused):
        running_slot("root=/dev/sda2 ro")
