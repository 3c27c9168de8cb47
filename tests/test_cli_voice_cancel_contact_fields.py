"""`voice cancel` and the contact fields of `contacts add/edit`: --json output and exit codes.

Each test runs the CLI against a loopback sandbox server so that state carries from one
command to the next, and checks the sandbox's own records where the CLI's answer is not proof.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from smstui.cli import main
from smstui.core.sandbox import SandboxWorld, serve

CUSTOMER = "428"  # a seeded list


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(["--json", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxWorld]:
    w = SandboxWorld(seed=2, history_size=0)
    with serve(w) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "test-token-abcdef")
        yield w


def schedule_call(capsys: pytest.CaptureFixture[str], to: str = "0412345678") -> str:
    code, doc = run(
        capsys, "voice", "send", "--to", to, "--body", "Your table is ready", "--schedule", "2h"
    )
    assert code == 0
    message_id: str = doc["messages"][0]["message_id"]
    return message_id


def cancelled_ids(world: SandboxWorld) -> set[str]:
    return {r["message_id"] for r in world.clicksend.channels.voice if r.get("__cancelled")}


# --------------------------------------------------------------------------- voice cancel


def test_voice_cancel_cancels_that_scheduled_call(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    first, second = schedule_call(capsys), schedule_call(capsys, "0412345679")
    code, doc = run(capsys, "voice", "cancel", first)
    assert (code, doc) == (0, {"cancelled": 1, "message_id": first})
    assert cancelled_ids(world) == {first} and second not in cancelled_ids(world)


def test_voice_cancel_all_cancels_every_scheduled_call_and_counts_them(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    ids = {schedule_call(capsys), schedule_call(capsys, "0412345679")}
    code, doc = run(capsys, "voice", "cancel", "--all")
    assert (code, doc) == (0, {"cancelled": 2})
    assert cancelled_ids(world) == ids


def test_voice_cancel_of_an_unknown_call_is_not_found(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    code, doc = run(capsys, "voice", "cancel", "00000000-0000-0000-0000-000000000000")
    assert code == 4 and doc["error"]


def test_voice_cancel_of_a_call_already_made_fails_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    code, doc = run(capsys, "voice", "send", "--to", "0412345678", "--body", "Now")
    made = doc["messages"][0]["message_id"]
    code, doc = run(capsys, "voice", "cancel", made)
    assert code == 1 and "Only a scheduled voice message" in doc["message"]
    assert cancelled_ids(world) == set()


def test_voice_cancel_needs_an_id_or_all(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    code, doc = run(capsys, "voice", "cancel")
    assert (code, doc["error"]) == (2, "usage")


# --------------------------------------------------------------------------- contact fields


def test_contacts_add_sets_email_organization_and_custom_fields(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    code, added = run(
        capsys,
        "contacts",
        "add",
        CUSTOMER,
        "--phone",
        "0412 345 678",
        "--email",
        "ann@example.com",
        "--organization",
        "Acme Pty Ltd",
        *("--custom1", "Gold", "--custom2", "Table 4", "--custom3", "vegan", "--custom4", "2"),
    )
    assert code == 0
    expected = {
        "email": "ann@example.com",
        "organization": "Acme Pty Ltd",
        "custom_1": "Gold",
        "custom_2": "Table 4",
        "custom_3": "vegan",
        "custom_4": "2",
    }
    assert {k: added[k] for k in expected} == expected
    code, members = run(capsys, "contacts", "list", CUSTOMER)
    (stored,) = [m for m in members if m["contact_id"] == added["contact_id"]]
    assert {k: stored[k] for k in expected} == expected


def test_contacts_edit_changes_only_the_custom_field_given(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    _, added = run(
        capsys, "contacts", "add", CUSTOMER, "--phone", "0412345678", "--custom1", "Gold"
    )
    code, edited = run(
        capsys, "contacts", "edit", CUSTOMER, added["contact_id"], "--custom3", "window seat"
    )
    assert code == 0
    assert (edited["custom_1"], edited["custom_3"]) == ("Gold", "window seat")
    assert edited["phone_number"] == "+61412345678"


def test_contacts_add_with_only_an_email_is_accepted(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    code, added = run(capsys, "contacts", "add", CUSTOMER, "--email", "bo@example.com")
    assert code == 0 and added["email"] == "bo@example.com" and added["phone_number"] is None


def test_contacts_add_without_phone_or_email_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld
) -> None:
    before = len(world.clicksend.contacts.contacts)
    code, doc = run(capsys, "contacts", "add", CUSTOMER, "--first-name", "Cy", "--custom1", "x")
    assert code == 2 and "phone number or an email" in doc["message"]
    assert len(world.clicksend.contacts.contacts) == before
