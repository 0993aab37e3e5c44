"""The command line imports only the subcommand it runs (ADR 0282), and parses alike."""

from __future__ import annotations

import argparse
import subprocess
import sys
from typing import Any

import pytest

from beatpolice.adapters.cli import _named_command, _parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, Any]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


FULL = _subcommands(_parser())
"""Every subcommand, as the whole tree registers it (the completion script's view)."""


@pytest.mark.parametrize("name", sorted(FULL))
def test_a_subcommand_alone_parses_as_in_the_whole_tree(name: str) -> None:
    alone = _subcommands(_parser([name, "--month", "2014-03"]))

    assert name in alone
    assert alone[name].format_help() == FULL[name].format_help()
    assert alone[name].prog == f"beatpolice {name}"


def test_the_appraise_command_alone_is_registered_for_it() -> None:
    assert set(_subcommands(_parser(["appraise", "--month", "2014-03"]))) == {"appraise"}
    assert set(_subcommands(_parser(["--db", "x.db", "appraise"]))) == {"appraise"}


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["appraise", "--month", "2014-03"], "appraise"),
        (["--db", "appraise", "registry", "officers"], "registry"),  # a value, not a command
        (["--db=x.db", "audit", "verify", "r.json"], "audit"),
        (["--ti", "Asia/Shanghai", "quality"], "quality"),  # an abbreviated option's value
        (["--key-file", "k", "fraud-scripts", "list"], "fraud-scripts"),
        (["--t", "x", "appraise"], None),  # ambiguous: the whole tree says why
        (["--time-zone", "Nowhere/Such", "appraise"], None),  # the whole tree refuses it
        (["-h", "appraise"], None),  # the top level's help lists every command
        (["appraise", "--help"], None),
        (["--version"], None),
        ([], None),
    ],
)
def test_the_command_named_is_read_by_the_top_levels_own_options(
    argv: list[str], named: str | None
) -> None:
    assert _named_command(argv) == named


def test_an_unknown_command_is_refused_by_the_whole_tree() -> None:
    parser = _parser(["no-such-command"])

    assert set(_subcommands(parser)) == set(FULL)


def test_running_appraise_imports_no_other_subcommand_module() -> None:
    script = (
        "import sys\n"
        "from beatpolice.adapters.cli import main\n"
        "main(['appraise', '--db', 'sqlite:////nonexistent/x.db', '--month', '2014-03'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('beatpolice.adapters.cli._cmd_')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    # open_station reads the fraud-script catalogue's setting from its module
    assert done.stdout.strip() == str(
        ["beatpolice.adapters.cli._cmd_appraise", "beatpolice.adapters.cli._cmd_fraud_scripts"]
    ), done.stderr
