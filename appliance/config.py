"""The appliance configuration: one TOML file, validated before anything starts.

Every hardware port picks its backend here. Relative paths are taken relative to the
working directory. :func:`load_config` raises :class:`ConfigError` with one line per
problem, each naming the key and what is expected.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from appliance.errors import ConfigError
from appliance.hardware.printer.settings import check_printer_section
from appliance.provisioning.site import allowed_text, foreign_keys, merge

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

BOX_CONFIG = Path("/etc/appliance/appliance.toml")
DEV_CONFIG = Path(__file__).parent / "data" / "appliance.dev.toml"


PathValue = Annotated[Path, Field(strict=False)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ApplianceSection(Section):
    hall_name: Annotated[str, Field(min_length=1, max_length=40)]
    window: Annotated[str, Field(pattern=r"^[0-9A-Za-z]{1,4}$")]
    data_dir: PathValue
    demo_data: bool = False
    # Issue 18: a half-typed acceptance (full ID number included) goes at the end of the
    # hall's day, or this many hours after it was last saved when set.
    draft_keep_hours: Annotated[int, Field(ge=1, le=24)] | None = None


class BranchServerSection(Section):
    url: Annotated[str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$")]
    # Issue 5, background sync. token_url defaults to <url>/oauth/token, the secret file
    # to <data_dir>/branch-client-secret; ca_bundle verifies an https server.
    token_url: Annotated[str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$")] | None = None
    client_id: Annotated[str, Field(min_length=1, max_length=64)] = "counter-box"
    client_secret_file: PathValue | None = None
    ca_bundle: PathValue | None = None
    connect_timeout_s: Annotated[float, Field(gt=0, le=120)] = 5.0
    read_timeout_s: Annotated[float, Field(gt=0, le=600)] = 20.0
    batch_size: Annotated[int, Field(ge=1, le=500)] = 100
    lease_s: Annotated[float, Field(gt=0, le=3600)] = 60.0
    backoff_cap_s: Annotated[float, Field(gt=0, le=3600)] = 300.0
    pull_interval_s: Annotated[float, Field(gt=0, le=86400)] = 300.0
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 30


class UiSection(Section):
    fullscreen: bool
    show_cursor: bool
    width: Annotated[int, Field(ge=320, le=7680)] = 1280
    height: Annotated[int, Field(ge=240, le=4320)] = 800
    font_path: PathValue
    font_index: Annotated[int, Field(ge=0, le=31)] = 0


class CameraSection(Section):
    backend: Literal["replay", "v4l2", "picamera2"]
    replay_dir: PathValue | None = None
    replay_video: PathValue | None = None  # replay a video file instead of the images
    frame_rate: Annotated[float, Field(gt=0, le=60)] = 10.0
    # v4l2 only, e.g. /dev/video0 or a udev symlink; left out: the first capture device
    # found (a UVC camera first), see hardware/v4l2_discovery.py
    device: PathValue | None = None
    width: Annotated[int, Field(ge=160, le=4096)] = 1280
    height: Annotated[int, Field(ge=120, le=3072)] = 720


class ScannerSection(Section):
    formats: Annotated[
        list[Literal["QRCode", "MicroQRCode", "DataMatrix", "Code128"]], Field(min_length=1)
    ] = ["QRCode"]
    # Issue 15: frames zxing-cpp cannot read go to OpenCV's WeChat decoder on a worker
    # of its own; false on a weak board (the models are then never loaded).
    escalation: bool = True
    # The share of one core that decoding may use in all, zxing-cpp's look at every
    # frame included; the escalation runs only within what is left, and skips frames
    # once it is spent. 1.0: no limit. 0.25 keeps an empty desk under a grainy camera
    # at 30 fps at a quarter of a core (make bench BENCH=scan measures it).
    cpu_share: Annotated[float, Field(gt=0, le=1)] = 0.25
    # The most CPU one frame may cost the WeChat decoder (it runs in a child process,
    # stopped and started again past this); on a blank slip under a grainy camera it can
    # otherwise take seconds. Tickets took 10-140 ms on the development machine.
    escalation_limit_ms: Annotated[int, Field(ge=50, le=10000)] = 500


class KeyVendorSection(Section):
    """One ``[[key.vendors]]`` entry; it adds a vendor or replaces the default of that name."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
    label: Annotated[str, Field(min_length=1, max_length=20)]
    usb_ids: list[Annotated[str, Field(pattern=r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$")]] = []
    modules: Annotated[list[PathValue], Field(min_length=1)]
    token_label: str | None = None
    rsa_scheme: Literal["pkcs1v15", "pss"] = "pkcs1v15"


class KeySection(Section):
    backend: Literal["pkcs11"]
    # The SoftHSM2 module of the demo token. A box leaves it out: each vendor (built in or
    # [[key.vendors]]) names its own modules, and a missing one is reported per vendor.
    module: PathValue | None = None
    demo_token: bool = False
    # Key login (issue 4): vendors beyond the defaults in hardware/key_vendors.py, the CA
    # certificates (PEM) an operator certificate must be issued by, and the timings.
    vendors: list[KeyVendorSection] = []
    trusted_ca: list[PathValue] = []
    expiry_warning_days: Annotated[int, Field(ge=0, le=365)] = 30
    idle_lock_minutes: Annotated[float, Field(gt=0, le=480)] = 10.0
    poll_interval_s: Annotated[float, Field(ge=0.1, le=5)] = 0.5

    @model_validator(mode="after")
    def _demo_token_names_its_module(self) -> KeySection:
        if self.demo_token and self.module is None:
            raise ValueError(
                "demo_token needs module (the SoftHSM2 module path, e.g. "
                "/usr/lib/softhsm/libsofthsm2.so)"
            )
        return self


class UsbSection(Section):
    backend: Literal["fake", "pyusb"]
    state_file: PathValue | None = None


class PrinterSection(Section):
    backend: Literal["file", "usb", "serial", "network", "device"]
    output_dir: PathValue | None = None
    paper_width_mm: Literal[58, 80] = 80
    fault: Literal[
        "none",
        "paper_out",
        "cover_open",
        "offline",
        "paper_out_mid_job",
        "no_reply",
        "dead_connection",
    ] = "none"
    # Receipt printing (issue 6): the model's profile (appliance/data/printer_profiles.toml;
    # default generic-<paper_width_mm>), the render mode (default: the profile's), the
    # connection of the chosen backend, and the time limits (never 0: that waits forever).
    profile: str | None = None
    mode: Literal["text", "raster"] | None = None
    usb_vendor_id: Annotated[int, Field(ge=1, le=0xFFFF)] | None = None
    usb_product_id: Annotated[int, Field(ge=1, le=0xFFFF)] | None = None
    serial_port: PathValue | None = None
    baudrate: Literal[9600, 19200, 38400, 57600, 115200] = 9600
    host: Annotated[str, Field(pattern=r"^[0-9A-Za-z.:-]{1,253}$")] | None = None
    port: Annotated[int, Field(ge=1, le=65535)] = 9100
    device: PathValue | None = None
    timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    status_timeout_s: Annotated[float, Field(gt=0, le=5)] = 0.5

    @model_validator(mode="after")
    def _fits_backend_and_profile(self) -> PrinterSection:
        check_printer_section(self)
        return self


class IdReaderSection(Section):
    """The resident ID card reader (issue 14); leave the section out on a box without one.

    ``serial``: the SAM module over a serial line, at ``device`` (e.g. /dev/ttyUSB0 or a
    udev symlink; left out: the one USB-serial adapter of a common chip, see
    hardware/id_reader/discovery.py; absent at start is shown as 未连接 and looked for
    again). ``sim``: the development package's simulated module on a pseudo-terminal,
    holding ``sim_card`` (none: nothing on it) with ``sim_fault`` and ``sim_read_delay_s``
    (the module's own read time).
    """

    backend: Literal["serial", "sim"]
    device: PathValue | None = None
    baudrate: Literal[9600, 19200, 38400, 57600, 115200] = 115200
    timeout_s: Annotated[float, Field(gt=0, le=10)] = 1.0  # every command but the read
    read_timeout_s: Annotated[float, Field(gt=0, le=30)] = 3.0  # read base information
    poll_interval_s: Annotated[float, Field(ge=0.1, le=5)] = 0.5
    sim_card: Literal["resident_id", "residence_permit", "foreign_2017", "foreign_2023", "none"] = (
        "resident_id"
    )
    sim_fault: Literal[
        "none",
        "no_answer",
        "slow",
        "bad_checksum",
        "noise",
        "pulled_mid_read",
        "read_failed",
        "check_failed",
        "unknown_card",
        "self_check_failed",
        "unauthorised",
    ] = "none"
    sim_read_delay_s: Annotated[float, Field(ge=0, le=10)] = 0.3

    @model_validator(mode="after")
    def _sim_has_no_device(self) -> IdReaderSection:
        if self.backend == "sim" and self.device is not None:
            raise ValueError(
                "device: the simulated reader makes its own pseudo-terminal; "
                'remove device or use backend = "serial"'
            )
        return self


class ProvisioningSection(Section):
    """Where ``appliance provision apply`` writes this counter's site file (data
    partition), and the public key its bundles must be signed with (read-only root)."""

    site_file: PathValue
    public_key: PathValue


class Config(Section):
    appliance: ApplianceSection
    branch_server: BranchServerSection
    ui: UiSection
    camera: CameraSection
    scanner: ScannerSection = ScannerSection()
    key: KeySection
    usb: UsbSection
    printer: PrinterSection
    id_reader: IdReaderSection | None = None  # no reader on this box
    provisioning: ProvisioningSection | None = None
    source: PathValue = Path()

    @property
    def data_dir(self) -> Path:
        return self.appliance.data_dir

    @property
    def provisioned(self) -> bool:
        """Set up for its counter: the site file exists. A configuration without a
        [provisioning] section (development, tests) is complete as it is."""
        return self.provisioning is None or self.provisioning.site_file.exists()


def dev_config_text(data_dir: Path) -> str:
    """The development default with its data directory moved: each test, benchmark and
    scripted run gets a box of its own."""
    return DEV_CONFIG.read_text(encoding="utf-8").replace(
        'data_dir = "var/data"', f'data_dir = "{data_dir}"'
    )


def _describe(error: ErrorDetails) -> str:
    key = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{key}: unknown key (remove it or check its spelling)"
    if kind == "missing":
        return f"{key}: required key is missing"
    return f"{key}: {error['msg']} (got {error.get('input')!r})"


def default_config_path() -> Path:
    """$APPLIANCE_CONFIG when set, else the box's file if present, else the development one."""
    if env := os.environ.get("APPLIANCE_CONFIG"):
        return Path(env)
    return BOX_CONFIG if BOX_CONFIG.exists() else DEV_CONFIG


def parse_config(text: str, source: Path, *, site: bool = True) -> Config:
    """The box file's text, with its site file (when [provisioning] names one that
    exists, and ``site`` is true) merged over it, validated."""
    raw = _toml(text, source)
    label = str(source)
    site_file = _site_file(raw) if site else None
    if site_file is not None and site_file.exists():
        try:
            site_text = site_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read site file {site_file}: {exc.strerror}") from None
        raw = merge(raw, site_table(site_text, site_file))
        label = f"{source} with {site_file}"
    return validate_config(raw, source, label)


def _toml(text: str, source: Path) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def _site_file(raw: dict) -> Path | None:
    section = raw.get("provisioning")
    value = section.get("site_file") if isinstance(section, dict) else None
    return Path(value) if isinstance(value, str) else None


def site_table(text: str, source: Path) -> dict:
    """A site file's TOML, refused when it sets a key that only the box file may set."""
    table = _toml(text, source)
    foreign = foreign_keys(table)
    if foreign:
        raise ConfigError(
            f"{source}: {', '.join(foreign)}: not allowed in a site file "
            f"(allowed: {allowed_text()})"
        )
    return table


def validate_config(
    raw: dict, source: Path, label: str | None = None, *, check_paths: bool = True
) -> Config:
    """The schema over a parsed file; ``check_paths`` false skips the existence of
    files (a site about to be installed names files not written yet)."""
    label = label or str(source)
    try:
        config = Config.model_validate({**raw, "source": source})
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors(include_url=False))
        raise ConfigError(f"{label}: {problems}") from None
    missing = missing_keys(config) + (missing_paths(config) if check_paths else [])
    if missing:
        raise ConfigError(f"{label}: " + "; ".join(missing))
    return config


def check_site(box_text: str, box_source: Path, site_text: str, site_source: Path) -> Config:
    """The box file with a proposed site file laid over it, validated by the same
    schema (files it names are not required to exist yet)."""
    raw = merge(_toml(box_text, box_source), site_table(site_text, site_source))
    return validate_config(raw, box_source, f"{box_source} with {site_source}", check_paths=False)


def missing_keys(config: Config) -> list[str]:
    """Keys a chosen backend needs that the file leaves out.

    A configured camera device that is absent at start is not an error: the camera may be
    unplugged at boot, and the V4L2 backend reports it disconnected and keeps retrying.
    A V4L2 camera with no device is the first capture device found, so it needs none.
    """
    return []


def missing_paths(config: Config) -> list[str]:
    """Device and file paths the configuration names that do not exist."""
    checks: list[tuple[str, Path | None]] = [
        ("key.module", config.key.module),
        ("camera.replay_dir", config.camera.replay_dir),
        ("camera.replay_video", config.camera.replay_video),
        ("branch_server.ca_bundle", config.branch_server.ca_bundle),
    ]
    return [
        f"{key}: path {path} does not exist"
        for key, path in checks
        if path is not None and not path.exists()
    ]


def read_config_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc.strerror}") from None


def load_config(path: Path | None = None, *, site: bool = True) -> Config:
    """The box file with its site file merged over it (``site`` false: the box file
    alone, as ``appliance provision`` checks a new site against it)."""
    path = path or default_config_path()
    return parse_config(read_config_text(path), path, site=site)
