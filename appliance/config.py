"""The appliance configuration: one TOML file, validated before anything starts.

Every hardware port picks its backend here. Relative paths are taken relative to the
working directory. :func:`load_config` raises :class:`ConfigError` with one line per
problem, each naming the key and what is expected.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from appliance.errors import ConfigError

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


class BranchServerSection(Section):
    url: Annotated[str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$")]


class UiSection(Section):
    fullscreen: bool
    show_cursor: bool
    width: Annotated[int, Field(ge=320, le=7680)] = 1280
    height: Annotated[int, Field(ge=240, le=4320)] = 800
    font_path: PathValue
    font_index: Annotated[int, Field(ge=0, le=31)] = 0


class CameraSection(Section):
    backend: Literal["replay"]
    replay_dir: PathValue | None = None
    frame_rate: Annotated[float, Field(gt=0, le=60)] = 10.0


class ScannerSection(Section):
    formats: Annotated[list[Literal["QRCode", "MicroQRCode", "DataMatrix", "Code128"]],
                       Field(min_length=1)] = ["QRCode"]


class KeySection(Section):
    backend: Literal["pkcs11"]
    module: PathValue
    demo_token: bool = False


class UsbSection(Section):
    backend: Literal["fake"]
    state_file: PathValue | None = None


class PrinterSection(Section):
    backend: Literal["file"]
    output_dir: PathValue | None = None
    paper_width_mm: Literal[58, 80] = 80
    fault: Literal["none", "paper_out", "cover_open", "offline"] = "none"


class Config(Section):
    appliance: ApplianceSection
    branch_server: BranchServerSection
    ui: UiSection
    camera: CameraSection
    scanner: ScannerSection = ScannerSection()
    key: KeySection
    usb: UsbSection
    printer: PrinterSection
    source: PathValue = Path()

    @property
    def data_dir(self) -> Path:
        return self.appliance.data_dir


def _describe(error: dict) -> str:
    key = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{key}: unknown key (remove it or check its spelling)"
    if kind == "missing":
        return f"{key}: required key is missing"
    return f"{key}: {error['msg']} (got {error.get('input')!r})"


def default_config_path() -> Path:
    """The box's file when present, else $APPLIANCE_CONFIG, else the development default."""
    if env := os.environ.get("APPLIANCE_CONFIG"):
        return Path(env)
    return BOX_CONFIG if BOX_CONFIG.exists() else DEV_CONFIG


def parse_config(text: str, source: Path) -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    raw["source"] = source
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors(include_url=False))
        raise ConfigError(f"{source}: {problems}") from None
    missing = missing_paths(config)
    if missing:
        raise ConfigError(f"{source}: " + "; ".join(missing))
    return config


def missing_paths(config: Config) -> list[str]:
    """Device and file paths the configuration names that do not exist."""
    checks: list[tuple[str, Path | None]] = [
        ("key.module", config.key.module),
        ("camera.replay_dir", config.camera.replay_dir),
    ]
    return [
        f"{key}: path {path} does not exist" for key, path in checks
        if path is not None and not path.exists()
    ]


def load_config(path: Path | None = None) -> Config:
    path = path or default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc.strerror}") from None
    return parse_config(text, path)
