"""`smstui request` on a Membrane without the structured request route: the answer comes
through the transparent proxy, and the next run goes there straight away (remembered)."""

from __future__ import annotations

import json

import pytest

from smstui.cli import main
from smstui.core.membrane.secret_fields import MASK
from smstui.core.sandbox import SandboxWorld


@pytest.fixture
def world() -> SandboxWorld:
    w = SandboxWorld(seed=6)
    w.structured_request_route = False
    return w


def run(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    code = main(["--sandbox", *argv], world=world)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def structured_calls(world: SandboxWorld) -> int:
    with world.lock:
        return sum(1 for _, p in world.request_log if p.endswith("/request"))


def test_the_answer_comes_through_the_transparent_proxy(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(world, capsys, "--json", "request", "/v3/account")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["status"] == 200 and doc["route"] == "proxy"
    assert doc["body"]["data"]["username"]
    assert world.clicksend.api_key not in out
    assert "no structured request route" in err


def test_human_output_is_the_same_as_through_the_structured_route(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(world, capsys, "request", "/v3/account")
    assert code == 0
    assert out.startswith("status: 200\n")
    assert f'"api_key": "{MASK}"' in out
    assert world.clicksend.api_key not in out


def test_the_second_run_makes_no_request_to_the_missing_route(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(world, capsys, "request", "/v3/account")[0] == 0
    assert structured_calls(world) == 1
    code, out, err = run(world, capsys, "--json", "request", "/v3/sms/templates")
    assert code == 0 and json.loads(out)["route"] == "proxy"
    assert structured_calls(world) == 1
    assert "no structured request route" not in err  # said once, when it was learnt


def test_a_clicksend_404_through_the_fallback_keeps_its_exit_code(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(world, capsys, "--json", "request", "/v3/no/such/thing")
    assert code == 4
    assert json.loads(out)["status"] == 404
