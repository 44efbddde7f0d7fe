"""Draw the labelled synthetic camera frames the scan benchmark decodes.

A thermal queue slip with a QR code lies on a desk, seen by the document camera at
1280x720 and 1920x1080, under one degradation at a time in graded levels (level 1 mild
to 3 severe), plus clean frames with each payload kind (ASCII, UTF-8 Chinese with and
without an ECI header) and frames with no ticket. Drawing is seeded per frame, so a
rerun draws the same pixels. Frames are lossless PNG (the JPEG degradation is baked in)
so that ``appliance scan`` reads exactly what the benchmark decoded.

Run ``python bench/make_frames.py [OUTDIR]`` (default ``bench/.frames``); the labels are
in ``labels.json`` beside the frames: file, size, degradation, level, payload kind, text.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import segno

SEED = 20261129
FRAMES_DIR = Path(__file__).resolve().parent / ".frames"
SIZES = ((1280, 720), (1920, 1080))
PER_CELL = 8
EMPTY_FRAMES = 16
SLIP_MODULE_PX = 6  # the slip is drawn at 6 px a module, then scaled into the frame
GENERATOR_VERSION = 4

# degradation -> the parameter at levels 1, 2, 3. Module sizes are in frame pixels at
# 720p and scale with the frame; every other degradation uses 3.2 px modules at 720p.
LEVELS: dict[str, tuple[float, ...]] = {
    "module_size": (2.6, 2.0, 1.6),
    "rotation": (20.0, 45.0, 165.0),  # degrees in the desk plane
    "perspective": (25.0, 40.0, 55.0),  # degrees of tilt out of the plane
    "blur_gaussian": (1.0, 1.4, 1.8),  # focus blur sigma in px at 3.2 px modules
    "blur_motion": (4.0, 6.0, 8.0),  # streak length in px at 720p
    "low_contrast": (60.0, 35.0, 20.0),  # paper minus ink, grey levels
    "uneven_light": (0.45, 0.65, 0.8),  # fraction of light lost across the slip
    "glare": (0.7, 0.85, 0.97),  # peak whiteness of the reflection on the QR
    "jpeg": (35.0, 18.0, 8.0),  # JPEG quality
    "noise": (10.0, 20.0, 32.0),  # sensor noise sigma, grey levels
    "faded": (0.45, 0.65, 0.8),  # fraction of the ink's darkness lost, patchy
}
BASE_MODULE_PX = 3.2
PAYLOAD_KINDS = ("ascii", "utf8_eci", "utf8_no_eci")
ITEM_NAMES = (
    "不动产登记",
    "居民身份证换领",
    "社会保险参保登记",
    "个体工商户设立登记",
    "机动车驾驶证换证",
    "出入境证件办理",
    "公积金提取",
    "营业执照变更",
)


@dataclass(frozen=True)
class Label:
    file: str
    width: int
    height: int
    degradation: str
    level: int
    payload_kind: str
    text: str | None  # None: no ticket in the frame


def payload(kind: str, rng: np.random.Generator) -> str:
    """A ticket payload in the formats of appliance.domain.ticket."""
    appt = f"YY202611{rng.integers(1, 29):02d}{rng.integers(0, 999999):06d}"
    item = f"442000-{rng.choice(['GA', 'SB', 'SC', 'MZ'])}-{rng.integers(100, 999):04d}"
    if kind == "ascii":
        if rng.random() < 0.5:
            return appt
        letter = "ABCD"[rng.integers(0, 4)]
        return (
            f"https://zs.gdzwfw.gov.cn/q?v=1&q={letter}{rng.integers(0, 999):03d}"
            f"&i={item}&h=ZSFT&t=20261129T{rng.integers(8, 17):02d}3000"
        )
    name = ITEM_NAMES[rng.integers(0, len(ITEM_NAMES))]
    return (
        f'{{"v":1,"appt":"{appt}","item":"{item}","hall":"ZSFT",'
        f'"ts":"2026-11-29T09:30:00+08:00","item_name":"{name}"}}'
    )


def qr_modules(text: str, kind: str) -> np.ndarray:
    """The QR's module matrix with its quiet zone; Chinese in byte mode, ECI as asked."""
    if kind == "ascii":
        qr = segno.make(text, error="m", micro=False)
    else:
        qr = segno.make(
            text, error="m", micro=False, encoding="utf-8", mode="byte", eci=kind == "utf8_eci"
        )
    return np.array(list(qr.matrix_iter(scale=1, border=4)), dtype=bool)


