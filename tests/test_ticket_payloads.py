"""The three ticket QR formats parse to their fields; everything else is refused with a reason."""

from datetime import datetime, timedelta, timezone

import pytest

from appliance.domain.ticket import (
    MAX_LENGTH,
    UNREADABLE_MESSAGE,
    Ticket,
    UnreadableTicket,
    parse_ticket,
)

CST = timezone(timedelta(hours=8))
URL = "https://zs.gdzwfw.gov.cn/q?v=1&q=A023&i=442000-GA-0101&h=ZSFT&t=20261129T093000"
JSON = (
    '{"v":1,"appt":"YY20261129000123","item":"442000-SB-0310","hall":"ZSFT",'
    '"ts":"2026-11-29T09:30:00+08:00"}'
)


def test_queue_machine_url_gives_queue_number_item_hall_and_local_time() -> None:
    assert parse_ticket(URL) == Ticket(
        queue_number="A023",
        appointment_number=None,
        item_code="442000-GA-0101",
        hall="ZSFT",
        issued_at=datetime(2026, 11, 29, 9, 30, tzinfo=CST),
        source="queue",
        raw=URL,
    )


def test_queue_url_may_carry_an_appointment_and_omit_the_item() -> None:
    raw = "https://zs.gdzwfw.gov.cn/q?v=1&q=C105&a=YY20261129000087&h=ZSFT&t=20261129T101500"
    ticket = parse_ticket(raw)
    assert (ticket.queue_number, ticket.appointment_number, ticket.item_code) == (
        "C105",
        "YY20261129000087",
        None,
    )


def test_queue_url_scheme_and_host_are_case_insensitive() -> None:
    raw = URL.replace("https://zs.gdzwfw.gov.cn", "HTTPS://ZS.GDZWFW.GOV.CN")
    assert parse_ticket(raw).queue_number == "A023"


def test_appointment_json_gives_appointment_item_hall_and_time() -> None:
    assert parse_ticket(JSON) == Ticket(
        queue_number=None,
        appointment_number="YY20261129000123",
        item_code="442000-SB-0310",
        hall="ZSFT",
        issued_at=datetime(2026, 11, 29, 9, 30, tzinfo=CST),
        source="appointment",
        raw=JSON,
    )


def test_appointment_json_time_keeps_its_utc_offset() -> None:
    ticket = parse_ticket(JSON.replace("2026-11-29T09:30:00+08:00", "2026-11-29T01:30:00Z"))
    assert ticket.issued_at == datetime(2026, 11, 29, 9, 30, tzinfo=CST)


def test_bare_appointment_number_is_a_ticket_with_only_that_number() -> None:
    assert parse_ticket("YY20261129000123") == Ticket(
        None, "YY20261129000123", None, None, None, "bare", "YY20261129000123"
    )


def test_unreadable_message_is_the_counter_wording() -> None:
    assert UNREADABLE_MESSAGE == "无法识别的条码"


def _url(**changes: str | None) -> str:
    params = {"v": "1", "q": "A023", "i": "442000-GA-0101", "h": "ZSFT", "t": "20261129T093000"}
    params.update(changes)
    query = "&".join(f"{k}={v}" for k, v in params.items() if v is not None)
    return f"https://zs.gdzwfw.gov.cn/q?{query}"


def _json(**changes: str) -> str:
    fields = {
        "v": "1",
        "appt": '"YY20261129000123"',
        "item": '"442000-SB-0310"',
        "hall": '"ZSFT"',
        "ts": '"2026-11-29T09:30:00+08:00"',
    }
    fields.update(changes)
    return "{" + ",".join(f'"{k}":{v}' for k, v in fields.items() if v is not None) + "}"


