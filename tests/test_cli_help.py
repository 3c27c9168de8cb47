"""Every command has --help with examples and the exit codes; usage errors exit 2."""

from __future__ import annotations

import json

import pytest

from smstui import __version__
from smstui.cli import main

#: commands users and scripts rely on: a refactor of the tree must keep each of them
COMMANDS = [
    [],
    ["send"],
    ["price"],
    ["history"],
    ["inbox"],
    ["receipts"],
    ["cancel"],
    ["account"],
    ["templates"],
    ["templates", "list"],
    ["templates", "show"],
    ["templates", "create"],
    ["templates", "update"],
    ["templates", "delete"],
    ["connect"],
    ["connections"],
    ["connections", "list"],
    ["connections", "use"],
    ["connections", "forget"],
    ["actions"],
    ["actions", "list"],
    ["actions", "run"],
    ["request"],
    ["export"],
    ["bulk"],
    ["bulk", "send"],
    ["bulk", "resume"],
    ["bulk", "list"],
    ["config"],
    ["config", "locate"],
    ["config", "show"],
    ["sandbox"],
    ["sandbox", "serve"],
    ["store"],
    ["store", "check"],
    ["store", "repair"],
]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out


def test_unknown_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", "--nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("smstui: error:") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_usage_error_in_json_mode_is_a_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "send", "--to", "0411111111"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"] == "usage"
    assert "--body" in doc["message"]


def _every_command() -> list[list[str]]:
    """Walk the real argparse tree, so a command added later is covered without listing it."""
    import argparse

    from smstui.cli.parser import build_parser

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> list[list[str]]:
        found = [prefix]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += walk(sub, [*prefix, name])
        return found

    return walk(build_parser(), [])


def test_the_tree_has_lists_contacts_campaigns_mms_voice_and_stats() -> None:
    names = {" ".join(c) for c in _every_command()}
    for command in ("lists", "contacts", "campaign", "mms", "voice", "stats"):
        assert command in names


def test_the_tree_has_every_command_the_guide_names() -> None:
    tree = _every_command()
    assert [c for c in COMMANDS if c not in tree] == []


@pytest.mark.parametrize("command", _every_command(), ids=lambda c: " ".join(c) or "smstui")
def test_every_command_in_the_tree_has_help_with_examples_and_exit_codes(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "smstui " + " ".join(command) in out  # the examples show this very command
    assert "3  authentication" in out and "6  unknown outcome" in out
    assert "7  the local message store cannot be used" in out