def slip(
    modules: np.ndarray | None, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[float, float]]:
    """Ink coverage of a slip (0 paper, 1 ink): text bars above the QR, a footer below."""
    qr_px = (modules.shape[0] if modules is not None else 33) * SLIP_MODULE_PX
    width = qr_px + 60
    height = qr_px + 260
    ink = np.zeros((height, width), np.float32)
    y = 16
    for _ in range(5):  # lines of print: bars of glyph-like blocks
        h = int(rng.integers(10, 26))
        x = int(rng.integers(20, 60))
        while x < width - 40:
            w = int(rng.integers(h // 2, h + 2))
            ink[y : y + h, x : x + w] = rng.random((h, w)) < 0.45
            x += w + int(rng.integers(2, 6))
        y += h + 12
    top = height - qr_px - 40
    if modules is not None:
        qr = np.kron(modules, np.ones((SLIP_MODULE_PX, SLIP_MODULE_PX), np.float32))
        ink[top : top + qr_px, 30 : 30 + qr_px] = qr
    return cv2.GaussianBlur(ink, (0, 0), 0.7), (30 + qr_px / 2, top + qr_px / 2)


def placement(
    slip_shape: tuple[int, int],
    qr_centre: tuple[float, float],
    scale: float,
    angle: float,
    tilt: float,
    frame: tuple[int, int],
    rng: np.random.Generator,
) -> np.ndarray:
    """Homography laying the slip on the desk: scaled, turned, tilted, QR near the centre."""
    h, w = slip_shape
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]) - np.float32(qr_centre)
    theta = np.deg2rad(angle)
    rot = np.float32([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    pts = corners * scale @ rot.T
    if tilt:
        # Tilt about a horizontal axis through the QR: far edge shrinks, near edge grows.
        depth = 1.0 + np.sin(np.deg2rad(tilt)) * pts[:, 1] / (frame[1] * 0.9)
        pts = np.stack([pts[:, 0] / depth, pts[:, 1] * np.cos(np.deg2rad(tilt)) / depth], 1)
    jitter = rng.uniform(-0.12, 0.12, 2) * np.float32(frame)
    centre = np.float32(frame) / 2 + jitter
    return cv2.getPerspectiveTransform(
        corners + np.float32(qr_centre), (pts + centre).astype(np.float32)
    )


def desk(frame: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    small = rng.uniform(-1, 1, (6, 10)).astype(np.float32)
    grain = cv2.resize(small, frame, interpolation=cv2.INTER_CUBIC)
    return 85.0 + 12.0 * grain


def render(
    size: tuple[int, int], degradation: str, level: int, kind: str, rng: np.random.Generator
) -> tuple[np.ndarray, str | None]:
    """One grey frame and the text its QR holds (None when there is no ticket)."""
    w, h = size
    k = w / 1280.0
    value = LEVELS[degradation][level - 1] if degradation in LEVELS else 0.0
    text = None if degradation == "empty" else payload(kind, rng)
    modules = qr_modules(text, kind) if text is not None else None
    ink, qr_centre = slip(modules, rng)
    module_px = (value if degradation == "module_size" else BASE_MODULE_PX) * k
    scale = module_px / SLIP_MODULE_PX
    angle = value if degradation == "rotation" else float(rng.uniform(-8, 8))
    angle *= rng.choice([-1.0, 1.0])
    tilt = value if degradation == "perspective" else 0.0

    paper, ink_level = 236.0, 30.0
    if degradation == "low_contrast":
        paper, ink_level = 190.0, 190.0 - value
    darkness = ink.copy()
    if degradation == "faded":
        patches = cv2.resize(
            rng.uniform(0.0, 1.0, (6, 4)).astype(np.float32),
            (ink.shape[1], ink.shape[0]),
            interpolation=cv2.INTER_CUBIC,
        )
        darkness *= 1.0 - value * (0.7 + 0.3 * np.clip(patches, 0, 1))
    surface = paper - darkness * (paper - ink_level)
    if degradation == "glare":
        ys, xs = np.mgrid[0 : ink.shape[0], 0 : ink.shape[1]].astype(np.float32)
        qr_half = (modules.shape[0] * SLIP_MODULE_PX) / 2
        cx = qr_centre[0] + rng.uniform(-0.3, 0.3) * qr_half
        cy = qr_centre[1] + rng.uniform(-0.3, 0.3) * qr_half
        r = qr_half * 0.55
        blob = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * r * r))
        surface = surface + (255.0 - surface) * value * blob

    if scale < 1:  # area-average before the warp, as the lens and sensor would
        surface = cv2.GaussianBlur(surface, (0, 0), 0.45 / scale)
    matrix = placement(ink.shape, qr_centre, scale, angle, tilt, size, rng)
    mask = cv2.warpPerspective(np.ones_like(surface), matrix, size, flags=cv2.INTER_LINEAR)
    warped = cv2.warpPerspective(surface, matrix, size, flags=cv2.INTER_LINEAR)
    base = desk(size, rng)
    if degradation == "empty" and rng.random() < 0.5:
        mask = mask * 0  # half the empty frames are bare desk, half a slip with no QR
    frame = base * (1 - mask) + warped * mask

    xs = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    ys = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
    light = 1.0 - 0.08 * (xs**2 + ys**2)
    if degradation == "uneven_light":
        direction = rng.uniform(0, 2 * np.pi)
        ramp = (np.cos(direction) * xs + np.sin(direction) * ys) * 2.2  # steep over the QR
        light = light * (1.0 - value * np.clip((ramp + 1) / 2, 0, 1))
    frame = frame * light

    sigma_focus = 0.6 * k
    if degradation == "blur_gaussian":
        sigma_focus = value * module_px / BASE_MODULE_PX * k
    frame = cv2.GaussianBlur(frame, (0, 0), sigma_focus)
    if degradation == "blur_motion":
        length = max(3, int(round(value * k)))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        centre = (length / 2 - 0.5, length / 2 - 0.5)
        turn = cv2.getRotationMatrix2D(centre, float(rng.uniform(0, 180)), 1.0)
        kernel = cv2.warpAffine(kernel, turn, (length, length))
        frame = cv2.filter2D(frame, -1, kernel / kernel.sum())
    noise_sigma = value if degradation == "noise" else 2.0
    frame = frame + rng.normal(0.0, noise_sigma, frame.shape).astype(np.float32)
    gray = np.clip(np.rint(frame), 0, 255).astype(np.uint8)
    if degradation == "jpeg":
        ok, data = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, int(value)])
        gray = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return gray, text