REJECTED = [
    ("", "empty"),
    ("Y" * (MAX_LENGTH + 1), "too_long"),
    (URL + "&" + "x" * MAX_LENGTH, "too_long"),
    ("hello counter", "unknown_format"),
    ("https://shop.example.com/coupon?id=88412&s=7", "unknown_format"),
    ("http://zs.gdzwfw.gov.cn/q?v=1&q=A023&h=ZSFT&t=20261129T093000", "unknown_format"),
    ("https://zs.gdzwfw.gov.cn.evil.example/q?v=1", "unknown_format"),
    ("YY2026112900012", "unknown_format"),
    ("YY202611290001234", "unknown_format"),
    ("yy20261129000123", "unknown_format"),
    (" YY20261129000123", "unknown_format"),
    ("YY20261129000123\n", "unknown_format"),
    ("YY２０２６１１２９０００１２３", "unknown_format"),
    ("[1, 2]", "unknown_format"),
    (_url(v="2"), "unsupported_version"),
    (_url(v="0"), "unsupported_version"),
    (_url(v="01"), "unsupported_version"),
    (_url(v="one"), "bad_field:v"),
    (_url(v=None), "missing_field:v"),
    (_url(q=None), "missing_field:q"),
    (_url(h=None), "missing_field:h"),
    (_url(t=None), "missing_field:t"),
    (_url() + "&x=1", "unknown_field:x"),
    (_url() + "&q=A024", "duplicate_field:q"),
    (_url(q="a023"), "bad_field:q"),
    (_url(q="A23"), "bad_field:q"),
    (_url(q="A0234"), "bad_field:q"),
    (_url(q="A%3Cb%3E"), "bad_field:q"),
    (_url(q=""), "bad_field:q"),
    (_url(a="YY123"), "bad_field:a"),
    (_url(i="442000-ga-0101"), "bad_field:i"),
    (_url(i="442000-GA-101"), "bad_field:i"),
    (_url(h="Z"), "bad_field:h"),
    (_url(h="ZSFTZSFTZ"), "bad_field:h"),
    (_url(h="ZS1"), "bad_field:h"),
    (_url(t="20261329T093000"), "bad_field:t"),
    (_url(t="20261129T253000"), "bad_field:t"),
    (_url(t="2026-11-29T09:30:00"), "bad_field:t"),
    (_url(t="20260229T093000"), "bad_field:t"),
    (_url(q="A0\n23"), "bad_url"),
    (_url(q="A0 23"), "bad_url"),
    (_url() + "#frag", "bad_url"),
    (_url().replace("/q?", "/queue?"), "bad_url"),
    (_url().replace("&", "&&", 1), "bad_url"),
    ("https://zs.gdzwfw.gov.cn/q?v=1&q=叫号", "bad_url"),
    (_json(v="2"), "unsupported_version"),
    (_json(v='"1"'), "bad_field:v"),
    (_json(v="true"), "bad_field:v"),
    (_json(v="1.0"), "bad_field:v"),
    (_json(appt=None), "missing_field:appt"),
    (_json(ts=None), "missing_field:ts"),
    (_json(extra='"x"'), "unknown_field:extra"),
    (_json()[:-1] + ',"v":1}', "duplicate_field:v"),
    (_json(appt="20261129000123"), "bad_field:appt"),
    (_json(appt='"YY2026112900012X"'), "bad_field:appt"),
    (_json(item='"442000-SB-03101"'), "bad_field:item"),
    (_json(item="null"), "bad_field:item"),
    (_json(hall='"zsft"'), "bad_field:hall"),
    (_json(ts='"2026-11-29T09:30:00"'), "bad_field:ts"),
    (_json(ts='"2026-11-31T09:30:00+08:00"'), "bad_field:ts"),
    (_json(ts='"yesterday"'), "bad_field:ts"),
    (_json(ts="1764379800"), "bad_field:ts"),
    ('{"v":1,', "bad_json"),
    ('{"v":NaN}', "bad_json"),
    ("{}", "missing_field:v"),
]


@pytest.mark.parametrize(("raw", "reason"), REJECTED)
def test_payload_is_refused_with_its_reason(raw: str, reason: str) -> None:
    with pytest.raises(UnreadableTicket) as caught:
        parse_ticket(raw)
    assert caught.value.reason == reason
    assert caught.value.raw == raw


def test_refusal_message_never_repeats_the_payload() -> None:
    with pytest.raises(UnreadableTicket) as caught:
        parse_ticket(_json(appt='"YY2026112900012X"'))
    assert str(caught.value) == "bad_field:appt"


def test_unknown_field_name_is_sanitised_in_the_reason() -> None:
    with pytest.raises(UnreadableTicket) as caught:
        parse_ticket(_json(**{"名字 and more text": '"x"'}))
    assert caught.value.reason == "unknown_field:???and?more?text"
