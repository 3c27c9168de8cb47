"""Who did what, from the command line, on this machine's SQLite store and on a team
database (``store_env``): ``sent_by`` in ``--json``, ``inbox handled``, unread per operator.

Every ``main`` call builds a fresh sandbox world with the same seed: the replies it lists
are the same messages each time (listed again, not new), and the store keeps what each
operator did."""

from __future__ import annotations

import json
from typing import Any

import pytest

from smstui.cli import main


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    operator: str,
    *argv: str,
) -> tuple[int, Any, str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SMSTUI_OPERATOR", operator)
    code = main(["--sandbox", "--json", *argv])
    cap = capsys.readouterr()
    return code, json.loads(cap.out) if cap.out.strip() else None, cap.err


def test_send_and_history_say_which_operator_sent_a_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store_env: dict[str, str]
) -> None:
    code, doc, _ = run(capsys, monkeypatch, store_env, "Ana", "send", "--to", "0412345678",
                       "--body", "who-sent-me")  # fmt: skip
    assert code == 0
    assert [m["sent_by"] for m in doc["messages"]] == ["Ana"]

    code, rows, _ = run(capsys, monkeypatch, store_env, "Bob", "history", "--limit", "500")
    assert code == 0
    mine = [r for r in rows if r["body"] == "who-sent-me"]
    assert [r["sent_by"] for r in mine] == ["Ana"]  # Bob reads who sent it, not himself
    # what ClickSend lists that nobody here sent has no sender invented
    others = [r for r in rows if r["body"] != "who-sent-me"]
    assert others and all(r["sent_by"] is None for r in others)


def test_inbox_handled_marks_shows_and_undoes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store_env: dict[str, str]
) -> None:
    code, replies, _ = run(capsys, monkeypatch, store_env, "Ana", "inbox")
    assert code == 0 and replies
    number = replies[0]["from"]
    assert replies[0]["handled_by"] is None

    code, doc, _ = run(capsys, monkeypatch, store_env, "Ana", "inbox", "handled", number)
    assert code == 0
    assert (doc["number"], doc["handled"], doc["handled_by"]) == (number, True, "Ana")
    assert doc["handled_at"].endswith("Z")

    code, replies, _ = run(capsys, monkeypatch, store_env, "Bob", "inbox")
    shown = {r["from"]: (r["handled_by"], r["handled_at"]) for r in replies}
    assert shown[number] == ("Ana", doc["handled_at"])

    code, doc, _ = run(capsys, monkeypatch, store_env, "Bob", "inbox", "handled", number, "--undo")
    assert code == 0 and doc == {
        "number": number,
        "handled": False,
        "handled_by": None,
        "handled_at": None,
        "sandbox": True,
    }
    code, replies, _ = run(capsys, monkeypatch, store_env, "Ana", "inbox")
    assert all(r["handled_by"] is None for r in replies)


def test_inbox_handled_refuses_what_is_not_a_number(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store_env: dict[str, str]
) -> None:
    code, doc, _ = run(capsys, monkeypatch, store_env, "Ana", "inbox", "handled", "nonsense")
    assert code == 2
    assert doc["error"] == "validation" and "not a valid phone number" in doc["message"]


def test_unread_replies_are_each_operators_own(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    store_env: dict[str, str],
) -> None:
    code, unread, _ = run(capsys, monkeypatch, store_env, "Ana", "inbox", "--unread",
                          "--mark-read")  # fmt: skip
    assert code == 0 and unread
    code, after, _ = run(capsys, monkeypatch, store_env, "Ana", "inbox", "--unread")
    assert after == []
    code, bobs, _ = run(capsys, monkeypatch, store_env, "Bob", "inbox", "--unread")
    if store_env:  # the team store: Ana's reads are hers
        assert [r["message_id"] for r in bobs] == [r["message_id"] for r in unread]
        assert all(r["read"] is False for r in bobs)
    else:  # one person's store: reads belong to the store, whatever the name
        assert bobs == []


async def test_a_bulk_job_s_messages_say_who_sent_them_once_synced(
    monkeypatch: pytest.MonkeyPatch, store_env: dict[str, str]
) -> None:
    from smstui.core.config import load_settings
    from smstui.core.sandbox import SandboxWorld
    from smstui.core.service import Workspace, bulk
    from smstui.core.service.history import MessageFilter

    settings = load_settings(flags={"sandbox": True}, env={**store_env, "SMSTUI_OPERATOR": "Ana"})
    ws = Workspace.from_settings(settings, world=SandboxWorld(seed=5))
    try:
        plan = bulk.plan(b"phone,name\n0412345677,Ann\n", "Hi {name}", default_region="AU")
        job = bulk.create_job(plan.rows, sender=None, schedule=None, source="x.csv")
        assert await ws.bulk.run(job, settle=0) == 1
        await ws.messages.sync()  # the batch comes back from ClickSend's history
        [sent] = ws.history.messages(MessageFilter(number="+61412345677"))
        assert (sent.body, sent.sent_by) == ("Hi Ann", "Ana")
    finally:
        await ws.aclose()
