"""The sandbox's history in date order (kept sorted between listings: ``history_index``) answers
exactly what filtering and sorting every record again would, through every kind of change."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld

NOW = 1_760_000_000
PROXY = f"/connections/{DEFAULT_CONNECTION_ID}/proxy"


def oracle(
    world: SandboxWorld, date_from: int | None, date_to: int | None, q: str, desc: bool
) -> list[str]:
    """Every listed record's id, read off the records themselves: outbound ones once history's
    lag has passed, replies once their time has come, in (date, message_id) order."""
    cs = world.clicksend
    now = cs.now()
    rows = [(m.date, m.message_id) for m in cs.messages if m.date <= now - world.history_lag]
    rows += [(r.timestamp, r.message_id) for r in cs.inbound if r.timestamp <= now]
    rows = [
        t
        for t in rows
        if (date_from is None or t[0] >= date_from) and (date_to is None or t[0] <= date_to)
    ]
    if q:
        rows = [t for t in rows if t[1] == q]
    rows.sort()
    return [mid for _, mid in (rows[::-1] if desc else rows)]


async def listing(client: httpx.AsyncClient, params: dict[str, Any]) -> tuple[list[str], int]:
    ids: list[str] = []
    page, last = 1, 1
    while page <= last:
        r = await client.get(f"{PROXY}/v3/sms/history", params={**params, "page": page})
        data = r.json()["data"]
        ids += [m["message_id"] for m in data["data"]]
        last, total = data["last_page"], data["total"]
        page += 1
    return ids, total


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_date_ordered_history_follows_every_change(seed: int) -> None:
    rng = random.Random(seed)
    clock = [float(NOW)]
    world = SandboxWorld(seed=seed, history_size=120, clock=lambda: clock[0])
    world.reply_rate, world.reply_delay = 1.0, 8.0  # replies fall due while it runs
    sent: list[str] = []

    async def send(c: httpx.AsyncClient) -> None:
        at = int(clock[0]) + rng.choice([0, 0, 30, 90])  # some scheduled
        body = {"to": f"+6141{rng.randrange(10**7):07d}", "body": "hi", "schedule": at}
        r = await c.post(f"{PROXY}/v3/sms/send", json={"messages": [body]})
        sent.append(r.json()["data"]["messages"][0]["message_id"])

    async def cancel(c: httpx.AsyncClient) -> None:
        # a cancel drops the message's pending reply: the replies list is replaced
        if sent:
            await c.put(f"{PROXY}/v3/sms/{rng.choice(sent)}/cancel")

    def lag() -> None:
        world.history_lag = rng.choice([0.0, 5.0, 40.0, -10.0])

    def arrive() -> None:
        world.add_inbound(f"+6142{rng.randrange(10**7):07d}", "a reply")

    def tick() -> None:
        clock[0] += rng.choice([1, 2, 5, 30])

    async with httpx.AsyncClient(
        transport=world.transport(),
        base_url="https://api.sandbox.test",
        headers={"Authorization": "Bearer test-token"},
    ) as client:
        changes: list[Callable[[], Any]] = [tick, lag, arrive]
        for _ in range(60):
            for _ in range(rng.randrange(3)):
                change = rng.choice([*changes, send, cancel])
                out = change(client) if change in (send, cancel) else change()
                if out is not None:
                    await out
            lo = NOW - rng.choice([10**6, 3600, 60, 0])
            date_from = rng.choice([None, lo])
            date_to = rng.choice([None, int(clock[0]) - 30, int(clock[0]) + 100])
            desc = rng.random() < 0.3
            q = rng.choice(["", "", rng.choice(sent) if sent else ""])
            params: dict[str, Any] = {"limit": 15, "order_by": "date:desc" if desc else "date:asc"}
            if date_from is not None:
                params["date_from"] = date_from
            if date_to is not None:
                params["date_to"] = date_to
            if q:
                params["q"] = f"message_id:{q}"
            expected = oracle(world, date_from, date_to, q, desc)
            assert await listing(client, params) == (expected, len(expected))
