"""lists / contacts / campaign / mms / voice from the CLI: --json output and exit codes.

Single commands run against the in-process sandbox (fresh per call); multi-step flows run
against a loopback sandbox server so that state carries from one command to the next.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smstui.cli import main
from smstui.core.sandbox import Fault, SandboxWorld, serve

PIC = "https://example.com/menu.jpg"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["--json", *argv])
    cap = capsys.readouterr()
    return code, json.loads(cap.out) if cap.out.strip() else None, cap.err


def sandbox(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    return run(capsys, "--sandbox", *argv)


def mms(verb: str, *, subject: str = "Menu", body: str) -> tuple[str, ...]:
    """``mms <verb>`` to one number with the picture ``PIC``."""
    return ("mms", verb, "--to", "0412345678", "--subject", subject, "--media", PIC, "--body", body)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxWorld]:
    w = SandboxWorld(seed=2, history_size=0)
    w.failure_rate = 0.0
    with serve(w) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "test-token-abcdef")
        yield w


# --------------------------------------------------------------------------- in-process


def test_lists_list_shows_seeded_lists(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(capsys, "lists", "list")
    assert code == 0
    assert doc == [
        {"list_id": "428", "name": "Customers", "contacts": 25, "sandbox": True},
        {"list_id": "429", "name": "VIP", "contacts": 3, "sandbox": True},
    ]


def test_contacts_list_returns_every_member(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(capsys, "contacts", "list", "428")
    assert code == 0
    assert len(doc) == 25
    assert set(doc[0]) >= {"contact_id", "phone_number", "first_name", "last_name"}


def test_contacts_of_unknown_list_is_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(capsys, "contacts", "list", "999")
    assert code == 4
    assert "List not found" in doc["message"]


def test_search_finds_a_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(capsys, "contacts", "search", "vip")
    assert code == 0
    assert doc == [
        {
            "type": "list",
            "id": "429",
            "name": "VIP",
            "detail": "SBX0000000000429",
            "contacts": 3,
            "sandbox": True,
        }
    ]


def test_campaign_price_quotes_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, err = sandbox(
        capsys, "campaign", "price", "--list", "429", "--name", "P", "--body", "Hi (First Name)"
    )
    assert code == 0
    assert (doc["recipients"], doc["total_price"], doc["currency"]) == (3, "0.2376", "AUD")
    assert doc["needs_opt_out"] is True
    assert "opt-out" in err


def test_campaign_send_without_tty_or_yes_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(
        capsys, "campaign", "send", "--list", "429", "--name", "P", "--body", "Hi. Reply STOP"
    )
    assert code == 2
    assert doc["error"] == "usage"


def test_mms_price_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(capsys, *mms("price", body="Tonight"))
    assert code == 0
    assert [m["status"] for m in doc["messages"]] == ["SUCCESS"]
    assert doc["total_price"] == "0.44" and doc["currency"] == "AUD"


def test_mms_long_subject_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(capsys, *mms("send", subject="x" * 21, body="Hi"))
    assert code == 2
    assert doc["error"] == "validation"


def test_voice_langs_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(capsys, "voice", "langs")
    assert code == 0
    by_code = {d["code"]: d["voices"] for d in doc}
    assert by_code["pt-pt"] == ["male"] and by_code["en-au"] == ["female", "male"]


def test_voice_price_counts_credits(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(capsys, "voice", "price", "--to", "0412345678", "--body", "a" * 301)
    assert code == 0
    assert doc["messages"][0]["parts"] == 2


def test_voice_without_that_gender_is_invalid_voice(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(
        capsys, "voice", "send", "--to", "0412345678", "--body", "Olá", "--lang", "pt-pt"
    )
    assert code == 2
    assert "INVALID_VOICE" in doc["message"]


def test_voice_send_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = sandbox(
        capsys,
        "voice",
        "send",
        "--to",
        "0412345678",
        "--body",
        "Hello",
        "--voice",
        "male",
        "--require-input",
    )
    assert code == 0
    (message,) = doc["messages"]
    assert message["outcome"] == "accepted" and message["message_id"]


# --------------------------------------------------------------------------- loopback flows


def test_list_lifecycle_create_add_import_rename_delete(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld, tmp_path: Path
) -> None:
    code, created, _ = run(capsys, "lists", "create", "Spring promo")
    assert code == 0 and created["contacts"] == 0
    list_id = created["list_id"]
    code, added, _ = run(
        capsys, "contacts", "add", list_id, "--phone", "0412 345 678", "--first-name", "Ann"
    )
    assert code == 0 and added["phone_number"] == "+61412345678"
    csv = tmp_path / "people.csv"
    csv.write_text("Mobile,First Name\n0498765432,Bo\n0498765433,Cy\n0498765432,Bo again\n")
    code, report, _ = run(capsys, "contacts", "import", list_id, str(csv))
    assert code == 0
    assert report == {"list_id": list_id, "created": 2, "skipped_duplicates": [4]}
    code, renamed, _ = run(capsys, "lists", "rename", list_id, "Autumn promo")
    assert (code, renamed["name"], renamed["contacts"]) == (0, "Autumn promo", 3)
    code, edited, _ = run(
        capsys, "contacts", "edit", list_id, added["contact_id"], "--last-name", "Lee"
    )
    assert (code, edited["first_name"], edited["last_name"]) == (0, "Ann", "Lee")
    assert run(capsys, "contacts", "delete", list_id, added["contact_id"], "--yes")[0] == 0
    assert len(run(capsys, "contacts", "list", list_id)[1]) == 2
    assert run(capsys, "lists", "delete", list_id, "--yes")[0] == 0
    assert list_id not in [x["list_id"] for x in run(capsys, "lists", "list")[1]]


def test_bad_csv_imports_nothing_and_names_lines(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld, tmp_path: Path
) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("phone\n0412345678\nhello\n0412345679\n12\n")
    code, doc, _ = run(capsys, "contacts", "import", "429", str(csv))
    assert code == 2
    assert doc["error"] == "validation"
    assert "line 3" in doc["message"] and "line 5" in doc["message"]
    assert len(run(capsys, "contacts", "list", "429")[1]) == 3


def test_campaign_send_list_show_cancel(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    code, sent, _ = run(
        capsys,
        "campaign",
        "send",
        "--list",
        "429",
        "--name",
        "Later",
        "--body",
        "Hi (First Name). Reply STOP to opt out",
        "--schedule",
        "2h",
        "--yes",
    )
    assert code == 0 and sent["status"] == "Scheduled" and sent["recipients"] == 3
    assert len(world.clicksend.campaigns.received) == 1
    listed = run(capsys, "campaign", "list")[1]
    assert [(c["campaign_id"], c["status"]) for c in listed] == [(sent["campaign_id"], "Scheduled")]
    code, cancelled, _ = run(capsys, "campaign", "cancel", sent["campaign_id"])
    assert (code, cancelled["status"]) == (0, "Cancelled")
    assert run(capsys, "campaign", "show", sent["campaign_id"])[1]["status"] == "Cancelled"


def test_mms_send_then_history_has_it_once(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    code, doc, _ = run(capsys, *mms("send", body="Tonight's menu"))
    assert code == 0 and doc["messages"][0]["outcome"] == "accepted"
    assert len(world.clicksend.channels.mms_received) == 1
    assert world.clicksend.channels.mms_received[0]["media_file"] == PIC


def test_mms_lost_answer_reports_unknown_and_sends_once(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/mms/send$"))
    code, doc, _ = run(capsys, *mms("send", body="Once"))
    assert code == 1
    assert doc["messages"][0]["outcome"] == "unknown"
    assert len(world.clicksend.channels.mms_received) == 1
