"""The self-test checks the ID card reader: found, its SAM module ready and its id, and
names each fault (no reader, no answer, 00 00 60, 00 00 66) in English for the command
line and in Chinese for 系统诊断 and the readiness slip; a box without a reader skips it."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config import IdReaderSection
from appliance.diagnostics.readiness import CheckResult, id_reader, run_checks
from appliance.diagnostics.readiness_words import check_line
from appliance.wiring import Services, build_services
from tests.sync_helpers import make_config


def reader_check(services: Services) -> CheckResult:
    [result] = run_checks(services.config, services, [("id_reader", id_reader)], False)
    return result


@pytest.fixture
def services(tmp_path: Path):
    built = build_services(make_config(tmp_path))
    yield built
    assert built.id_reader is not None and built.id_reader_sim is not None
    built.close()


def test_the_reader_and_each_of_its_faults_in_english_and_chinese(services: Services) -> None:
    sim = services.id_reader_sim
    assert sim is not None

    ready = reader_check(services)
    assert ready.outcome == "ok" and "SAM 05.01-20230615-0000000208-0290517634" in ready.detail
    assert check_line(ready) == (
        "身份证阅读器：通过 — 身份证阅读器就绪，安全模块号 05.01-20230615-0000000208-0290517634"
    )

    sim.set_fault("self_check_failed")
    failed = reader_check(services)
    assert failed.outcome == "FAIL" and "SAM self-check failed (00 00 60)" in failed.detail
    assert check_line(failed) == (
        "身份证阅读器：失败 — 身份证阅读器安全模块自检失败（00 00 60）："
        "请联系网建办维修或更换阅读器"
    )

    sim.set_fault("unauthorised")
    failed = reader_check(services)
    assert "SAM unauthorised (00 00 66)" in failed.detail
    assert check_line(failed) == (
        "身份证阅读器：失败 — 身份证阅读器安全模块未经授权（00 00 66），不能使用：请联系网建办"
    )

    sim.set_fault("no_answer")
    failed = reader_check(services)
    assert "does not answer" in failed.detail
    assert check_line(failed) == (
        "身份证阅读器：失败 — 身份证阅读器没有应答：请拔下阅读器的USB线再插上，仍不行请联系网建办"
    )

    sim.set_fault("none")
    assert reader_check(services).outcome == "ok"


def test_no_reader_at_the_configured_device(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    config = config.model_copy(
        update={"id_reader": IdReaderSection(backend="serial", device=tmp_path / "ttyUSB9")}
    )
    services = build_services(config)
    assert services.id_reader is not None and services.id_reader_sim is None
    result = reader_check(services)
    services.close()
    assert result.outcome == "FAIL" and "no ID card reader found" in result.detail
    assert check_line(result) == "身份证阅读器：失败 — 未检测到身份证阅读器：请检查阅读器的USB线"


def test_a_box_without_a_reader_skips_the_check(tmp_path: Path) -> None:
    config = make_config(tmp_path).model_copy(update={"id_reader": None})
    services = build_services(config)
    assert services.id_reader is None
    result = reader_check(services)
    services.close()
    assert result.outcome == "skip"
    assert check_line(result) == "身份证阅读器：跳过 — 本机未配置身份证阅读器"


@pytest.mark.parametrize(
    ("detail", "line"),
    [
        (
            "ID card reader at /dev/ttyUSB0: SAM status 00 00 24: SAM status 00 00 24 "
            "(unrecognised error) (state fault)",
            "身份证阅读器：失败 — 身份证阅读器异常（状态 00 00 24）：请联系网建办",
        ),
        (
            "several USB serial adapters could be the ID card reader (/dev/ttyUSB0, /dev/ttyUSB1): "
            "set id_reader.device (state ambiguous)",
            "身份证阅读器：失败 — 本机接有多个串口设备，无法确定哪个是身份证阅读器："
            "请联系网建办在配置中指定",
        ),
        (
            "ID card reader at /dev/ttyUSB0 cannot be opened: busy (state unavailable)",
            "身份证阅读器：失败 — 身份证阅读器无法打开（可能被其他程序占用）："
            "请重启本机，仍不行请联系网建办",
        ),
        ("something unforeseen", "身份证阅读器：失败 — 请联系网建办（something unforeseen）"),
    ],
)
def test_every_reader_state_has_its_sentence(detail: str, line: str) -> None:
    assert check_line(CheckResult("id_reader", "FAIL", detail)) == line
