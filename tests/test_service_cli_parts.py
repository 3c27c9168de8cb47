"""What the parts of the Workspace give the CLI: reads that only read, changes that do not
depend on the local store, per-message prices, history for reports, store health and bulk jobs
(against the sandbox)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smstui.core.config import load_settings
from smstui.core.models import OutgoingMms, OutgoingSms
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld
from smstui.core.service import Workspace, bulk, store_health
from smstui.core.service.history import MessageFilter, local_day


@pytest.fixture
async def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = load_settings(flags={"sandbox": True}, env={})
    workspace = Workspace.from_settings(settings, world=SandboxWorld(seed=5))
    try:
        yield workspace
    finally:
        await workspace.aclose()


async def test_price_each_answers_message_by_message_and_sends_nothing(ws: Workspace) -> None:
    world = ws.world
    assert world is not None
    before = len(world.clicksend.messages)
    sms = [OutgoingSms(to="+61412345671", body="a"), OutgoingSms(to="+61412345672", body="b")]
    result = await ws.messages.price_each(sms)
    assert [m.to for m in result.messages] == ["+61412345671", "+61412345672"]
    mms = [OutgoingMms(to="+61412345673", body="p", subject="S", media_url="https://x.test/a.jpg")]
    assert len((await ws.messages.price_each(mms)).messages) == 1
    assert len(world.clicksend.messages) == before


async def test_a_cli_template_change_leaves_the_local_copy_alone(ws: Workspace) -> None:
    made = await ws.templates.create("Opening", "We open at 9", mirror=False)
    assert ws.templates.cached() == []  # the store was not written
    changed = await ws.templates.update(made.template_id, None, "We open at 8", mirror=False)
    assert (changed.name, changed.body) == ("Opening", "We open at 8")  # name kept
    assert (await ws.templates.get(made.template_id)).body == "We open at 8"
    assert any(t.template_id == made.template_id for t in await ws.templates.fetch_all())
    assert await ws.templates.delete(made.template_id, mirror=False)
    assert all(t.template_id != made.template_id for t in await ws.templates.fetch_all())
    assert ws.templates.cached() == []


async def test_a_read_sync_does_not_reconcile_open_sends(ws: Workspace) -> None:
    [sent] = await ws.messages.send([OutgoingSms(to="+61412345674", body="hello")])
    assert sent.state == "accepted" and sent.status and sent.parts == 1 and sent.currency
    report = await ws.messages.sync(history=False, reconcile=False)
    assert report.reconciled == []
    rows = list(ws.history.messages(MessageFilter(text="hello")))
    assert [r.message_id for r in rows] == [sent.message_id]
    unread = MessageFilter(direction="in", unread_only=True, text="hello")
    assert list(ws.history.messages(unread)) == []


async def test_history_stats_rebuild_and_the_stored_export(ws: Workspace, tmp_path: Path) -> None:
    await ws.messages.send([OutgoingSms(to="+61412345675", body="stats")])
    today = local_day(datetime.now(UTC), UTC)
    report = ws.history.daily_stats(today - timedelta(days=1), today, UTC)
    assert report.totals.sent >= 1
    assert ws.history.rebuild_stats() == 0  # the rollup was exact
    rows = list(ws.history.messages(MessageFilter(text="stats")))
    out = tmp_path / "stored.csv"
    assert ws.history.export_stored(out, rows) == 1
    assert "+61412345675" in out.read_text(encoding="utf-8-sig")
    assert out.stat().st_mode & 0o777 == 0o600


def test_store_health_needs_no_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "empty"))
    check = store_health.check_store()
    assert check.state == "missing" and not check.exists


async def test_cancel_all_and_receipts(ws: Workspace) -> None:
    world = ws.world
    assert world is not None
    later = datetime.now(UTC) + timedelta(days=1)
    await ws.messages.send([OutgoingSms(to="+61412345676", body="later", schedule=later)])
    waiting = [m for m in world.clicksend.messages if m.scheduled and not m.cancelled]
    assert await ws.messages.cancel_all() == len(waiting) >= 1
    assert all(m.cancelled for m in world.clicksend.messages if m.body == "later")
    assert isinstance(await ws.messages.receipts(5), list)


async def test_connections_are_listed_used_and_forgotten(ws: Workspace) -> None:
    connections = await ws.membrane.connections()
    assert DEFAULT_CONNECTION_ID in {c.id for c in connections}
    used = await ws.membrane.use_connection(DEFAULT_CONNECTION_ID)
    assert used.usable
    gone: list[str] = []
    assert (await ws.membrane.current_connection(gone.append)).id == DEFAULT_CONNECTION_ID
    assert gone == []
    ws.membrane.forget_connection()
    response, _known = await ws.membrane.request("/v3/account")
    assert response.status == 200


async def test_a_bulk_job_is_planned_run_and_listed(ws: Workspace, tmp_path: Path) -> None:
    plan = bulk.plan(b"phone,name\n0412345677,Ann\n", "Hi {name}", default_region="AU")
    assert [r.body for r in plan.rows] == ["Hi Ann"]
    job = bulk.create_job(plan.rows, sender=None, schedule=None, source="x.csv")
    assert [j.job_id for j in bulk.unfinished()] == [job.job_id]
    assert await ws.bulk.run(job, settle=0) == 1
    assert bulk.unfinished() == [] and bulk.load_job(job.job_id).finished
    out = tmp_path / "results.csv"
    bulk.write_results(job, out)
    assert "+61412345677" in out.read_text(encoding="utf-8-sig")
    assert out.stat().st_mode & 0o777 == 0o600
