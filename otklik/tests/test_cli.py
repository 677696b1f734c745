"""The `otklik` command and the settings it relies on."""

import subprocess
import sys

import pytest

from otklik.cli import COMMANDS, help_text


def test_help_lists_every_subcommand() -> None:
    result = subprocess.run([sys.executable, "-m", "otklik.cli", "--help"], capture_output=True, text=True, check=True)
    for name in COMMANDS:
        assert name in result.stdout
    assert result.stdout.strip() == help_text().strip()


def test_subcommands_reach_django_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "otklik.cli", "import-classifier", "--help"], capture_output=True, text=True, check=True
    )
    assert "--deactivate-missing" in result.stdout and "классификатор" in result.stdout


def test_bad_database_url_fails_loudly() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import otklik.settings"],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": "mysql://x@y/z", "PATH": ""},
    )
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


@pytest.mark.parametrize("var", ["OTKLIK_DEBUG=perhaps", "OTKLIK_AT_RISK_DAYS=many", "OTKLIK_DEADLINE_SHIFT=up"])
def test_bad_settings_fail_loudly(var: str) -> None:
    name, value = var.split("=")
    result = subprocess.run(
        [sys.executable, "-c", "import otklik.settings"], capture_output=True, text=True, env={name: value, "PATH": ""}
    )
    assert result.returncode != 0 and name in result.stderr
