"""Input limits: each refused with its own clear message, before anything is recorded or sent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from smstui.cli import main
from smstui.core.config import load_settings
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld, serve
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxWorld]:
    w = SandboxWorld(seed=30, history_size=3)
    with serve(w) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "limits-token")
        monkeypatch.setenv("SMSTUI_CONNECTION_ID", DEFAULT_CONNECTION_ID)
        yield w


def refused(capsys: pytest.CaptureFixture[str], world: SandboxWorld, *argv: str) -> dict[str, str]:
    """Run ``send`` with --json; assert a usage error with nothing sent or recorded."""
    code = main(["--json", "send", *argv])
    doc: dict[str, str] = json.loads(capsys.readouterr().out)
    assert code == 2 and doc["error"] == "validation"
    assert world.clicksend.received == []
    with MessageStore(account=load_settings().identity()) as store:
        assert OutboxTable(store).all() == []
    return doc


def test_a_body_over_the_part_cap_says_how_many_parts_it_needs(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = refused(capsys, world, "--to", "0412345678", "--body", "a" * (6 * 153 + 1))
    assert "needs 7 GSM-7 parts; the limit is 6" in doc["message"]


def test_a_unicode_body_over_the_cap_points_at_the_unicode(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = refused(capsys, world, "--to", "0412345678", "--body", "😀" * 250)
    assert "UCS-2" in doc["message"] and "UCS-2" in doc["hint"]


def test_a_body_exactly_at_the_cap_is_sent(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", "--to", "0412345678", "--body", "a" * (6 * 153)]) == 0
    assert len(world.clicksend.received) == 1


def test_more_than_1000_recipients_are_sent_to_bulk(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = ",".join(f"+614120{i:05d}" for i in range(1001))
    doc = refused(capsys, world, "--to", numbers, "--body", "hi")
    assert "1,001 recipients" in doc["message"] and "at most 1,000" in doc["message"]
    assert "bulk send" in doc["hint"]


def test_a_schedule_in_the_past_is_refused(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = refused(capsys, world, "--to", "0412345678", "--body", "hi", "--schedule", "2020-01-01")
    assert "in the past" in doc["message"]


def test_a_malformed_schedule_is_refused(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = refused(capsys, world, "--to", "0412345678", "--body", "hi", "--schedule", "tomorrowish")
    assert "cannot read the time" in doc["message"]


def test_a_sender_id_longer_than_11_characters_is_refused(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = refused(capsys, world, "--to", "0412345678", "--body", "hi", "--from", "ACMEWIDGETSCO")
    assert "11" in doc["message"]


def test_an_unknown_template_is_not_found_and_nothing_is_sent(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--json", "send", "--to", "0412345678", "--template", "No Such Template"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 4 and doc["error"] == "not_found"
    assert "No Such Template" in doc["message"]
    assert world.clicksend.received == []
