"""Following replies: each new reply handed once, across restarts; backoff on 429/5xx; the
command runner (never a shell, the reply as JSON on stdin, a failure reported, not fatal).
Tests taking ``store_env`` run on this machine's SQLite store and on a team database."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.store_backends import StoreBackend

from smstui.core.config import load_settings
from smstui.core.errors import (
    AuthError,
    ClickSendError,
    NetworkError,
    RateLimitedError,
    SmstuiError,
    UsageError,
)
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import Reply, Workspace
from smstui.core.service.follow import (
    CommandRunner,
    ReplyFollower,
    reply_env,
    retry_wait,
    split_command,
)


def _workspace(world: SandboxWorld, env: dict[str, str] | None = None) -> Workspace:
    settings = load_settings(flags={"sandbox": True}, env=env or {})
    return Workspace.from_settings(settings, world=world)


class Script:
    """The follower's pause: runs the next step of the story (replies arriving), and stops
    the follower when the story ends. No real waiting."""

    def __init__(self, follower_of: Callable[[], ReplyFollower], steps: list[Callable[[], None]]):
        self.follower_of = follower_of
        self.steps = list(steps)
        self.pauses: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if self.steps:
            self.steps.pop(0)()
        else:
            self.follower_of().stop()


async def _follow(ws: Workspace, steps: list[Callable[[], None]], **kw: object) -> list[Reply]:
    holder: list[ReplyFollower] = []
    script = Script(lambda: holder[0], steps)
    follower = ws.replies.follower(sleep=script, **kw)  # type: ignore[arg-type]
    holder.append(follower)
    return [reply async for reply in follower.replies()]


async def test_each_new_reply_is_handed_once_across_a_restart(store_env: dict[str, str]) -> None:
    world = SandboxWorld(seed=3)
    ws = _workspace(world, store_env)
    await ws.messages.sync()  # the seeded history: old replies are not "new"
    await ws.aclose()

    # sent two minutes before following ever started, still unread
    world.clicksend.add_inbound("+61412345600", "before", at=world.clock() - 120)
    ids: dict[str, str] = {}
    ws = _workspace(world, store_env)
    try:
        got = await _follow(
            ws,
            [
                lambda: ids.setdefault("first", world.add_inbound("+61412345601", "first")),
                lambda: None,  # a quiet poll
                lambda: ids.setdefault("second", world.add_inbound("+61412345602", "second")),
            ],
        )
    finally:
        await ws.aclose()
    # the backlog from before the first start is not "new": a script must not answer it
    assert [r.body for r in got] == ["first", "second"]
    assert got[0].message_id == ids["first"] and got[0].sender == "+61412345601"

    # restarted: what was handed is not handed again; what came while it was down is
    third = world.add_inbound("+61412345603", "third")
    ws = _workspace(world, store_env)
    try:
        got = await _follow(ws, [lambda: None])
    finally:
        await ws.aclose()
    assert [r.message_id for r in got] == [third]


async def test_a_reply_marked_read_elsewhere_is_still_handed(store_env: dict[str, str]) -> None:
    world = SandboxWorld(seed=3)
    ws = _workspace(world, store_env)
    try:
        got = await _follow(ws, [lambda: None])
        assert got == []
        mid = world.add_inbound("+61412345604", "hello")
        await ws.messages.sync()
        await ws.messages.mark_read([mid])  # the TUI opened the conversation
        got = await _follow(ws, [lambda: None])
        assert [r.message_id for r in got] == [mid]
    finally:
        await ws.aclose()


async def test_two_followers_of_one_consumer_never_both_hand_a_reply(
    store_env: dict[str, str],
) -> None:
    world = SandboxWorld(seed=3)
    ws = _workspace(world, store_env)
    try:
        await _follow(ws, [])
        world.add_inbound("+61412345605", "once")
        a = await _follow(ws, [])
        b = await _follow(ws, [])
        other = await _follow(ws, [], consumer="audit")  # another consumer has its own queue
        assert [r.body for r in a] == ["once"] and b == []
        assert other == []  # "audit" started after the reply was stored: not new for it
    finally:
        await ws.aclose()


async def test_stop_words_arriving_while_following_opt_the_sender_out(
    store_env: dict[str, str],
) -> None:
    world = SandboxWorld(seed=3)
    ws = _workspace(world, store_env)
    try:
        await _follow(ws, [lambda: world.add_inbound("+61412345606", "STOP")])
        assert ws.optouts.is_opted_out("+61412345606")
    finally:
        await ws.aclose()


async def test_rate_limits_and_server_errors_back_off_and_do_not_end_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = SandboxWorld(seed=3)
    ws = _workspace(world)
    errors: list[SmstuiError] = [
        RateLimitedError("slow down", retry_after=90),
        ClickSendError("Internal error", http_status=503),
        NetworkError("reset", may_have_reached_server=True),
    ]
    real_sync = ws.replies.sync

    async def flaky() -> object:
        if errors:
            raise errors.pop(0)
        return await real_sync()

    monkeypatch.setattr(ws.replies, "sync", flaky)
    seen: list[tuple[str, float]] = []
    ids: dict[str, str] = {}
    try:
        got = await _follow(
            ws,
            [
                lambda: ids.setdefault("mid", world.add_inbound("+61412345607", "still here")),
                lambda: None,
                lambda: None,
            ],
            interval=10.0,
            on_error=lambda err, delay: seen.append((type(err).__name__, delay)),
        )
    finally:
        await ws.aclose()
    # Retry-After (90 s) is honoured; then the wait doubles; a good poll resets it
    assert seen == [("RateLimitedError", 90.0), ("ClickSendError", 40.0), ("NetworkError", 80.0)]
    assert [r.message_id for r in got] == [ids["mid"]]


async def test_errors_waiting_cannot_fix_end_the_follower(monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _workspace(SandboxWorld(seed=3))

    async def refused() -> None:
        raise AuthError("token refused")

    monkeypatch.setattr(ws.replies, "sync", refused)
    try:
        with pytest.raises(AuthError):
            await _follow(ws, [])
    finally:
        await ws.aclose()


def test_backoff_is_capped_and_retry_wait_classifies_errors() -> None:
    follower = ReplyFollower(_workspace(SandboxWorld(seed=3)), interval=10, max_backoff=300)
    delays = [
        follower.next_delay(NetworkError("x", may_have_reached_server=True)) for _ in range(8)
    ]
    assert delays[:4] == [20.0, 40.0, 80.0, 160.0] and max(delays) == 300.0
    assert follower.next_delay(None) == 10.0
    assert retry_wait(ClickSendError("bad", http_status=400)) is None
    assert retry_wait(ClickSendError("down", http_status=502)) == 0.0
    with pytest.raises(UsageError):
        ReplyFollower(_workspace(SandboxWorld(seed=3)), interval=0)


# ---------------------------------------------------------------------- the command runner


def _reply(body: str = "hi; rm -rf / $(reboot) `x` 'q'") -> Reply:
    from datetime import UTC, datetime

    return Reply(
        message_id="ABC-123",
        sender="+61412345608",
        to="+61400000000",
        body=body,
        date=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


def _recorder(tmp_path: Path, exit_code: int = 0) -> str:
    script = tmp_path / "record.py"
    script.write_text(
        "import json, os, sys\n"
        "data = json.load(sys.stdin)\n"
        "out = os.path.join(sys.argv[1], data['message_id'] + '.json')\n"
        "env = {k: os.environ.get(k) for k in "
        "('SMSTUI_FROM', 'SMSTUI_MESSAGE_ID', 'MEMBRANE_TOKEN', 'KEEP_ME')}\n"
        "json.dump({'reply': data, 'argv': sys.argv[1:], 'env': env}, open(out, 'w'))\n"
        f"sys.exit({exit_code})\n"
    )
    return f"{sys.executable} {script} '{tmp_path}' 'two words'"


async def test_the_command_gets_the_reply_as_json_on_stdin_and_the_env(tmp_path: Path) -> None:
    argv = split_command(_recorder(tmp_path))
    runner = CommandRunner(argv, env={"MEMBRANE_TOKEN": "secret-token", "KEEP_ME": "yes"})
    outcome = await runner.run(_reply())
    assert outcome.ok, outcome.describe()
    seen = json.loads((tmp_path / "ABC-123.json").read_text())
    # the untrusted body arrived as data, intact, never on a command line
    assert seen["reply"]["body"] == "hi; rm -rf / $(reboot) `x` 'q'"
    assert seen["reply"]["from"] == "+61412345608"
    assert seen["argv"] == [str(tmp_path), "two words"]  # split like a shell, quotes honoured
    assert seen["env"] == {
        "SMSTUI_FROM": "+61412345608",
        "SMSTUI_MESSAGE_ID": "ABC-123",
        "MEMBRANE_TOKEN": None,  # the reply's command never gets the Membrane credential
        "KEEP_ME": "yes",
    }


async def test_a_failing_command_is_reported_not_raised(tmp_path: Path) -> None:
    runner = CommandRunner(split_command(_recorder(tmp_path, exit_code=3)))
    outcome = await runner.run(_reply("x"))
    assert not outcome.ok and outcome.returncode == 3
    assert "exited with status 3" in outcome.describe() and "ABC-123" in outcome.describe()


async def test_a_command_that_ignores_its_input_still_reports_its_status() -> None:
    outcome = await CommandRunner(["true"]).run(_reply("x" * 200_000))
    assert outcome.ok


def test_env_values_from_the_reply_are_reduced_to_safe_characters() -> None:
    reply = _reply()
    hostile = Reply(**{**{f: getattr(reply, f) for f in reply.__slots__}, "sender": "+61\n$(x)"})
    assert reply_env(hostile, {})["SMSTUI_FROM"] == "+61x"


@pytest.mark.parametrize(
    ("command", "message"),
    [("", "empty"), ("'unbalanced", "cannot read"), ("no-such-program-xyz arg", "no program")],
)
def test_bad_commands_are_refused_up_front(command: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        split_command(command)


def test_a_claim_is_won_by_one_store_and_the_queue_resumes(store_backend: StoreBackend) -> None:
    from smstui.core.models import InboundMessage

    def reply(mid: str, at: int) -> InboundMessage:
        return InboundMessage(
            message_id=mid,
            sender="+61412345606",
            to="+61400000000",
            body="hi",
            date=datetime.fromtimestamp(at, UTC),
        )

    a, b = store_backend.open("acct"), store_backend.open("acct")  # two processes
    a.upsert_inbound([reply("OLD", 900)])  # the backlog: stored before the first start
    queue_a, queue_b = a.handed_replies("cmd"), b.handed_replies("cmd")
    queue_a.start(now=1000)
    queue_b.start(now=5000)  # a later start resumes the first one's position
    b.upsert_inbound([reply("N1", 1100), reply("N2", 1200)])
    assert [m.message_id for m in queue_b.pending()] == ["N1", "N2"]
    assert queue_a.claim("n1") is True and queue_b.claim("N1") is False
    assert queue_b.was_handed("N1") and not queue_b.was_handed("N2")
    queue_b.settle()
    assert [m.message_id for m in queue_a.pending()] == ["N2"]
    assert queue_b.claim("N2") is True
    queue_a.settle()
    # restarted: nothing handed again; another consumer has its own queue
    again = store_backend.open("acct").handed_replies("cmd")
    again.start(now=9000)
    assert again.pending() == []
    audit = store_backend.open("acct").handed_replies("audit")
    audit.start(now=9000)
    assert audit.pending() == []
