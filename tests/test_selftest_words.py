"""运行自检 on 系统诊断: every check's result in Chinese, 通过/失败 and a reason a clerk or
branch IT can act on; each simulated fault gets its own sentence, never the English."""

from __future__ import annotations

from pathlib import Path

from appliance_dev.sim.fake_usb import NAMED_DEVICES, FakeUsbBus

from appliance.diagnostics.readiness import CheckResult
from appliance.diagnostics.readiness_words import check_line, verdict
from appliance.diagnostics.selftest import selftest_results
from appliance.wiring import build_services
from tests.sync_helpers import make_config


def test_every_simulated_fault_reads_in_chinese(tmp_path: Path) -> None:
    config = make_config(tmp_path)  # the branch server URL is a closed port
    services = build_services(config)
    try:
        services.printer.set_fault("paper_out")
        services.camera.unplug()
        FakeUsbBus(config.data_dir / "usb-bus.json").unplug(NAMED_DEVICES["key"])
        services.key.start()
        results = selftest_results(config, services, offline=False)
    finally:
        services.key.close()
    lines = {r.name: check_line(r) for r in results}
    assert lines["printer"] == "打印机：失败 — 打印机缺纸：请装入热敏纸"
    assert lines["camera"] == "高拍仪：失败 — 高拍仪没有画面：请检查高拍仪的USB线"
    assert lines["key"] == "电子钥匙：失败 — 未检测到电子钥匙，请检查USB接口"
    assert lines["key_reader"] == "钥匙驱动：失败 — 未检测到电子钥匙，请检查USB接口"
    assert lines["branch_server"].startswith("分厅服务器：失败 — 连不上分厅服务器")
    assert lines["database"] == "数据库：通过 — 数据库校验正常"
    assert lines["audit"].startswith("审计日志：通过 — 审计日志完整，共 ")
    assert verdict(results) == "自检结论：5 项失败，见上"
    audited = services.db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'selftest.run'")
    assert audited.fetchone()[0] == 1


def test_each_check_message_has_its_own_sentence() -> None:
    cases = {
        CheckResult(
            "key", "FAIL", "key certificate expired on 2025-01-31"
        ): "电子钥匙：失败 — 电子钥匙证书已于2025-01-31过期："
        "请向网建办提交业务需求表办理电子钥匙更新",
        CheckResult(
            "key_reader",
            "FAIL",
            "key state no_driver; missing; 1 USB device(s), drivers loaded: none",
        ): "钥匙驱动：失败 — 未安装电子钥匙驱动：请联系网建办安装驱动",
        CheckResult(
            "storage", "FAIL", "disk almost full: database 3.0 MB, 0.10 GB free"
        ): "存储空间：失败 — 存储空间不足（剩余 0.10 GB）：请联系网建办清理",
        CheckResult(
            "audit", "FAIL", "audit chain broken (changed at entry 7)"
        ): "审计日志：失败 — 审计日志第 7 条起校验失败，可能被改动：请联系网建办",
        CheckResult(
            "branch_server", "FAIL", "clock differs from the branch server by +300 s"
        ): "分厅服务器：失败 — 本机时间与分厅服务器相差 +300 秒：请联系网建办校准时间",
        CheckResult(
            "branch_server", "FAIL", "branch server reachable but no token: 401"
        ): "分厅服务器：失败 — 分厅服务器拒绝本机的授权：请联系网建办",
        CheckResult(
            "backlog",
            "FAIL",
            "0 submission(s) waiting, 0 rejected, 4 audit entries waiting; audit refused: bad_hash",
        ): "待同步：失败 — 审计记录被分厅服务器拒收：请联系网建办",
        CheckResult(
            "backlog", "FAIL", "1 submission(s) waiting, 2 rejected, 0 audit entries waiting"
        ): "待同步：失败 — 有 2 件办件被分厅服务器退回：请联系网建办",
        CheckResult(
            "branch_server", "skip", "offline: branch server not checked"
        ): "分厅服务器：跳过 — 本机离线，未检查",
        CheckResult("printer", "ok", "printer ready"): "打印机：通过 — 打印机就绪",
    }
    assert [check_line(result) for result in cases] == list(cases.values())


def test_an_unforeseen_failure_still_fails_and_keeps_the_detail() -> None:
    line = check_line(CheckResult("camera", "FAIL", "ioctl VIDIOC_STREAMON failed"))
    assert line == "高拍仪：失败 — 请联系网建办（ioctl VIDIOC_STREAMON failed）"
