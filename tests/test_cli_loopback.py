"""inbox, receipts, cancel, templates, account against `smstui sandbox`'s loopback server:
one world shared by several CLI runs, as a user's real ClickSend account would be."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from smstui.cli import main
from smstui.core.sandbox import SandboxWorld, serve


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxWorld]:
    w = SandboxWorld(seed=11, history_size=0)
    w.failure_rate = 0.0
    w.reply_rate = 0.0  # replies appear only when a test adds them
    with serve(w) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "loopback-token-456")
        yield w


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code, out, err = run(capsys, "--json", *argv)
    assert out, err
    return code, json.loads(out)


def send(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code, doc = run_json(capsys, "send", "--to", "0412345678", "--body", "hello", *extra)
    assert code == 0
    message_id: str = doc["messages"][0]["message_id"]
    return message_id


# ------------------------------------------------------------------ inbox


def test_inbox_lists_replies_with_their_fields(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = send(capsys)
    reply = world.add_inbound("+61412345678", "yes please", original_message_id=sent)
    code, rows = run_json(capsys, "inbox")
    assert code == 0
    assert [r["message_id"] for r in rows] == [reply]
    row = rows[0]
    assert set(row) == {
        "message_id",
        "from",
        "to",
        "body",
        "date",
        "reply_to",
        "read",
        "handled_by",
        "handled_at",
    }
    assert (row["read"], row["handled_by"], row["handled_at"]) == (False, None, None)
    assert (row["from"], row["body"]) == ("+61412345678", "yes please")
    assert row["reply_to"] == sent
    assert row["date"].endswith("Z")


def test_inbox_unread_then_mark_read(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    first = world.add_inbound("+61411111111", "one")
    second = world.add_inbound("+61422222222", "two")
    code, rows = run_json(capsys, "inbox", "--unread")
    assert code == 0 and len(rows) == 2  # listing alone does not mark them read
    code, out, _ = run(capsys, "inbox", "--unread", "--mark-read")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["DATE", "FROM", "TO", "HANDLED", "BODY"]
    assert len(lines) == 3 and all(" new " in line for line in lines[1:])
    code, rows = run_json(capsys, "inbox", "--unread")
    assert code == 0 and rows == []
    code, rows = run_json(capsys, "inbox")
    assert sorted(r["message_id"] for r in rows) == sorted([first, second])


def test_inbox_body_with_escape_sequences_is_inert(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.add_inbound("+61411111111", "pwn \x1b[2J\x1b]0;title\x07 done")
    code, out, _ = run(capsys, "inbox")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "done" in out


# ------------------------------------------------------------------ receipts


def test_receipts_show_delivery_of_a_sent_message(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = send(capsys)
    code, rows = run_json(capsys, "receipts")
    assert code == 0 and rows == []  # not delivered yet
    world.advance(world.receipt_delay + 1)
    code, rows = run_json(capsys, "receipts")
    assert code == 0
    (receipt,) = [r for r in rows if r["message_id"] == sent]
    assert receipt["status_code"] and receipt["date"].endswith("Z")
    code, out, _ = run(capsys, "receipts")
    assert code == 0 and sent in out


# ------------------------------------------------------------------ cancel


def test_cancel_one_scheduled_message(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = send(capsys, "--schedule", "1d")
    kept = send(capsys, "--schedule", "2d")
    code, doc = run_json(capsys, "cancel", sent)
    assert code == 0 and doc == {"cancelled": 1, "message_id": sent}
    status = {m.message_id: m.cancelled for m in world.clicksend.messages}
    assert status[sent] is True and status[kept] is False


def test_cancel_all_scheduled_messages(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    scheduled = [send(capsys, "--schedule", "1d") for _ in range(3)]
    now = send(capsys)
    code, out, _ = run(capsys, "cancel", "--all")
    assert code == 0 and out == "cancelled 3 scheduled message(s)\n"
    cancelled = {m.message_id for m in world.clicksend.messages if m.cancelled}
    assert cancelled == set(scheduled) and now not in cancelled


def test_cancel_unknown_message_is_not_found(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "cancel", "00000000-0000-0000-0000-000000000000")
    assert code == 4 and out == "" and err.startswith("smstui: error:")


# ------------------------------------------------------------------ templates


def test_templates_lifecycle_across_runs(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, created = run_json(
        capsys, "templates", "create", "--name", "Reminder", "--body", "See you {date}"
    )
    assert code == 0 and created["name"] == "Reminder"
    tid = created["template_id"]

    code, shown = run_json(capsys, "templates", "show", tid)
    assert code == 0 and shown == created

    code, updated = run_json(capsys, "templates", "update", tid, "--body", "New text")
    assert code == 0 and (updated["name"], updated["body"]) == ("Reminder", "New text")

    code, listed = run_json(capsys, "templates", "list")
    assert code == 0 and [t for t in listed if t["template_id"] == tid] == [updated]

    code, _ = run_json(capsys, "send", "--to", "0412345678", "--template", "reminder")
    assert code == 0 and world.clicksend.received[-1]["body"] == "New text"

    code, out, _ = run(capsys, "templates", "delete", tid, "--yes")
    assert code == 0 and out == f"deleted template {tid}\n"
    code, _, err = run(capsys, "templates", "show", tid)
    assert code == 4 and err.startswith("smstui: error:")


def test_templates_delete_without_yes_or_terminal_keeps_it(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    _, created = run_json(capsys, "templates", "create", "--name", "Keep", "--body", "me")
    code, _, err = run(capsys, "templates", "delete", created["template_id"])
    assert code == 2 and "--yes" in err
    assert any(t.name == "Keep" for t in world.clicksend.templates.values())


def test_templates_update_needs_something_to_change(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    _, created = run_json(capsys, "templates", "create", "--name", "Same", "--body", "x")
    code, _, err = run(capsys, "templates", "update", created["template_id"])
    assert code == 2 and "--name and/or --body" in err


# ------------------------------------------------------------------ account


def test_account_shows_balance_and_never_the_api_key(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = world.clicksend.api_key
    code, doc = run_json(capsys, "account")
    assert code == 0
    assert doc["username"] == world.clicksend.user["username"]
    assert Decimal(doc["balance"]) == world.balance
    assert doc["currency"] == "AUD"
    code, out, err = run(capsys, "account")
    assert code == 0 and "balance:" in out
    for text in (json.dumps(doc), out, err):
        assert secret not in text and "api_key" not in text
