"""The command line: --config works before or after the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.commands.cli import _parser, main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--config", "box.toml", "selftest"], Path("box.toml")),
        (["selftest", "--config", "box.toml"], Path("box.toml")),
        (["selftest"], None),
    ],
)
def test_config_option_is_accepted_on_either_side_of_the_command(argv, expected) -> None:
    assert getattr(_parser([]).parse_args(argv), "config", None) == expected


def test_broken_config_stops_with_one_line(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "appliance.toml"
    broken.write_text("[camera\n", encoding="utf-8")
    assert main(["selftest", "--config", str(broken)]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("appliance: error: ") and "not valid TOML" in error