def cells() -> list[tuple[str, int, str, int]]:
    """(degradation, level, payload kind, count) for every group of frames."""
    result = []
    for degradation in LEVELS:
        for level in (1, 2, 3):
            result.append((degradation, level, "mixed", PER_CELL))
    for kind in PAYLOAD_KINDS:
        result.append(("clean", 0, kind, PER_CELL))
    result.append(("empty", 0, "none", EMPTY_FRAMES))
    return result


def write_frames(outdir: Path = FRAMES_DIR) -> list[Label]:
    """Draw every frame into ``outdir`` unless a complete set of this version is there."""
    labels_path = outdir / "labels.json"
    if labels_path.exists():
        stored = json.loads(labels_path.read_text(encoding="utf-8"))
        if stored.get("version") == GENERATOR_VERSION and stored.get("seed") == SEED:
            return [Label(**entry) for entry in stored["frames"]]
    outdir.mkdir(parents=True, exist_ok=True)
    labels = []
    for size in SIZES:
        for cell_index, (degradation, level, kind, count) in enumerate(cells()):
            for index in range(count):
                rng = np.random.default_rng([SEED, size[0], cell_index, index])
                frame_kind = PAYLOAD_KINDS[index % 3] if kind == "mixed" else kind
                gray, text = render(size, degradation, level, frame_kind, rng)
                name = f"{size[1]}p-{degradation}-{level}-{frame_kind}-{index:02d}.png"
                cv2.imwrite(str(outdir / name), gray, [cv2.IMWRITE_PNG_COMPRESSION, 1])
                labels.append(
                    Label(
                        name,
                        size[0],
                        size[1],
                        degradation,
                        level,
                        frame_kind if text else "none",
                        text,
                    )
                )
    labels_path.write_text(
        json.dumps(
            {"version": GENERATOR_VERSION, "seed": SEED, "frames": [asdict(x) for x in labels]},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return labels


def main(argv: list[str]) -> int:
    outdir = Path(argv[0]) if argv else FRAMES_DIR
    labels = write_frames(outdir)
    print(f"{len(labels)} frames in {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
