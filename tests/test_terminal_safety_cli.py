"""Terminal safety: hostile text from outside never reaches the terminal raw from any command.

The loopback sandbox is seeded with a string carrying a screen clear (CSI 2J), an OSC 52
clipboard write, an OSC 8 hyperlink, a C1 CSI (U+009B), a bidi override (U+202E) and Rich
markup. Every command that shows outside text runs in human and ``--json`` mode: no control
character (other than newline/tab) may reach stdout or stderr, and ``--json`` must stay valid
JSON that still holds the hostile text exactly, as data.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smstui.cli import main
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, Fault, SandboxWorld, serve

HOSTILE = (
    "hi\x1b[2J\x1b]52;c;aGFja2Vk\x07\x1b]8;;https://evil.invalid\x1b\\click\x1b]8;;\x1b\\"
    "\x9b31m\u202eevil[bold red]markup[/]\x07\x00"
)
# every control a terminal acts on; newline and tab are our own layout
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
SENDER = "+61411111111"


@pytest.fixture
def world() -> SandboxWorld:
    w = SandboxWorld(seed=8, history_size=3)
    w.clicksend.add_template(HOSTILE, HOSTILE)
    w.add_inbound(SENDER, HOSTILE)
    w.clicksend.user["username"] = HOSTILE
    return w


@pytest.fixture
def env(world: SandboxWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxWorld]:
    with serve(world) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "terminal-safety-token")
        monkeypatch.setenv("SMSTUI_CONNECTION_ID", DEFAULT_CONNECTION_ID)
        yield world


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def assert_inert(out: str, err: str) -> None:
    for name, text in (("stdout", out), ("stderr", err)):
        bad = UNSAFE.findall(text)
        assert not bad, f"raw control characters on {name}: {bad!r}"


def holds_hostile(doc: Any) -> bool:
    if isinstance(doc, str):
        return HOSTILE in doc
    if isinstance(doc, dict):
        return any(holds_hostile(v) for v in doc.values())
    if isinstance(doc, list):
        return any(holds_hostile(v) for v in doc)
    return False


# commands whose output shows text that came from ClickSend or Membrane
DATA_COMMANDS = {
    "history": ["history", "--limit", "500"],
    "history search": ["history", "--search", "evil", "--limit", "500"],
    "inbox": ["inbox", "--limit", "500"],
    "templates list": ["templates", "list"],
    "account": ["account"],
    "actions run": ["actions", "run", "list-sms-templates", "--input", "{}"],
    "request": ["request", "/v3/sms/templates"],
}


@pytest.mark.parametrize("name", DATA_COMMANDS)
def test_human_output_carries_no_raw_control_characters(
    name: str, env: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *DATA_COMMANDS[name])
    assert code == 0, err
    assert_inert(out, err)
    # the text is shown, only defused: ESC appears as a visible escape
    assert "\\x1b" in out or "\\u001b" in out


@pytest.mark.parametrize("name", DATA_COMMANDS)
def test_json_output_is_valid_and_keeps_the_hostile_text_as_data(
    name: str, env: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--json", *DATA_COMMANDS[name])
    assert code == 0, err
    assert_inert(out, err)
    assert holds_hostile(json.loads(out))


def test_template_show_is_inert(env: SandboxWorld, capsys: pytest.CaptureFixture[str]) -> None:
    template_id = next(str(t) for t, rec in env.clicksend.templates.items() if rec.name == HOSTILE)
    code, out, err = run(capsys, "templates", "show", template_id)
    assert code == 0, err
    assert_inert(out, err)
    assert "[bold red]markup[/]" in out  # markup is printed literally, never interpreted


def test_a_sent_hostile_body_comes_back_inert_in_history(
    env: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "send", "--to", "+61412345678", "--body", HOSTILE)
    assert code == 0, err
    assert_inert(out, err)
    code, out, err = run(capsys, "history", "--search", "click", "--no-sync")
    assert code == 0 and "hi\\x1b[2J" in out
    assert_inert(out, err)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_export_to_a_terminal_is_inert(
    env: SandboxWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    screen = _Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    code = main(["export", "--csv", "-"])
    assert code == 0
    assert_inert(screen.getvalue().replace("\r\n", "\n"), capsys.readouterr().err)
    assert "hi\\x1b[2J" in screen.getvalue()


def test_export_piped_to_another_program_keeps_the_text_exactly(
    env: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export", "--csv", "-")
    assert code == 0, err
    assert HOSTILE in out  # CSV is data: a pipe gets exactly what ClickSend holds


def test_export_to_a_file_keeps_the_text_exactly(
    env: SandboxWorld, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "all.csv"
    code, out, err = run(capsys, "export", "--csv", str(target))
    assert code == 0, err
    assert_inert(out, err)
    assert HOSTILE in target.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("json_mode", [False, True])
def test_a_clicksend_error_message_is_shown_inert(
    env: SandboxWorld, capsys: pytest.CaptureFixture[str], json_mode: bool
) -> None:
    env.inject(
        Fault(
            path=r"/sms/send$",
            status=400,
            body={"http_code": 400, "response_code": "BAD_REQUEST", "response_msg": HOSTILE},
        )
    )
    flags = ["--json"] if json_mode else []
    code, out, err = run(capsys, *flags, "send", "--to", "+61412345678", "--body", "x")
    assert code != 0
    assert_inert(out, err)
    assert "evil" in out + err
    if json_mode:
        json.loads(out)


@pytest.mark.parametrize("json_mode", [False, True])
def test_a_membrane_error_message_is_shown_inert(
    env: SandboxWorld, capsys: pytest.CaptureFixture[str], json_mode: bool
) -> None:
    env.inject(
        Fault(
            path=r"^/connections$",
            status=500,
            times=None,
            body={"type": "internal", "message": HOSTILE},
        )
    )
    flags = ["--json"] if json_mode else []
    code, out, err = run(capsys, *flags, "connections", "list")
    assert code != 0
    assert_inert(out, err)
    assert "evil" in out + err
    if json_mode:
        json.loads(out)


def test_bulk_problems_quote_hostile_cells_inert(
    env: SandboxWorld, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    csv_file = tmp_path / "list.csv"
    csv_file.write_text(f'phone,name\n"{HOSTILE}",x\n+61412345678,y\n', encoding="utf-8")
    code, out, err = run(capsys, "bulk", "send", str(csv_file), "--body", "Hi {name}", "--yes")
    assert code == 2
    assert_inert(out, err)
    assert "line 2" in err
    assert env.clicksend.received == []
