"""Draw the bundled queue-ticket photos that the replay camera serves.

Each image is what the document camera (高拍仪) sees: a thermal slip on a darker desk,
1280x720 grey, with one of the faults real tickets bring (rotation, perspective, faded
print, glare, a QR that is not a ticket). Drawing is seeded, so a rerun gives the same
pictures; ``manifest.json`` records each file's payload and what it simulates.

Run ``python -m appliance_dev.sim.make_tickets [OUTDIR]``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont

import appliance
from appliance.errors import StartupError
from appliance_dev.sim.replay_camera import MANIFEST_NAME, TICKETS_DIR

FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_INDEX = 2  # Noto Sans CJK SC
CATALOGUE = Path(appliance.__file__).parent / "data" / "catalogue.json"
FRAME_SIZE = (1280, 720)
SLIP_SIZE = (300, 560)
QR_MODULE_PX = 4
# Camera noise, in grey levels, drawn at quarter resolution: the camera's own denoising
# leaves it blotchy, and fine-grained noise would triple the size of the bundled PNGs.
SENSOR_NOISE = 1.5

HALL = "中山市政务服务中心"
BRANCH = "广东省网上办事大厅中山分厅"


@dataclass(frozen=True)
class TicketSpec:
    """One bundled picture: what is printed, what the QR holds, how the camera sees it."""

    file: str
    payload: str
    simulates: str
    queue_number: str
    item_code: str
    ahead: int
    printed_at: str
    appointment: str | None = None
    angle: float = 0.0
    skew: bool = False
    faded: bool = False
    glare: bool = False
    shop: bool = False


def _queue_url(queue: str, item: str, stamp: str, appointment: str | None = None) -> str:
    extra = f"&a={appointment}" if appointment else ""
    return f"https://zs.gdzwfw.gov.cn/q?v=1&q={queue}{extra}&i={item}&h=ZSFT&t={stamp}"


SPECS: tuple[TicketSpec, ...] = (
    TicketSpec(
        file="ticket-upright.png",
        payload=_queue_url("A023", "442000-GA-0101", "20261129T093000"),
        simulates="queue-machine ticket lying straight under the camera",
        queue_number="A023",
        item_code="442000-GA-0101",
        ahead=3,
        printed_at="2026-11-29 09:30",
    ),
    TicketSpec(
        file="ticket-rotated.png",
        payload=(
            '{"v":1,"appt":"YY20261129000123","item":"442000-SB-0310",'
            '"hall":"ZSFT","ts":"2026-11-29T09:30:00+08:00"}'
        ),
        simulates="online-appointment ticket (JSON payload) laid down rotated about 15 degrees",
        queue_number="B017",
        item_code="442000-SB-0310",
        ahead=5,
        printed_at="2026-11-29 09:30",
        appointment="YY20261129000123",
        angle=15.0,
    ),
    TicketSpec(
        file="ticket-perspective.png",
        payload=_queue_url("C105", "442000-SC-0501", "20261129T101500", "YY20261129000087"),
        simulates="queue ticket taken for an appointment, seen at a slant (perspective)",
        queue_number="C105",
        item_code="442000-SC-0501",
        ahead=1,
        printed_at="2026-11-29 10:15",
        appointment="YY20261129000087",
        skew=True,
    ),
    TicketSpec(
        file="ticket-faded.png",
        payload="YY20261129000045",
        simulates="old thermal print, faded and low contrast; QR holds a bare appointment number",
        queue_number="A031",
        item_code="442000-ZJ-0601",
        ahead=8,
        printed_at="2026-11-29 08:52",
        appointment="YY20261129000045",
        angle=-4.0,
        faded=True,
    ),
    TicketSpec(
        file="ticket-glare.png",
        payload=_queue_url("D008", "442000-MZ-0703", "20261129T110500"),
        simulates="glossy slip with a ceiling-light glare over the lower right of the QR",
        queue_number="D008",
        item_code="442000-MZ-0703",
        ahead=2,
        printed_at="2026-11-29 11:05",
        angle=6.0,
        glare=True,
    ),
    TicketSpec(
        file="ticket-unknown.png",
        payload="https://shop.example.com/coupon?id=88412&s=7",
        simulates="a shop receipt with a coupon QR instead of a ticket: 无法识别的条码",
        queue_number="",
        item_code="",
        ahead=0,
        printed_at="2026-11-29 08:40",
        angle=-8.0,
        shop=True,
    ),
)


def item_names() -> dict[str, str]:
    items = json.loads(CATALOGUE.read_text(encoding="utf-8"))["items"]
    return {item["code"]: item["name"] for item in items}


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size, index=FONT_INDEX)


def _qr_modules(payload: str) -> np.ndarray:
    """The QR as a boolean module matrix with its quiet zone, one cell per module."""
    qr = segno.make(payload, error="m", micro=False)
    return np.array(list(qr.matrix_iter(scale=1, border=4)), dtype=bool)


def _slip_lines(spec: TicketSpec, names: dict[str, str]) -> list[tuple[str, int]]:
    """The printed text as (line, font size), top to bottom, above and below the QR."""
    if spec.shop:
        return [
            ("惠民便利店", 30),
            ("购物小票", 18),
            ("矿泉水 550ml  ×2   3.00", 16),
            ("面包  ×1   6.50", 16),
            ("纸巾  ×1   3.00", 16),
            ("合计 ¥12.50", 24),
            (spec.printed_at, 16),
        ]
    lines = [
        (HALL, 24),
        (BRANCH, 14),
        (f"叫号 {spec.queue_number}", 46),
        (names[spec.item_code], 24),
        (f"前面还有 {spec.ahead} 人", 20),
        (spec.printed_at, 16),
    ]
    if spec.appointment:
        lines.append((f"预约号 {spec.appointment}", 14))
    return lines


def draw_slip(spec: TicketSpec, names: dict[str, str]) -> tuple[np.ndarray, tuple[int, int]]:
    """Ink coverage of the slip (0 paper .. 1 full ink) as float32, and the QR's centre."""
    width, height = SLIP_SIZE
    canvas = Image.new("L", SLIP_SIZE, 0)
    draw = ImageDraw.Draw(canvas)
    y = 18
    for text, size in _slip_lines(spec, names):
        font = _font(size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        bold = 1 if size >= 40 else 0
        draw.text(
            ((width - (right - left)) // 2 - left, y - top),
            text,
            fill=255,
            font=font,
            stroke_width=bold,
            stroke_fill=255,
        )
        y += int(bottom - top) + max(8, size // 3)
    ink = np.asarray(canvas, dtype=np.float32) / 255.0
    modules = _qr_modules(spec.payload)
    qr = np.kron(modules, np.ones((QR_MODULE_PX, QR_MODULE_PX), dtype=np.float32))
    footer = 34
    top = y + 4
    left = (width - qr.shape[1]) // 2
    ink[top : top + qr.shape[0], left : left + qr.shape[1]] = qr
    note = "扫码领取优惠券" if spec.shop else "请留意叫号，过号请重新取号"
    tail = Image.new("L", (width, footer), 0)
    tail_draw = ImageDraw.Draw(tail)
    font = _font(13)
    left_px, _, right_px, _ = tail_draw.textbbox((0, 0), note, font=font)
    tail_draw.text(((width - (right_px - left_px)) // 2, 6), note, fill=255, font=font)
    ink[height - footer :] = np.maximum(
        ink[height - footer :], np.asarray(tail, dtype=np.float32) / 255.0
    )
    return ink, (left + qr.shape[1] // 2, top + qr.shape[0] // 2)


def _smooth_noise(rng: np.random.Generator, cells: tuple[int, int]) -> np.ndarray:
    """Low-frequency noise in [-1, 1] over the frame: the grain of the desk."""
    small = rng.uniform(-1.0, 1.0, size=(cells[1], cells[0])).astype(np.float32)
    return cv2.resize(small, FRAME_SIZE, interpolation=cv2.INTER_CUBIC)


def _placement(spec: TicketSpec) -> np.ndarray:
    """The 3x3 homography that lays the slip on the desk."""
    width, height = SLIP_SIZE
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    centre = np.array([FRAME_SIZE[0] * 0.5, FRAME_SIZE[1] * 0.5], dtype=np.float32)
    if spec.skew:
        target = (
            np.array([[-120, -300], [160, -330], [185, 335], [-160, 300]], dtype=np.float32)
            + centre
        )
    else:
        theta = np.deg2rad(spec.angle)
        rotation = np.array(
            [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]], dtype=np.float32
        )
        target = (corners - np.array([width, height], dtype=np.float32) / 2) @ rotation.T + centre
    return cv2.getPerspectiveTransform(corners, target.astype(np.float32))


def render(spec: TicketSpec, names: dict[str, str], seed: int) -> np.ndarray:
    """The camera frame for one ticket, as grey uint8."""
    rng = np.random.default_rng(seed)
    w, h = FRAME_SIZE
    xs = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]
    ys = np.linspace(-1.0, 1.0, h, dtype=np.float32)[:, None]
    light = 1.0 - 0.10 * xs + 0.06 * ys - 0.12 * (xs**2 + ys**2)
    desk = (78.0 + 9.0 * _smooth_noise(rng, (5, 40))) * light

    ink, (qr_x, qr_y) = draw_slip(spec, names)
    paper_level, ink_level = (226.0, 150.0) if spec.faded else (238.0, 32.0)
    slip_h, slip_w = ink.shape
    fade = np.ones_like(ink)
    if spec.faded:
        fade = cv2.resize(
            rng.uniform(0.75, 1.0, size=(8, 4)).astype(np.float32),
            (slip_w, slip_h),
            interpolation=cv2.INTER_CUBIC,
        )
    paper = paper_level - 4.0 * np.linspace(0, 1, slip_h, dtype=np.float32)[:, None]
    slip = paper - ink * fade * (paper_level - ink_level)
    if spec.glare:
        # The reflection sits on the glossy slip, over the QR's lower right quarter.
        sx = np.arange(slip_w, dtype=np.float32)[None, :] - (qr_x + 40)
        sy = np.arange(slip_h, dtype=np.float32)[:, None] - (qr_y + 35)
        blob = np.exp(-(sx**2 / (2 * 45.0**2) + sy**2 / (2 * 30.0**2)))
        slip = slip + (255.0 - slip) * 0.85 * blob

    matrix = _placement(spec)
    warped = cv2.warpPerspective(slip, matrix, FRAME_SIZE, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones_like(slip), matrix, FRAME_SIZE, flags=cv2.INTER_LINEAR)
    shadow = cv2.GaussianBlur(np.roll(mask, (10, 7), axis=(0, 1)), (0, 0), 9)
    frame = desk * (1.0 - 0.45 * shadow)
    frame = frame * (1.0 - mask) + warped * light * mask

    frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
    noise = rng.normal(0.0, SENSOR_NOISE, size=(h // 4, w // 4)).astype(np.float32)
    frame = frame + cv2.resize(noise, FRAME_SIZE, interpolation=cv2.INTER_LINEAR)
    return np.clip(np.rint(frame), 0, 255).astype(np.uint8)


def write_tickets(outdir: Path) -> list[Path]:
    """Draw every ticket into ``outdir`` and write its manifest; returns the image paths."""
    if not FONT_PATH.exists():
        raise StartupError(f"font {FONT_PATH} is missing: install fonts-noto-cjk")
    outdir.mkdir(parents=True, exist_ok=True)
    names = item_names()
    paths = []
    for seed, spec in enumerate(SPECS):
        path = outdir / spec.file
        cv2.imwrite(str(path), render(spec, names, seed), [cv2.IMWRITE_PNG_COMPRESSION, 9])
        paths.append(path)
    manifest = {
        "version": 1,
        "tickets": [
            {"file": s.file, "payload": s.payload, "simulates": s.simulates} for s in SPECS
        ],
    }
    (outdir / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return paths


def main(argv: list[str]) -> int:
    outdir = Path(argv[0]) if argv else TICKETS_DIR
    for path in write_tickets(outdir):
        print(f"{path}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
