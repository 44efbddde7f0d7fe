"""Update bundles for the VM test, made from the built image's own root slot.

A good update is the same root with a newer version in its build-info; a bad one also
has a kiosk that exits at start (its unit runs /usr/bin/false), so it can never reach
READY. Both are edited with debugfs on copies of the ext4 image, no mounts. The refused
ones (wrong key, another board) carry a tiny image: they must be refused before a byte
of it is read.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from appliance.updates.bundle import make_bundle  # noqa: E402

KIOSK_UNIT = "/usr/lib/systemd/system/appliance-ui.service"
BUILD_INFO = "/etc/appliance/build-info"


def release_key() -> Ed25519PrivateKey:
    """The key whose public half the image trusts (build-rootfs made it on first build)."""
    key = serialization.load_pem_private_key(
        (REPO / "var" / "keys" / "update-dev.pem").read_bytes(), password=None
    )
    assert isinstance(key, Ed25519PrivateKey)
    return key


def _debugfs_replace(image: Path, path: str, text: str, work: Path) -> None:
    local = work / Path(path).name
    local.write_text(text)
    directory, name = path.rsplit("/", 1)
    commands = work / "debugfs.cmd"
    commands.write_text(
        f"cd {directory}\nrm {name}\nwrite {local} {name}\nsif {name} mode 0100644\n"
    )
    subprocess.run(
        ["debugfs", "-w", "-f", str(commands), str(image)], check=True, capture_output=True
    )


def _read(image: Path, path: str) -> str:
    return subprocess.run(
        ["debugfs", "-R", f"cat {path}", str(image)], check=True, capture_output=True, text=True
    ).stdout


def root_with(image_dir: Path, work: Path, version: str, kiosk_exits: bool) -> Path:
    """A copy of the built root slot with another version (and maybe a broken kiosk)."""
    work.mkdir(parents=True, exist_ok=True)
    root = work / "root.ext4"
    subprocess.run(["cp", "--sparse=always", str(image_dir / "root-a.ext4"), str(root)], check=True)
    info = _read(root, BUILD_INFO)
    info = "".join(
        f"version={version}\n" if line.startswith("version=") else line + "\n"
        for line in info.splitlines()
    )
    _debugfs_replace(root, BUILD_INFO, info, work)
    if kiosk_exits:
        unit = _read(root, KIOSK_UNIT).replace(
            "ExecStart=/opt/appliance/venv/bin/appliance run", "ExecStart=/usr/bin/false"
        )
        _debugfs_replace(root, KIOSK_UNIT, unit, work)
    return root


def bundle(out: Path, image_dir: Path, version: str, *, kiosk_exits: bool = False) -> Path:
    root = root_with(image_dir, out.parent / f"{out.stem}-root", version, kiosk_exits)
    make_bundle(out, release_key(), version, "amd64", root, image_dir / "boot")
    root.unlink()
    return out


def refused_bundle(
    out: Path, image_dir: Path, *, wrong_key: bool = False, arch: str = "amd64"
) -> Path:
    tiny = out.with_suffix(".root")
    tiny.write_bytes(b"\0" * (1 << 20))
    key = Ed25519PrivateKey.generate() if wrong_key else release_key()
    make_bundle(out, key, "9.0.0", arch, tiny, image_dir / "boot")
    tiny.unlink()
    return out
