"""Shared data and readers for the receipt-printing tests."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import zxingcpp
from PIL import Image

from appliance.domain.receipt import ReceiptData

RECEIPT_NUMBER = "ZS-08-20250314-0001"

DEMO_RECEIPT = ReceiptData(
    hall_name="广东省网上办事大厅中山分厅",
    window="08",
    receipt_number=RECEIPT_NUMBER,
    item_name="个体工商户设立登记（含名称自主申报、经营范围规范表述）",
    item_code="11442000007176788Q4440112001000",
    item_type_label="中山分厅待办",
    applicant_name="张晓三",
    id_type_label="居民身份证",
    id_number="44200019900101123X",
    accepted_at=datetime(2025, 3, 14, 10, 32),
    operator_name="李梅",
    appointment_number="YY2025031400123",
    promised_date=date(2025, 3, 28),
    synced=False,
)


def decode_qr(image: Image.Image) -> list[str]:
    gray = np.asarray(image.convert("L"))
    found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found if barcode.valid]
