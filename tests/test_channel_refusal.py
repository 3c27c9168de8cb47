"""One failing channel never hides the others: an account that refuses MMS or voice still
gets SMS history, replies and receipts; the refusal is reported once and remembered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.sandbox_session import quiet_world, sandbox_session

from smstui.cli import main
from smstui.core.clicksend.account_facts import InMemoryFacts
from smstui.core.delivery.sync import sync_all
from smstui.core.delivery.sync_channels import FAILING_TTL, REFUSED_TTL, fact_name
from smstui.core.errors import MembraneAuthError
from smstui.core.membrane.connection_cache import ConnectionCache
from smstui.core.models import HistoryMessage, Page
from smstui.core.sandbox import Fault, SandboxWorld, serve
from smstui.core.store.message_store import MessageStore
from smstui.core.store.query import MessageFilter

SHAPES = ["403", "404", "not_enabled"]


def _world(**kw: object) -> SandboxWorld:
    return quiet_world(seed=7, history_size=6, **kw)


def _asked(world: SandboxWorld, channel: str) -> int:
    return sum(1 for _, p in world.request_log if f"/{channel}/" in p)


@pytest.mark.parametrize("how", SHAPES)
async def test_refused_voice_leaves_sms_replies_and_receipts_synced(
    tmp_path: Path, how: str
) -> None:
    world = _world(refused_channels={"voice": how})
    reply = world.add_inbound("+61412345678", "still here")
    async for session in sandbox_session(world, tmp_path):
        report = await session.sync()
        assert set(report.channel_failures) == {"voice"}
        assert report.history_messages > 0 and report.inbound >= 1
        assert session.store().get(reply) is not None
        assert report.mms_messages == 0 and "mms" not in report.channel_failures


async def test_a_refusal_is_remembered_so_the_next_sync_does_not_ask(tmp_path: Path) -> None:
    world = _world(refused_channels={"mms": "403"})
    async for session in sandbox_session(world, tmp_path):
        first = await session.sync()
        assert set(first.channel_failures) == {"mms"}
        asked = _asked(world, "mms")
        second = await session.sync()
        assert second.channel_failures == {} and second.channels_skipped == ("mms",)
        assert _asked(world, "mms") == asked
        assert _asked(world, "voice") > 0  # the other channel is still synced


async def test_a_refusal_is_remembered_longer_than_a_passing_failure(tmp_path: Path) -> None:
    now = [0.0]
    facts = InMemoryFacts(clock=lambda: now[0])
    world = _world(refused_channels={"voice": "not_enabled"})
    world.inject(Fault(path=r"/mms/history", status=500))
    async for session in sandbox_session(world, tmp_path):
        service = await session.service()
        with MessageStore(tmp_path / "x.db") as store:
            report = await sync_all(service, store, facts=facts)
    assert set(report.channel_failures) == {"mms", "voice"}
    now[0] = FAILING_TTL + 1
    assert facts.recall(fact_name("mms")) is None
    assert facts.recall(fact_name("voice")) == {
        "reason": "Voice is not enabled on this account. Please contact support.",
        "refused": True,
    }
    now[0] = REFUSED_TTL + 1
    assert facts.recall(fact_name("voice")) is None


class _TokenRejected:
    """MMS/voice listings on a Membrane token that has just been revoked."""

    async def _refuse(self, *_: object, **__: object) -> Page[HistoryMessage]:
        raise MembraneAuthError("token rejected", status=401)

    mms_history = voice_history = voice_receipts = _refuse


async def test_bad_membrane_credentials_still_fail_the_whole_sync(tmp_path: Path) -> None:
    world = _world()
    async for session in sandbox_session(world, tmp_path):
        service = await session.service()
        with MessageStore(tmp_path / "x.db") as store, pytest.raises(MembraneAuthError):
            await sync_all(service, store, channels=_TokenRejected())  # type: ignore[arg-type]


async def test_the_remembered_refusal_is_kept_with_the_connection(tmp_path: Path) -> None:
    cache = ConnectionCache(tmp_path / "c.json")
    facts = cache.facts("https://api.example", "who")
    facts.remember(fact_name("voice"), {"reason": "no", "refused": True}, ttl=60)
    again = ConnectionCache(tmp_path / "c.json").facts("https://api.example", "who")
    assert again.recall(fact_name("voice")) == {"reason": "no", "refused": True}
    cache.put("https://api.example", "who", "conn_other")  # another connection: start afresh
    assert again.recall(fact_name("voice")) is None
    assert (tmp_path / "c.json").stat().st_mode & 0o777 == 0o600


# --------------------------------------------------------------------------- CLI


def _run(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld, *argv: str
) -> tuple[int, str, str]:
    code = main(["--sandbox", *argv], world=world)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.mark.parametrize("command", ["history", "inbox"])
@pytest.mark.parametrize("how", SHAPES)
def test_cli_exits_0_with_one_warning_when_voice_is_refused(
    capsys: pytest.CaptureFixture[str], command: str, how: str
) -> None:
    world = _world(refused_channels={"voice": how})
    world.add_inbound("+61412345678", "a reply")
    code, out, err = _run(capsys, world, "--json", command)
    assert code == 0
    rows = json.loads(out)
    assert rows  # SMS history / the reply are shown
    warnings = [line for line in err.splitlines() if line.startswith("warning: voice")]
    assert len(warnings) == 1 and "SMS history, replies and receipts are up to date" in err


def test_cli_reports_a_refusal_once_then_stays_quiet(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a real connection (here the loopback server) keeps what it learnt between runs
    world = _world(refused_channels={"mms": "404"})
    with serve(world) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "loopback-token-456")
        code, _, err = _run_real(capsys, "inbox")
        assert code == 0 and err.count("warning: MMS not synced") == 1
        asked = _asked(world, "mms")
        code, _, err = _run_real(capsys, "history")
        assert code == 0 and "MMS" not in err
        assert _asked(world, "mms") == asked


def _run_real(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_a_stranger_s_refusal_text_is_inert(capsys: pytest.CaptureFixture[str]) -> None:
    world = _world()
    world.inject(Fault(path=r"/voice/receipts", status=403))
    code, _, err = _run(capsys, world, "history")
    assert code == 0 and "\x1b" not in err and "warning: voice not synced" in err


async def test_history_store_keeps_sms_when_mms_fails_midway(tmp_path: Path) -> None:
    world = _world()
    world.inject(Fault(path=r"/mms/history", status=500))
    async for session in sandbox_session(world, tmp_path):
        report = await session.sync()
        out = session.store().page(limit=500, filters=MessageFilter(direction="out")).rows
        assert report.channel_failures.keys() == {"mms"} and out
