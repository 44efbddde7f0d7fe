"""``appliance idcard read``: one read through the kiosk's code, the record masked unless
--unmasked, --json with Chinese unescaped, exit 1 with the reason, every read audited."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from appliance_dev.sim.id_cards import RESIDENT
from appliance_dev.sim.id_reader import DEMO_SAM_ID, SimulatedSamModule

from appliance.commands.cli import main
from appliance.config import dev_config_text
from appliance.store.db import connect


@pytest.fixture(autouse=True)
def _logger_restored() -> Iterator[None]:
    """main() points the log at this test's captured stderr: put the handlers back, so no
    thread of a later test writes to a closed stream."""
    logger = logging.getLogger("appliance")
    saved = logger.handlers[:], logger.level, logger.propagate
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


def config_file(tmp_path: Path, **id_reader: str) -> Path:
    """The development configuration (simulated reader) with [id_reader] keys added."""
    text = dev_config_text(tmp_path / "data")
    for key, value in id_reader.items():
        text = text.replace(f"\n{key} = ", f"\n# {key} = ")
        text += f'{key} = "{value}"\n'  # [id_reader] is the file's last section
    path = tmp_path / "appliance.toml"
    path.write_text(text, encoding="utf-8")
    return path


def audited(tmp_path: Path) -> list[dict]:
    db = connect(tmp_path / "data" / "appliance.db")
    rows = db.execute("SELECT entry FROM audit_log WHERE action = 'idcard.read' ORDER BY seq")
    return [json.loads(row[0]) for row in rows]


@pytest.fixture
def sim() -> Iterator[SimulatedSamModule]:
    module = SimulatedSamModule("resident_long_term", read_delay_s=0.05)
    yield module
    module.close()


def test_the_record_is_printed_masked(tmp_path: Path, capsys) -> None:
    assert main(["idcard", "read", "--config", str(config_file(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "林*满" in out and "4420**********0317" in out and "1990-**-**" in out
    assert "广东省中山市*" in out and "SAM " + DEMO_SAM_ID in out
    for value in (RESIDENT.name, RESIDENT.number, RESIDENT.address, "1990-03-07"):
        assert value not in out
    [entry] = audited(tmp_path)
    assert entry == {
        "reader": DEMO_SAM_ID,
        "outcome": "success",
        "card_type": "resident_id",
        "id_number": "4420**********0317",
        "unmasked": False,
        "operator": None,
        "via": "cli",
    }


def test_json_unmasked_has_every_field_in_plain_chinese_and_is_audited(
    tmp_path: Path, capsys
) -> None:
    assert (
        main(["idcard", "read", "--json", "--unmasked", "--config", str(config_file(tmp_path))])
        == 0
    )
    out = capsys.readouterr().out
    assert "林小满" in out and "\\u" not in out
    assert json.loads(out) == {
        "name": "林小满",
        "sex": "女",
        "nation": "汉",
        "birth_date": "1990-03-07",
        "address": "广东省中山市石岐区演示路18号之3",
        "number": RESIDENT.number,
        "issuer": "中山市公安局石岐分局",
        "valid_from": "2016-05-21",
        "valid_to": "2036-05-21",
        "card_type": "resident_id",
        "document_type": "resident_id",
    }
    assert audited(tmp_path)[0]["unmasked"] is True


def test_a_long_term_card_has_a_null_valid_to(
    tmp_path: Path, capsys, sim: SimulatedSamModule
) -> None:
    assert (
        main(
            [
                "idcard",
                "read",
                "--json",
                "--device",
                str(sim.device),
                "--config",
                str(config_file(tmp_path)),
            ]
        )
        == 0
    )
    fields = json.loads(capsys.readouterr().out)
    assert fields["valid_to"] is None and fields["name"] == "欧**青"


@pytest.mark.parametrize(
    ("card", "card_type", "document_type"),
    [
        ("residence_permit", "hmt_residence_permit", "hmt_residence_permit"),
        ("foreign_2017", "foreign_permanent_2017", "foreign_permanent_id"),
        ("foreign_2023", "foreign_permanent_2023", "foreign_permanent_id"),
    ],
)
def test_each_card_type_names_its_document_type(
    tmp_path: Path, capsys, card: str, card_type: str, document_type: str
) -> None:
    assert (
        main(["idcard", "read", "--json", "--config", str(config_file(tmp_path, sim_card=card))])
        == 0
    )
    fields = json.loads(capsys.readouterr().out)
    assert (fields["card_type"], fields["document_type"]) == (card_type, document_type)


def test_no_card_exits_1_without_an_audit_entry(tmp_path: Path, capsys) -> None:
    assert main(["idcard", "read", "--config", str(config_file(tmp_path, sim_card="none"))]) == 1
    assert "no card on the ID card reader" in capsys.readouterr().err
    assert audited(tmp_path) == []


def test_a_card_laid_while_waiting_is_read(tmp_path: Path, capsys, sim: SimulatedSamModule) -> None:
    import threading

    sim.remove()
    threading.Timer(0.3, sim.place, args=("resident_id",)).start()
    assert (
        main(
            [
                "idcard",
                "read",
                "--wait",
                "3",
                "--device",
                str(sim.device),
                "--config",
                str(config_file(tmp_path)),
            ]
        )
        == 0
    )
    assert "林*满" in capsys.readouterr().out


def test_no_reader_exits_1(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "ttyNONE"
    assert (
        main(["idcard", "read", "--device", str(missing), "--config", str(config_file(tmp_path))])
        == 1
    )
    assert f"no ID card reader found at {missing}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("unauthorised", "SAM unauthorised (00 00 66)"),
        ("self_check_failed", "SAM self-check failed (00 00 60)"),
        ("no_answer", "does not answer"),
    ],
)
def test_a_faulty_reader_exits_1_with_its_status(
    tmp_path: Path, capsys, fault: str, said: str
) -> None:
    config = config_file(tmp_path, sim_fault=fault)
    assert main(["idcard", "read", "--config", str(config)]) == 1
    assert said in capsys.readouterr().err
    assert audited(tmp_path) == []  # the card was never reached


def test_a_failed_read_exits_1_and_is_audited(tmp_path: Path, capsys) -> None:
    assert (
        main(["idcard", "read", "--config", str(config_file(tmp_path, sim_fault="check_failed"))])
        == 1
    )
    assert "could not be read: check_failed" in capsys.readouterr().err
    [entry] = audited(tmp_path)
    assert (entry["outcome"], entry["reason"], entry["id_number"]) == (
        "failure",
        "check_failed",
        None,
    )


def test_a_simulated_reader_with_a_device_is_a_configuration_error(tmp_path: Path, capsys) -> None:
    config = config_file(tmp_path, device="/dev/ttyUSB0")
    assert main(["idcard", "read", "--config", str(config)]) == 2
    error = capsys.readouterr().err
    assert "id_reader" in error and "pseudo-terminal" in error
