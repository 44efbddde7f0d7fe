from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from appliance.domain.receipt import (
    FOOTER,
    OFFLINE_NOTICE,
    TITLE,
    TITLE_SCALE,
    Align,
    Line,
    QrCode,
    ReceiptData,
    Separator,
    Text,
    Title,
    display_width,
    layout_receipt,
)
from appliance.hardware.printer.escpos_encode import encode_receipt

FULL_ID = "44200019900101123X"
FULL_NAME = "欧阳晓明"

RECEIPT = ReceiptData(
    hall_name="广东省网上办事大厅中山分厅",
    window="08",
    receipt_number="ZS-08-20250314-0001",
    item_name="个体工商户设立登记",
    item_code="11442000007176788Q4440112001000",
    item_type_label="中山分厅待办",
    applicant_name=FULL_NAME,
    id_type_label="居民身份证",
    id_number=FULL_ID,
    accepted_at=datetime(2025, 3, 14, 10, 32),
    operator_name="李梅",
    appointment_number="YY2025031400123",
    promised_date=date(2025, 3, 28),
    synced=True,
)

LONG_ITEM = "个体工商户设立登记（含名称自主申报、经营范围规范表述、电子营业执照同步发放）"


def texts(lines: list[Line]) -> list[str]:
    return [line.text for line in lines if not isinstance(line, QrCode)]


def joined(lines: list[Line]) -> str:
    return "\n".join(texts(lines))


def test_receipt_shows_every_field() -> None:
    rows = texts(layout_receipt(RECEIPT, 48))
    for row in [
        "回执编号：ZS-08-20250314-0001",
        "事项名称：个体工商户设立登记",
        "事项编码：11442000007176788Q4440112001000",
        "事项类型：中山分厅待办",
        "办 事 人：欧**明",
        "证件类型：居民身份证",
        "证件号码：4420**********123X",
        "预约编号：YY2025031400123",
        "受理时间：2025-03-14 10:32",
        "承诺办结：2025-03-28",
        "受理窗口：08号窗口",
        "受理人员：李梅",
        "广东省网上办事大厅中山分厅",
        FOOTER,
    ]:
        assert row in rows


def test_receipt_starts_with_centred_title_and_carries_qr_of_receipt_number() -> None:
    lines = layout_receipt(RECEIPT, 48)
    assert lines[0] == Title(TITLE)
    assert QrCode("ZS-08-20250314-0001") in lines
    assert lines[-1] == Text(FOOTER, Align.CENTER)
    assert sum(isinstance(line, Separator) for line in lines) == 2


def test_receipt_masks_name_and_id_number() -> None:
    lines = layout_receipt(RECEIPT, 32)
    job = encode_receipt(lines)
    assert FULL_ID not in joined(lines)
    assert FULL_NAME not in joined(lines)
    assert FULL_ID.encode("gb18030") not in job
    assert FULL_NAME.encode("gb18030") not in job


def test_offline_notice_only_when_not_synced() -> None:
    assert OFFLINE_NOTICE not in texts(layout_receipt(RECEIPT, 48))
    offline = layout_receipt(dataclasses.replace(RECEIPT, synced=False), 48)
    assert Text(OFFLINE_NOTICE, Align.CENTER) in offline


def test_optional_rows_are_left_out_when_empty() -> None:
    bare = dataclasses.replace(RECEIPT, appointment_number=None, promised_date=None)
    text = joined(layout_receipt(bare, 48))
    assert "预约编号" not in text
    assert "承诺办结" not in text


@pytest.mark.parametrize("columns", [24, 32, 42, 48])
def test_wrapping_never_exceeds_columns(columns: int) -> None:
    data = dataclasses.replace(
        RECEIPT,
        item_name=LONG_ITEM,
        hall_name="广东省网上办事大厅中山分厅（火炬开发区政务服务中心）",
        synced=False,
    )
    for line in layout_receipt(data, columns):
        if isinstance(line, Title):
            assert display_width(line.text) * TITLE_SCALE <= columns
        elif not isinstance(line, QrCode):
            assert display_width(line.text) <= columns, line


def test_wrapped_value_continues_under_its_first_character() -> None:
    rows = texts(layout_receipt(dataclasses.replace(RECEIPT, item_name=LONG_ITEM), 32))
    start = next(i for i, row in enumerate(rows) if row.startswith("事项名称："))
    first, *rest = rows[start : start + 4]
    assert all(row.startswith(" " * display_width("事项名称：")) for row in rest[:2])
    assert (first + "".join(row.strip() for row in rest)).startswith("事项名称：" + LONG_ITEM)


def test_control_characters_in_values_never_reach_the_printer() -> None:
    data = dataclasses.replace(RECEIPT, item_name="登记\x1dV\x01\n变更", operator_name="李\x1b@梅")
    rows = texts(layout_receipt(data, 48))
    assert "事项名称：登记 V 变更" in rows
    assert not any(ord(ch) < 0x20 for row in rows for ch in row)


def test_time_of_an_aware_timestamp_is_printed_in_hall_time() -> None:
    data = dataclasses.replace(RECEIPT, accepted_at=datetime(2025, 3, 14, 2, 32, tzinfo=UTC))
    assert "受理时间：2025-03-14 10:32" in texts(layout_receipt(data, 48))


def test_display_width_counts_chinese_and_full_width_punctuation_double() -> None:
    assert display_width("办件回执") == 8
    assert display_width("：，") == 4
    assert display_width("ZS-08 0001") == 10
    assert display_width("4420**123X") == 10


def test_too_narrow_paper_is_refused() -> None:
    with pytest.raises(ValueError, match="columns"):
        layout_receipt(RECEIPT, 20)
