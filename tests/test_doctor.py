"""smstui doctor: checks in order, --json, --fix (asks, or --yes), on the sandbox."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterator

import jwt
import pytest

from smstui.cli import main
from smstui.core.config import load_settings
from smstui.core.doctor import CHECKS
from smstui.core.membrane.connection_cache import ConnectionCache
from smstui.core.sandbox import SandboxWorld, serve
from smstui.core.session import SANDBOX_API_URL, SANDBOX_IDENTITY
from smstui.core.store.message_store import MessageStore
from smstui.core.store.schema import default_db_path

KEY = "a-test-signing-key-of-32-bytes-at-least"  # never verified by doctor


def doctor(
    capsys: pytest.CaptureFixture[str], *argv: str, world: SandboxWorld | None = None
) -> tuple[int, str, str]:
    code = main(["doctor", *argv], world=world)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def by_check(out: str) -> dict[str, dict[str, object]]:
    doc = json.loads(out)
    return {d["check"]: d for d in doc}


@pytest.fixture
def fresh_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxWorld]:
    """A brand-new ClickSend account (no POLL rules, voice not enabled) on a loopback server."""
    world = SandboxWorld(fresh_account=True)
    with serve(world) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "sandbox-token-abcdef")
        yield world


def test_every_check_passes_on_the_default_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = doctor(capsys, "--sandbox")
    lines = out.splitlines()
    assert [line.split()[1] for line in lines] == list(CHECKS)
    assert all(line.startswith("ok ") for line in lines), out
    assert code == 0 and "all 13 checks passed" in err


def test_json_is_a_list_of_check_ok_detail_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = doctor(capsys, "--sandbox", "--json")
    doc = json.loads(out)
    assert [d["check"] for d in doc] == list(CHECKS)
    # every item is marked as the sandbox's (a real run prints the same keys without it)
    assert all(set(d) == {"check", "ok", "detail", "fix", "sandbox"} for d in doc)
    assert all(d["ok"] is True and d["fix"] == "" for d in doc)
    assert code == 0


def test_fresh_account_fails_poll_rules_and_voice(
    fresh_server: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = doctor(capsys, "--json")
    checks = by_check(out)
    failed = [name for name, d in checks.items() if not d["ok"]]
    assert failed == ["poll_rule_inbound", "poll_rule_receipt", "voice"]
    assert "doctor --fix" in str(checks["poll_rule_inbound"]["fix"])
    assert "not enabled" in str(checks["voice"]["detail"])
    assert "enable voice" in str(checks["voice"]["fix"])
    assert code == 1


def test_fresh_account_text_has_one_line_per_check_with_the_fix(
    fresh_server: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = doctor(capsys)
    lines = out.splitlines()
    assert len(lines) == len(CHECKS)
    voice = next(line for line in lines if line.split()[1] == "voice")
    assert voice.startswith("FAIL") and "| fix: " in voice
    assert "3 of 13 check(s) failed" in err and code == 1


def test_fix_with_yes_creates_the_poll_rules_then_they_pass(
    fresh_server: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fresh_server.clicksend.automations.poll_copies("inbound") == 0
    code, _, err = doctor(capsys, "--fix", "--yes")
    assert "created POLL rule(s): inbound" in err and "receipt" in err
    assert fresh_server.clicksend.automations.poll_copies("inbound") == 1
    assert fresh_server.clicksend.automations.poll_copies("receipt") == 1
    assert code == 1  # voice still is not enabled: nothing doctor can do about that
    code, out, _ = doctor(capsys, "--json")
    checks = by_check(out)
    assert checks["poll_rule_inbound"]["ok"] and checks["poll_rule_receipt"]["ok"]
    assert [n for n, d in checks.items() if not d["ok"]] == ["voice"]


def test_fix_asks_before_each_repair(
    fresh_server: SandboxWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["n"])
    asked: list[str] = []
    monkeypatch.setattr("smstui.cli.runtime.Runtime.stdin_is_tty", property(lambda _: True))

    def ask(_self: object, prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr("smstui.cli.runtime.Runtime.ask", ask)
    code, _, err = doctor(capsys, "--fix")
    assert asked == ["Create the missing POLL automation rule(s) in ClickSend? [y/N] "]
    assert "skipped: poll_rules" in err
    assert fresh_server.clicksend.automations.poll_copies("inbound") == 0
    assert code == 1


def test_fix_without_a_terminal_or_yes_repairs_nothing_and_says_so(
    fresh_server: SandboxWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("smstui.cli.runtime.Runtime.stdin_is_tty", property(lambda _: False))
    code, _, err = doctor(capsys, "--fix")
    assert "not repairing anything" in err and "--yes" in err
    assert fresh_server.clicksend.automations.poll_copies("inbound") == 0
    assert code == 1


def test_a_world_readable_store_fails_permissions_and_fix_tightens_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = default_db_path()
    MessageStore(path).close()
    os.chmod(path, 0o644)
    code, out, _ = doctor(capsys, "--sandbox", "--json")
    checks = by_check(out)
    assert not checks["permissions"]["ok"]
    assert f"{path} is 0644" in str(checks["permissions"]["detail"])
    assert checks["store_integrity"]["ok"]
    assert code == 1
    code, out, err = doctor(capsys, "--sandbox", "--fix", "--yes")
    assert "owner-only" in err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert code == 0


def test_a_damaged_store_fails_the_integrity_check(capsys: pytest.CaptureFixture[str]) -> None:
    path = default_db_path()
    MessageStore(path).close()
    path.write_bytes(b"not a database at all" * 100)
    code, out, _ = doctor(capsys, "--sandbox", "--json")
    check = by_check(out)["store_integrity"]
    assert not check["ok"] and "smstui store repair" in str(check["fix"])
    assert code == 1


def test_a_server_clock_far_off_fails_the_clock_check(capsys: pytest.CaptureFixture[str]) -> None:
    world = SandboxWorld(clock=lambda: time.time() + 600)
    code, out, _ = doctor(capsys, "--sandbox", "--json", world=world)
    check = by_check(out)["clock"]
    assert not check["ok"] and "10 min behind" in str(check["detail"])
    assert "ntp" in str(check["fix"]).lower()
    assert code == 1


def test_an_expired_jwt_fails_credentials(
    fresh_server: SandboxWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = jwt.encode({"tenantKey": "shop-7", "exp": int(time.time()) - 7200}, KEY)
    monkeypatch.setenv("MEMBRANE_TOKEN", token)
    code, out, _ = doctor(capsys, "--json")
    checks = by_check(out)
    assert not checks["credentials"]["ok"] and "expired 2 h ago" in str(
        checks["credentials"]["detail"]
    )
    assert checks["tenant"]["detail"] == "shop-7 (from the token)"
    assert code == 1


def test_a_live_jwt_shows_its_expiry(
    fresh_server: SandboxWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMBRANE_TOKEN", jwt.encode({"exp": int(time.time()) + 3 * 3600}, KEY))
    _, out, _ = doctor(capsys, "--json")
    credentials = by_check(out)["credentials"]
    assert credentials["ok"] and "expires in 3 h" in str(credentials["detail"])
    assert by_check(out)["tenant"]["detail"] == "default (from the token)"


def test_without_credentials_doctor_says_so_and_checks_nothing_remote(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert not load_settings().has_credentials
    code, out, _ = doctor(capsys, "--json")
    checks = by_check(out)
    assert not checks["credentials"]["ok"]
    assert "smstui connect" in str(checks["credentials"]["fix"])
    assert str(checks["account"]["detail"]).startswith("not checked")
    assert not checks["account"]["ok"]  # a check that did not run never passes
    assert checks["permissions"]["ok"]
    assert code == 1


def test_a_remembered_connection_that_is_gone_is_forgotten_by_fix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache = ConnectionCache()
    cache.put(SANDBOX_API_URL, SANDBOX_IDENTITY, "conn_deleted")
    code, out, _ = doctor(capsys, "--sandbox", "--json")
    connection = by_check(out)["connection"]
    assert not connection["ok"] and "no longer exists" in str(connection["detail"])
    assert code == 1
    code, _, err = doctor(capsys, "--sandbox", "--fix", "--yes")
    assert "forgot the remembered connection" in err
    # checked again after the repair: the one usable connection is found and remembered
    cached = cache.get(SANDBOX_API_URL, SANDBOX_IDENTITY)
    assert cached is not None and cached.connection_id != "conn_deleted"
    assert code == 0


def test_without_credentials_fix_still_tightens_permissions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = default_db_path()
    MessageStore(path).close()
    os.chmod(path, 0o644)
    code, _, err = doctor(capsys, "--fix", "--yes")
    assert "owner-only" in err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert code == 1  # the credentials are still missing
