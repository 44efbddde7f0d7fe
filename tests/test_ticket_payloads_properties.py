"""Ticket payloads from any QR: Chinese item names where documented, nothing else crashes."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.domain.ticket import Ticket, UnreadableTicket, parse_ticket

BASE = {
    "v": 1,
    "appt": "YY20261129000123",
    "item": "442000-SB-0310",
    "hall": "ZSFT",
    "ts": "2026-11-29T09:30:00+08:00",
}


def appointment(**extra: object) -> str:
    return json.dumps(BASE | extra, ensure_ascii=False, separators=(",", ":"))


def test_appointment_json_may_carry_the_chinese_item_name() -> None:
    ticket = parse_ticket(appointment(item_name="居民身份证换领（补领）"))
    assert ticket.item_name == "居民身份证换领（补领）"
    assert ticket.item_code == "442000-SB-0310"


def test_item_name_is_absent_unless_printed() -> None:
    assert parse_ticket(appointment()).item_name is None


@pytest.mark.parametrize("name", ["", "x" * 41, "不动产<script>", "登记\n", "😀登记", 42, None])
def test_bad_item_name_is_refused(name: object) -> None:
    with pytest.raises(UnreadableTicket) as caught:
        parse_ticket(appointment(item_name=name))
    assert caught.value.reason == "bad_field:item_name"


def test_chinese_outside_item_name_is_refused() -> None:
    with pytest.raises(UnreadableTicket):
        parse_ticket(appointment(hall="中山"))


def _only_ticket_or_refusal(raw: str) -> None:
    try:
        ticket = parse_ticket(raw)
    except UnreadableTicket as exc:
        assert exc.raw == raw
        assert str(exc) == exc.reason  # the reason code only, never the payload
    else:
        assert isinstance(ticket, Ticket)
        assert ticket.raw == raw


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=600))
def test_any_text_gives_a_ticket_or_a_refusal(raw: str) -> None:
    _only_ticket_or_refusal(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_as_a_decoder_would_give_them(data: bytes) -> None:
    for encoding in ("utf-8", "gb18030", "latin-1"):
        _only_ticket_or_refusal(data.decode(encoding, errors="replace"))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["v", "appt", "item", "hall", "ts", "item_name", "x"]),
        st.one_of(
            st.text(max_size=20),
            st.integers(),
            st.none(),
            st.booleans(),
            st.floats(allow_nan=False),
        ),
    )
)
def test_any_json_object_gives_a_ticket_or_a_refusal(fields: dict) -> None:
    _only_ticket_or_refusal(json.dumps(fields, ensure_ascii=False))
