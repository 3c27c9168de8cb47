"""optouts, rules and the send commands honouring opt-outs, run in-process on one sandbox
world (``main(world=...)``), as a user's account would be across several commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smstui.cli import main
from smstui.core.sandbox import SandboxWorld

ANN = "+61412345681"
BOB = "+61412345682"


@pytest.fixture
def world() -> SandboxWorld:
    w = SandboxWorld(seed=13, history_size=0)
    w.reply_rate = 0.0
    return w


def run(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld, *argv: str
) -> tuple[int, str, str]:
    code = main(["--sandbox", *argv], world=world)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def run_json(capsys: pytest.CaptureFixture[str], world: SandboxWorld, *argv: str) -> Any:
    code, out, err = run(capsys, world, "--json", *argv)
    assert code == 0, err
    return json.loads(out)


def test_optouts_add_list_remove(capsys: pytest.CaptureFixture[str], world: SandboxWorld) -> None:
    doc = run_json(capsys, world, "optouts", "add", "0412 345 681")
    assert doc["number"] == ANN and doc["source"] == "manual"
    code, _, err = run(capsys, world, "optouts", "add", ANN)
    assert code == 0 and "already opted out" in err
    rows = run_json(capsys, world, "optouts", "list", "--no-sync")
    assert [r["number"] for r in rows] == [ANN]
    assert run_json(capsys, world, "optouts", "remove", ANN) == {
        "number": ANN,
        "removed": True,
        "sandbox": True,
    }
    code, _, err = run(capsys, world, "optouts", "remove", ANN)
    assert code == 4 and "not on the opt-out list" in err
    code, _, err = run(capsys, world, "optouts", "add", "not-a-number")
    assert code == 2


def test_a_stop_reply_shows_in_the_list_after_a_sync(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    reply_id = world.add_inbound(BOB, "Unsubscribe!")
    [row] = run_json(capsys, world, "optouts", "list")
    assert (row["number"], row["source"], row["reply_id"]) == (BOB, "reply", reply_id)


def test_optouts_import_and_export(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld, tmp_path: Path
) -> None:
    src = tmp_path / "stops.csv"
    src.write_text("phone,name\n0412345681,Ann\nbad,X\n+61412345682,Bob\n")
    code, out, err = run(capsys, world, "--json", "optouts", "import", str(src))
    assert code == 1  # a row was skipped: said, and the good rows are in
    doc = json.loads(out)
    assert (doc["added"], doc["already"]) == (2, 0)
    assert [s["line"] for s in doc["skipped"]] == [3] and "line 3" in err
    dest = tmp_path / "out.csv"
    assert run(capsys, world, "optouts", "export", str(dest))[0] == 0
    assert dest.stat().st_mode & 0o777 == 0o600
    lines = dest.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "number,date,source,reply_id"
    assert sorted(line.split(",")[0] for line in lines[1:]) == [ANN, BOB]


def test_send_to_an_opted_out_number_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    run(capsys, world, "optouts", "add", ANN)
    before = len(world.clicksend.received)
    code, _, err = run(capsys, world, "send", "--to", BOB, "--to", ANN, "--body", "promo")
    assert code == 2
    assert ANN in err and BOB not in err and "--include-opted-out" in err
    assert len(world.clicksend.received) == before  # nothing sent, to anyone
    doc = run_json(
        capsys, world, "send", "--to", BOB, "--to", ANN, "--body", "receipt", "--include-opted-out"
    )
    assert [m["to"] for m in doc["messages"]] == [BOB, ANN]
    assert len(world.clicksend.received) == before + 2


def test_price_warns_about_opted_out_recipients(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    run(capsys, world, "optouts", "add", ANN)
    code, _, err = run(capsys, world, "price", "--to", ANN, "--body", "x")
    assert code == 0 and ANN in err and "opted out" in err


def test_mms_and_voice_send_refuse_opted_out_numbers(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    run(capsys, world, "optouts", "add", ANN)
    mms = ["mms", "send", "--to", ANN, "--subject", "Hi", "--media", "https://x.test/a.jpg"]
    code, _, err = run(capsys, world, *mms, "--body", "pic")
    assert code == 2 and ANN in err
    assert world.clicksend.channels.mms_received == []
    code, _, err = run(capsys, world, "voice", "send", "--to", ANN, "--body", "hello")
    assert code == 2 and ANN in err
    assert world.clicksend.channels.voice_received == []
    assert run(capsys, world, *mms, "--body", "pic", "--include-opted-out")[0] == 0
    assert len(world.clicksend.channels.mms_received) == 1


def test_bulk_send_skips_opted_out_rows_and_lists_them(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld, tmp_path: Path
) -> None:
    run(capsys, world, "optouts", "add", ANN)
    src = tmp_path / "people.csv"
    src.write_text(f"phone,name\n{ANN},Ann\n{BOB},Bob\n")
    before = len(world.clicksend.received)
    code, out, err = run(
        capsys, world, "--json", "bulk", "send", str(src), "--body", "Hi {name}", "--yes"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["accepted"] == 1 and doc["opted_out"] == [{"line": 2, "to": ANN}]
    assert "line 2" in err and "opted out" in err
    assert [m["to"] for m in world.clicksend.received[before:]] == [BOB]
    results = (tmp_path / "people.results.csv").read_text(encoding="utf-8-sig").splitlines()
    assert any(line.startswith(f"2,{ANN},OPTED_OUT") for line in results)


def test_campaign_price_and_send_say_how_many_members_opted_out(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    made = run_json(capsys, world, "lists", "create", "Desk")
    list_id = str(made["list_id"])
    for number in (ANN, BOB):
        assert run(capsys, world, "contacts", "add", list_id, "--phone", number)[0] == 0
    run(capsys, world, "optouts", "add", BOB)
    args = ["--list", list_id, "--name", "Sale", "--body", "Sale! Reply STOP to opt out"]
    doc = run_json(capsys, world, "campaign", "price", *args)
    assert doc["opted_out"] == 1
    sent_before = len(world.clicksend.campaigns.received)
    code, _, err = run(capsys, world, "campaign", "send", *args, "--yes")
    assert code == 2 and BOB in err and "every contact of the list" in err
    assert len(world.clicksend.campaigns.received) == sent_before
    code, _, err = run(capsys, world, "campaign", "send", *args, "--yes", "--include-opted-out")
    assert code == 0 and "1 list member(s) opted out" in err
    assert len(world.clicksend.campaigns.received) == sent_before + 1


def test_rules_list_add_disable_delete(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    rows = run_json(capsys, world, "rules", "list")
    assert [(r["kind"], r["action"]) for r in rows] == [("inbound", "POLL"), ("receipt", "POLL")]
    rule = run_json(
        capsys, world, "rules", "add", "--keyword", "INFO", "--reply", "Open 9-5 weekdays"
    )
    assert (rule["action"], rule["match"], rule["keyword"], rule["reply"]) == (
        "AUTO_REPLY",
        "starts",
        "INFO",
        "Open 9-5 weekdays",
    )
    assert run_json(capsys, world, "rules", "disable", rule["rule_id"])["enabled"] is False
    assert run_json(capsys, world, "rules", "enable", rule["rule_id"])["enabled"] is True
    assert run_json(capsys, world, "rules", "delete", rule["rule_id"])["deleted"] is True
    poll_id = rows[0]["rule_id"]
    # the last POLL rule: explained, and refused without a terminal or --yes
    code, _, err = run(capsys, world, "rules", "disable", poll_id)
    assert code == 2 and "replies" in err and "--yes" in err
    assert run_json(capsys, world, "rules", "list")[0]["enabled"] is True
    assert run_json(capsys, world, "rules", "disable", poll_id, "--yes")["enabled"] is False
