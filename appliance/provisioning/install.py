"""``appliance provision apply``: verify a bundle and install it on the data partition.

Run as root by the provisioning unit. Nothing is written before the bundle is verified;
then each file is written atomically (temporary file, fsync, rename, fsync of the
folder) into the folder of ``provisioning.site_file``:

===================  ======  ======================  ==================================
file                 mode    owner                   holds
===================  ======  ======================  ==================================
``client-secret``    0400    appliance-sync          the OAuth2 client secret
``ca-bundle.pem``    0644    root                    the branch server's TLS CA
``trusted-ca.pem``   0644    root                    the key CAs (JIT, GDCA …)
site file            0640    root:appliance          the site TOML, naming the above
``installed.json``   0640    root:appliance          serial, hall, window, bundle hash
``last-result.json`` 0640    root:appliance          the last attempt, for the kiosk
===================  ======  ======================  ==================================

The site file goes last but one: until it exists the box is not provisioned, and
``installed.json`` follows it so a crash in between lets the same bundle in again.
Owners are looked up by name; a name the system lacks (a development machine) leaves
the file with the writer's owner and logs ``provision.owner_unknown``.
"""

from __future__ import annotations

import grp
import os
import pwd
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from appliance import log
from appliance.config import Config, check_site, read_config_text
from appliance.ed25519_keys import KeyFileError, load_public_key
from appliance.errors import ConfigError
from appliance.provisioning.bundle import (
    CA_BUNDLE,
    MAX_BUNDLE_BYTES,
    SECRET,
    TRUSTED_CA,
    Bundle,
    ProvisioningRefused,
    verify_bundle,
)
from appliance.provisioning.result import (
    INSTALLED,
    LAST_RESULT,
    Installed,
    LastResult,
    read_installed,
    to_json,
)
from appliance.provisioning.site import to_toml
from appliance.provisioning.words import REASONS, result_line

SERVICE_GROUP = "appliance"  # the kiosk and the sync read the site file through it
SYNC_USER = "appliance-sync"  # the only reader of the client secret
DIRECTORY_MODE = 0o755  # the files' own modes guard them

Lookup = Callable[[str], int | None]


def _user_id(name: str) -> int | None:
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return None


def _group_id(name: str) -> int | None:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return None


@dataclass(frozen=True)
class Owners:
    """How user and group names become ids (injectable: a test machine lacks ours)."""

    user: Lookup = _user_id
    group: Lookup = _group_id

    def ids(self, path: Path, user: str | None, group: str | None) -> tuple[int, int]:
        """(uid, gid) for chown, -1 where no change is wanted or the name is unknown."""
        found = []
        for kind, name, lookup in (("user", user, self.user), ("group", group, self.group)):
            value = lookup(name) if name is not None else None
            if name is not None and value is None:
                log.event("provision.owner_unknown", kind=kind, owner=name, path=path)
            found.append(-1 if value is None else value)
        return found[0], found[1]


@dataclass(frozen=True)
class Layout:
    """Where the installed files live: the site file's folder."""

    site_file: Path

    @property
    def directory(self) -> Path:
        return self.site_file.parent

    def __truediv__(self, name: str) -> Path:
        return self.directory / name


def installed_site(site: dict[str, Any], layout: Layout, has_ca_bundle: bool) -> dict:
    """The bundle's site table with the file keys pointing at the installed files."""
    installed = {
        section: dict(values) for section, values in site.items() if isinstance(values, dict)
    }
    branch = installed.setdefault("branch_server", {})
    branch["client_secret_file"] = str(layout / SECRET)
    branch.pop("ca_bundle", None)
    if has_ca_bundle:
        branch["ca_bundle"] = str(layout / CA_BUNDLE)
    installed.setdefault("key", {})["trusted_ca"] = [str(layout / TRUSTED_CA)]
    return installed


