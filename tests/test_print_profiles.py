"""Every shipped profile prints the demo receipt correctly in both modes, checked by
reading the job bytes back with the strict ESC/POS interpreter."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from appliance.domain.receipt import QrCode, Text, layout_receipt
from appliance.hardware.printer.escpos_preview import EscPosError
from appliance.hardware.printer.profiles import (
    PrinterProfile,
    ProfileError,
    RenderMode,
    get_profile,
    shipped_profiles,
)
from appliance.hardware.printer.raster_receipt import render_slip
from appliance.hardware.printer.receipt_job import build_job
from appliance.hardware.printer.receipt_preview import preview_job
from tests.print_helpers import DEMO_RECEIPT, RECEIPT_NUMBER, decode_qr

GOLDEN = Path(__file__).parent / "golden"
PROFILES = sorted(shipped_profiles())
CUT_BYTES = {"partial": b"\x1dV\x01", "full": b"\x1dV\x00"}


def job(profile: PrinterProfile, mode: RenderMode) -> tuple[list, bytes]:
    lines = layout_receipt(DEMO_RECEIPT, profile.columns)
    return lines, build_job(lines, profile, mode)


def test_shipped_profiles_cover_58_mm_80_mm_and_an_epson_tm() -> None:
    widths = {p.paper_width_mm for p in shipped_profiles().values()}
    assert widths == {58, 80}
    assert any(name.startswith("epson-tm") for name in shipped_profiles())


@pytest.mark.parametrize("name", PROFILES)
def test_text_mode_prints_every_row_in_the_profiles_encoding(name: str) -> None:
    profile = get_profile(name)
    lines, data = job(profile, RenderMode.TEXT)
    preview = preview_job(data, profile)
    assert list(preview.text_lines) == [line.text for line in lines if not isinstance(line, QrCode)]
    assert "回执编号：".encode(profile.encoding) in data
    assert "?" not in "".join(preview.text_lines)
    assert preview.image.width == profile.dots_per_line
    assert decode_qr(preview.image) == [RECEIPT_NUMBER]


@pytest.mark.parametrize("name", PROFILES)
def test_text_mode_uses_the_profiles_chinese_mode_qr_and_cut_commands(name: str) -> None:
    profile = get_profile(name)
    _, data = job(profile, RenderMode.TEXT)
    assert (b"\x1c&" in data) is profile.chinese_mode_commands
    assert (b"\x1d(k" in data) is profile.native_qr
    assert (b"\x1dv0" in data) is not profile.native_qr  # a raster QR instead
    assert preview_job(data, profile).cuts == (profile.cutter != "none")
    if profile.cutter != "none":
        assert data.endswith(CUT_BYTES[profile.cutter])


@pytest.mark.parametrize("name", PROFILES)
def test_raster_mode_sends_only_dots_in_fragments(name: str) -> None:
    profile = get_profile(name)
    lines, data = job(profile, RenderMode.RASTER)
    preview = preview_job(data, profile)
    assert preview.text_lines == ()  # no text byte reached the printer
    assert "办".encode(profile.encoding) not in data[:200]
    command = b"\x1dv0" if profile.raster_command == "gs_v_0" else b"\x1d(L\x02\x0002"
    rows = render_slip(lines, profile).shape[0]
    assert data.count(command) == -(-rows // profile.raster_fragment_rows)
    assert decode_qr(preview.image) == [RECEIPT_NUMBER]
    assert preview.cuts == (profile.cutter != "none")


@pytest.mark.parametrize("name", PROFILES)
def test_raster_slip_matches_its_golden_png(name: str) -> None:
    profile = get_profile(name)
    _, data = job(profile, RenderMode.RASTER)
    image = preview_job(data, profile).image
    golden = GOLDEN / f"receipt-{name}-raster.png"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        image.save(golden)
        pytest.skip(f"golden written: {golden.name}")
    expected = np.asarray(Image.open(golden).convert("L"))
    assert np.array_equal(np.asarray(image), expected)


@pytest.mark.parametrize("name", PROFILES)
def test_raster_and_text_slips_have_the_same_length(name: str) -> None:
    profile = get_profile(name)
    text = preview_job(job(profile, RenderMode.TEXT)[1], profile).image
    raster = preview_job(job(profile, RenderMode.RASTER)[1], profile).image
    assert text.size == raster.size


def test_text_a_profile_cannot_encode_is_refused_not_printed_as_question_marks() -> None:
    profile = get_profile("epson-tm-t88")  # GBK has no CJK extension B
    data = dataclasses.replace(DEMO_RECEIPT, operator_name="李𠀀")
    with pytest.raises(UnicodeEncodeError):
        build_job(layout_receipt(data, profile.columns), profile, RenderMode.TEXT)
    raster = build_job(layout_receipt(data, profile.columns), profile, RenderMode.RASTER)
    assert preview_job(raster, profile).cuts == 1


def test_a_printer_already_in_chinese_mode_misreads_nothing_without_fs_commands() -> None:
    profile = get_profile("generic-58")
    _, data = job(profile, RenderMode.TEXT)
    assert b"\x1c&" not in data
    with pytest.raises(EscPosError):
        preview_job(data, dataclasses.replace(profile, chinese_mode_commands=True))


def test_unknown_profile_names_the_shipped_ones() -> None:
    with pytest.raises(ProfileError, match="generic-80"):
        get_profile("xp-9999")


def test_full_width_punctuation_alone_is_sent_in_the_profiles_encoding() -> None:
    for name in PROFILES:
        profile = get_profile(name)
        lines = [Text("：，。")]
        data = build_job(lines, profile, RenderMode.TEXT)
        assert "：，。".encode(profile.encoding) in data
        assert preview_job(data, profile).text_lines == ("：，。",)
