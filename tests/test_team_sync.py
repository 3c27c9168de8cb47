"""Sync once for everyone: on the team store one process syncs an account at a time (an
advisory lock keyed by account and connection); the others skip the round and read what it
stored. A reply ClickSend lists only until it is marked read reaches every operator."""

from __future__ import annotations

import json
import time

import psycopg
import pytest

from smstui.core.config import load_settings
from smstui.core.sandbox import SandboxWorld
from smstui.core.session import Session, build_session
from smstui.core.store.message_store import MessageFilter
from smstui.core.store.postgres import PostgresStore
from smstui.core.store.postgres.store import SYNC_LOCK_PREFIX

UNREAD = MessageFilter(unread_only=True)


def operator(url: str, world: SandboxWorld) -> Session:
    settings = load_settings(env={"SMSTUI_DATABASE_URL": url, "SMSTUI_SANDBOX": "1"})
    return build_session(settings, world=world)


def asked_clicksend(world: SandboxWorld) -> int:
    return sum(1 for _, path in world.request_log if "/sms/" in path or "/inbound" in path)


def test_the_sync_lock_is_held_by_one_store_at_a_time(pg_url: str) -> None:
    with PostgresStore(pg_url) as a, PostgresStore(pg_url) as b:
        with a.sync_lock("acct:conn") as first:
            assert first
            with b.sync_lock("acct:conn") as second:
                assert not second
            with b.sync_lock("acct:other-connection") as elsewhere:
                assert elsewhere  # another account or connection syncs on its own
        with b.sync_lock("acct:conn") as after:
            assert after  # released when the holder's block ended


def wait_until_gone(url: str, pid: int) -> None:
    """Until the server has ended backend ``pid`` (it notices a closed socket on its own)."""
    deadline = time.monotonic() + 30
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline, "the server kept a closed connection's backend"
            time.sleep(0.01)


def test_a_dead_holder_releases_the_lock(pg_url: str) -> None:
    holder = psycopg.connect(pg_url, autocommit=True)  # another process, mid-sync
    holder.execute(
        "SELECT pg_advisory_lock(hashtextextended(%s, 0))", (SYNC_LOCK_PREFIX + "acct:conn",)
    )
    with PostgresStore(pg_url) as store:
        with store.sync_lock("acct:conn") as ours:
            assert not ours
        pid = holder.info.backend_pid
        holder.close()  # its process died: the server drops the connection and its locks
        wait_until_gone(pg_url, pid)
        with store.sync_lock("acct:conn") as ours:
            assert ours


async def test_others_skip_the_round_and_read_the_reply_the_syncing_one_stored(
    pg_url: str,
) -> None:
    world = SandboxWorld()
    front_desk, night_shift = operator(pg_url, world), operator(pg_url, world)
    try:
        reply = world.add_inbound("+61411111111", "is the shop open?")
        key = f"{night_shift.account}:{await night_shift.connection_id()}"
        with night_shift.store().sync_lock(key) as held:  # night shift is syncing right now
            assert held
            before = asked_clicksend(world)
            report = await front_desk.sync()
            assert report.skipped
            assert asked_clicksend(world) == before  # ClickSend was not asked at all
        report = await front_desk.sync()
        assert not report.skipped and report.inbound >= 1  # the sandbox seeds a few more
        # the night shift sees the reply without syncing, though ClickSend lists it no more
        row = night_shift.store().get(reply)
        assert row is not None and row.body == "is the shop open?" and not row.read
        assert reply.upper() in {
            r.message_id for r in night_shift.store().page(filters=UNREAD).rows
        }
        assert not (await night_shift.sync()).skipped  # the lock was released
    finally:
        await front_desk.aclose()
        await night_shift.aclose()


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_sqlite_never_skips(backend: str) -> None:
    session = build_session(load_settings(env={"SMSTUI_SANDBOX": "1"}), world=SandboxWorld())
    try:
        with session.store().sync_lock("anything") as ours:
            assert ours
            assert not (await session.sync()).skipped  # one person's processes sync side by side
    finally:
        await session.aclose()


def test_team_status_shows_the_store_operators_and_who_is_syncing(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from smstui.cli import main

    assert main(["--json", "team", "status"]) == 0  # no database_url: team mode is off
    assert json.loads(capsys.readouterr().out) == {"store": "sqlite", "team": False}
    monkeypatch.setenv("SMSTUI_DATABASE_URL", pg_url)
    with (
        PostgresStore(pg_url, operator="Ana") as ana,
        PostgresStore(pg_url, operator="Ben") as ben,
        ana.sync_lock("acct:conn") as held,
    ):
        assert held
        del ben  # Ben's app is open, not syncing
        monkeypatch.setenv("SMSTUI_OPERATOR", "Cleo")
        assert main(["--json", "team", "status"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["team"] is True and doc["schema_version"] == doc["this_smstui_schema"]
        assert doc["syncing"] == ["Ana"]
        seen = {o["name"]: o["connected"] for o in doc["operators"]}
        assert seen == {"Ana": True, "Ben": True, "Cleo": True}  # Cleo: the command asking
        assert main(["team", "status"]) == 0
        out = capsys.readouterr().out
        assert "syncing now:" in out and "Ana" in out and "Cleo" in out