def apply_bundle(
    bundle_path: Path,
    config: Config,
    owners: Owners | None = None,
    now: Callable[[], datetime] | None = None,
) -> Bundle:
    """Verify and install; ProvisioningRefused (with its reason) when nothing was
    installed. ``config`` is the box file alone (``load_config(..., site=False)``)."""
    if config.provisioning is None:
        raise ConfigError(
            f"{config.source}: no [provisioning] section (site_file, "
            "public_key): this configuration is not for a provisioned box"
        )
    owners = owners or Owners()
    now = now or (lambda: datetime.now().astimezone())
    layout = Layout(config.provisioning.site_file)
    try:
        bundle = _verified(bundle_path, config, layout)
    except ProvisioningRefused as refusal:
        log.event(
            "provision.verify",
            outcome="failure",
            reason=refusal.reason,
            detail=refusal.detail[:200],
        )
        _record(layout, owners, _refusal(refusal, now()))
        raise
    manifest = bundle.manifest
    log.event(
        "provision.verify",
        outcome="success",
        serial=manifest.serial,
        bundle_sha256=bundle.sha256[:16],
    )
    log.event(
        "provision.apply.init",
        serial=manifest.serial,
        hall=manifest.hall_name,
        window=manifest.window,
        directory=layout.directory,
    )
    try:
        _install(bundle, layout, owners)
    except OSError as error:
        failure = ProvisioningRefused("write_failed", f"{error.filename}: {error.strerror}")
        log.event(
            "provision.apply.complete",
            outcome="failure",
            reason=failure.reason,
            detail=failure.detail[:200],
        )
        _record(layout, owners, _refusal(failure, now()))
        raise failure from None
    _record(
        layout,
        owners,
        LastResult(
            True,
            "",
            result_line(True, "", manifest.hall_name, manifest.window),
            f"installed serial {manifest.serial}",
            now().isoformat(timespec="seconds"),
            manifest.hall_name,
            manifest.window,
        ),
    )
    log.event(
        "provision.apply.complete",
        outcome="success",
        serial=manifest.serial,
        hall=manifest.hall_name,
        window=manifest.window,
    )
    return bundle


def _verified(bundle_path: Path, config: Config, layout: Layout) -> Bundle:
    try:
        if bundle_path.stat().st_size > MAX_BUNDLE_BYTES:
            raise ProvisioningRefused(
                "malformed", f"{bundle_path} is larger than {MAX_BUNDLE_BYTES} bytes"
            )
        data = bundle_path.read_bytes()
    except OSError as error:
        raise ProvisioningRefused("unreadable", f"{bundle_path}: {error.strerror}") from None
    assert config.provisioning is not None
    try:
        key = load_public_key(config.provisioning.public_key)
    except KeyFileError as error:
        raise ProvisioningRefused("no_public_key", str(error)) from None
    box_text = read_config_text(config.source)
    installed = read_installed(layout.directory)

    def check(site: dict[str, Any]) -> None:
        check_site(
            box_text, config.source, to_toml(installed_site(site, layout, True)), layout.site_file
        )

    return verify_bundle(data, key, installed.serial if installed else 0, check)


def _install(bundle: Bundle, layout: Layout, owners: Owners) -> None:
    layout.directory.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.directory, DIRECTORY_MODE)
    files = bundle.files
    _write(layout / SECRET, files[SECRET], 0o400, owners, SYNC_USER, None)
    if CA_BUNDLE in files:
        _write(layout / CA_BUNDLE, files[CA_BUNDLE], 0o644, owners, "root", None)
    else:
        (layout / CA_BUNDLE).unlink(missing_ok=True)
    _write(layout / TRUSTED_CA, files[TRUSTED_CA], 0o644, owners, "root", None)
    site = installed_site(bundle.site, layout, CA_BUNDLE in files)
    _write(layout.site_file, to_toml(site).encode(), 0o640, owners, "root", SERVICE_GROUP)
    manifest = bundle.manifest
    _write(
        layout / INSTALLED,
        to_json(
            Installed(
                manifest.serial,
                manifest.issued_at,
                manifest.hall_name,
                manifest.window,
                bundle.sha256,
            )
        ),
        0o640,
        owners,
        "root",
        SERVICE_GROUP,
    )


def _refusal(refusal: ProvisioningRefused, at: datetime) -> LastResult:
    return LastResult(
        False,
        refusal.reason,
        REASONS[refusal.reason].chinese,
        str(refusal),
        at.isoformat(timespec="seconds"),
    )


def _record(layout: Layout, owners: Owners, result: LastResult) -> None:
    """Best effort: the kiosk's line about the last attempt."""
    try:
        layout.directory.mkdir(parents=True, exist_ok=True)
        _write(layout / LAST_RESULT, to_json(result), 0o640, owners, "root", SERVICE_GROUP)
    except OSError as error:
        log.event("provision.result_unwritten", path=layout / LAST_RESULT, error=error.strerror)


def _write(
    path: Path, data: bytes, mode: int, owners: Owners, user: str | None, group: str | None
) -> None:
    """Replace ``path`` atomically with ``data``, its mode and owner set before the
    rename, so no reader ever sees a partial file or a secret with loose permissions."""
    uid, gid = owners.ids(path, user, group)
    temporary = path.with_name(f".{path.name}.new")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if (uid, gid) != (-1, -1):
            os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
