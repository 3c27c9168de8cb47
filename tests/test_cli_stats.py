"""`smstui stats` against the sandbox: sync first, then numbers that match the store."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC
from decimal import Decimal
from typing import Any

import pytest

from smstui.cli import main
from smstui.core.sandbox import SandboxWorld
from smstui.core.store.message_store import MessageStore, StoredMessage


def run(capsys: pytest.CaptureFixture[str], *argv: str, world: SandboxWorld | None = None) -> Any:
    code = main(["--sandbox", *argv], world=world)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _all_rows(store: MessageStore) -> list[StoredMessage]:
    rows: list[StoredMessage] = []
    page = store.page(limit=500)
    while True:
        rows += page.rows
        if page.next is None:
            return rows
        page = store.page(after=page.next, limit=500)


def _expected(rows: list[StoredMessage]) -> dict[str, Counter[str]]:
    """The same definitions as smstui.core.store.stats, counted row by row in Python."""
    days: dict[str, Counter[str]] = {}
    for m in rows:
        c = days.setdefault(m.date.astimezone(UTC).date().isoformat(), Counter())
        if m.direction == "in":
            c["inbound"] += 1
            continue
        if m.status in ("Scheduled", "Cancelled"):
            continue
        c["sent"] += 1
        if m.status_code == "201":
            c["delivered"] += 1
        elif m.status == "Failed" or m.status_code in ("300", "301", "302"):
            c["failed"] += 1
    return days


def test_json_days_match_the_synced_store(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json", "stats", "--since", "16d", "--utc")
    assert code == 0
    doc = json.loads(out)
    with MessageStore(account="sandbox") as store:
        rows = _all_rows(store)
    assert rows, "the sync should have filled the store"
    expected = _expected(rows)
    for day in doc["days"]:
        want = expected.get(day["date"], Counter())
        got = {k: day[k] for k in ("sent", "delivered", "failed", "inbound")}
        assert got == {k: want[k] for k in got}, day["date"]


def test_json_totals_add_up_and_spend_is_an_exact_string(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = json.loads(run(capsys, "--json", "stats", "--since", "16d", "--utc")[1])
    totals = doc["totals"]
    for key in ("sent", "delivered", "failed", "inbound"):
        assert totals[key] == sum(d[key] for d in doc["days"])
    assert Decimal(totals["spend"]) == sum(Decimal(d["spend"]) for d in doc["days"])
    assert totals["sent"] > 0 and Decimal(totals["spend"]) > 0


def test_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(run(capsys, "--json", "stats", "--utc")[1])
    assert set(doc) == {"days", "totals", "currency", "timezone", "sandbox"}
    assert doc["currency"] == "AUD" and doc["timezone"] == "UTC"
    assert len(doc["days"]) == 14
    assert set(doc["days"][0]) == {"date", "sent", "delivered", "failed", "inbound", "spend"}


def test_a_month_range_ends_at_an_until_midnight(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--json", "stats", "--since", "2024-05-01T00:00Z", "--until", "2024-06-01T00:00Z"]
    doc = json.loads(run(capsys, *argv, "--utc", "--no-sync")[1])
    assert (doc["days"][0]["date"], doc["days"][-1]["date"]) == ("2024-05-01", "2024-05-31")


def test_no_sync_reads_only_the_store(capsys: pytest.CaptureFixture[str]) -> None:
    world = SandboxWorld()
    code, out, _ = run(capsys, "--json", "stats", "--no-sync", world=world)
    assert code == 0
    assert world.request_log == []
    assert json.loads(out)["totals"]["sent"] == 0


def test_no_sync_remembers_the_currency_of_the_last_sync(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "stats")
    doc = json.loads(run(capsys, "--json", "stats", "--no-sync")[1])
    assert doc["currency"] == "AUD"


def test_human_output_is_a_table_with_bars_and_a_total(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "stats", "--utc")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["DATE", "SENT", "DELIVERED", "FAILED", "INBOUND"]
    assert "SPEND (AUD)" in lines[0]
    assert lines[-1].startswith("total")
    assert any("█" in line for line in lines)
    assert "UTC" in err


def test_until_before_since_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--json", "stats", "--since", "2024-05-02", "--until", "2024-05-01", "--no-sync"
    )
    assert code == 2
    assert json.loads(out)["error"] == "usage"
