"""Numbers libphonenumber calls possible but not valid: warned about, sent, ClickSend decides."""

from __future__ import annotations

import json
from pathlib import Path

import phonenumbers
import pytest
from support.sandbox_app import sandbox_app
from test_ui_flows import settle, static_text, type_into, wait_until
from textual.widgets import Static

from smstui.cli import main
from smstui.core.delivery.bulk import plan_bulk
from smstui.core.phone import UNKNOWN_RANGE
from smstui.ui.screens.confirm import ConfirmScreen

# an AU mobile in a range the phone library does not list: the right length, unknown range
UNKNOWN = "+61441000000"
KNOWN = "+61411111111"  # a ClickSend test number


@pytest.fixture(autouse=True)
def unknown_is_possible_but_not_valid() -> None:
    parsed = phonenumbers.parse(UNKNOWN)
    assert phonenumbers.is_possible_number(parsed)
    assert not phonenumbers.is_valid_number(parsed)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--sandbox", *argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_cli_send_warns_on_stderr_and_lets_clicksend_decide(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        capsys, "--json", "send", "--to", "0441 000 000", "--to", KNOWN, "--body", "hi"
    )
    assert f"warning: {UNKNOWN}: {UNKNOWN_RANGE}" in err
    statuses = {m["to"]: m["status"] for m in json.loads(out)["messages"]}
    # the sandbox, like ClickSend, answers for the unknown number itself
    assert statuses == {UNKNOWN: "INVALID_RECIPIENT", KNOWN: "SUCCESS"}
    assert code == 1  # one message was rejected by "ClickSend"


def test_cli_price_warns_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--json", "price", "--to", UNKNOWN, "--to", KNOWN, "--body", "x")
    assert f"warning: {UNKNOWN}: {UNKNOWN_RANGE}" in err
    prices = {m["to"]: m["price"] for m in json.loads(out)["messages"]}
    assert prices == {UNKNOWN: None, KNOWN: "0.0000"}  # ClickSend prices only what it knows
    assert code == 1


def test_cli_number_that_is_not_possible_is_still_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "send", "--to", "+6144100000000", "--body", "hi")
    assert code == 2 and out == ""
    assert "invalid recipient" in err and "too long" in err


def test_bulk_plan_lists_unknown_ranges_as_warnings_not_problems() -> None:
    data = f"phone,name\n{KNOWN},A\n0441 000 000,B\n12,C\n".encode()
    plan = plan_bulk(data, "Hi {name}", default_region="AU")
    assert [r.to for r in plan.rows] == [KNOWN, UNKNOWN]
    assert [(w.line, w.reason) for w in plan.warnings] == [(3, f"{UNKNOWN}: {UNKNOWN_RANGE}")]
    assert [p.line for p in plan.problems] == [4]


def test_bulk_send_reports_warnings_and_sends_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "in.csv"
    f.write_text(f"phone,name\n{KNOWN},A\n0441 000 000,B\n")
    code, out, err = run(capsys, "--json", "bulk", "send", str(f), "--body", "Hi {name}", "--yes")
    assert f"line 3: warning: {UNKNOWN}: {UNKNOWN_RANGE}" in err
    doc = json.loads(out)
    assert doc["warnings"] == [{"line": 3, "reason": f"{UNKNOWN}: {UNKNOWN_RANGE}"}]
    assert doc["rows"] == 2 and doc["accepted"] == 1 and doc["rejected"] == 1
    assert code == 1


async def test_compose_asks_before_sending_to_an_unknown_range() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#recipients", f"{KNOWN}, 0441 000 000")
        await pilot.pause()
        assert UNKNOWN_RANGE in static_text(app, "#recipients-error")
        await type_into(pilot, "#body", "Hello")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen)
        text = str(app.screen.query_one("#confirm-body", Static).render())
        assert UNKNOWN in text and KNOWN not in text and "ClickSend will decide" in text
        await pilot.click("#no")  # go back: nothing priced or sent
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert world.clicksend.received == []

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")  # send anyway: then the usual price confirmation
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, ConfirmScreen)
            and "Total cost" in str(app.screen.query_one("#confirm-body", Static).render()),
        )
        await pilot.click("#yes")
        await settle(pilot)
        assert {m["to"] for m in world.clicksend.received} == {KNOWN, UNKNOWN}
