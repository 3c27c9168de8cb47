"""``smstui inbox --follow [--exec]`` in a subprocess against a loopback sandbox: replies
arrive while it runs; SIGTERM / Ctrl-C end it with exit 0; a restart hands nothing twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smstui.core.sandbox import SandboxWorld, serve

ROOT = Path(__file__).resolve().parents[1]
#: how long a condition may take on a loaded 2-core machine before the test gives up
PATIENCE = 60.0

RECORDER = """\
import json, os, sys
reply = json.load(sys.stdin)
with open(sys.argv[1], "a", encoding="utf-8") as log:
    log.write(json.dumps({"id": reply["message_id"], "body": reply["body"],
                          "from": os.environ["SMSTUI_FROM"],
                          "env_id": os.environ["SMSTUI_MESSAGE_ID"]}) + "\\n")
sys.exit(int(os.environ.get("RECORDER_EXIT", "0")))
"""


def wait_for(what: str, condition: Callable[[], bool]) -> None:
    """Wait until ``condition()`` holds (checked often; fails after PATIENCE seconds)."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxWorld]:
    w = SandboxWorld(seed=17, history_size=0)
    w.reply_rate = 0.0
    with serve(w) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "loopback-token-follow")
        # the subprocess must import this worktree's smstui
        monkeypatch.setenv(
            "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        )
        yield w


class Follower:
    """One ``smstui inbox --follow`` process, its stdout and stderr in files."""

    def __init__(self, tmp: Path, name: str, *args: str, env: dict[str, str] | None = None):
        self.out = tmp / f"{name}.out"
        self.err = tmp / f"{name}.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "smstui", "--json", "inbox", "--follow", *args],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
            )

    def lines(self) -> list[dict[str, str]]:
        text = self.out.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=PATIENCE)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def _polls(world: SandboxWorld) -> int:
    return sum(1 for _, path in world.request_log if path.endswith("/sms/inbound"))


def _started(world: SandboxWorld, follower: Follower, polls_before: int) -> None:
    """The follower has polled once: it took its starting point, replies from now are new."""
    wait_for(
        "the first poll",
        lambda: _polls(world) > polls_before or follower.proc.poll() is not None,
    )
    assert follower.proc.poll() is None, follower.stderr()


def test_follow_exec_hands_each_reply_once_across_kill_and_restart(
    world: SandboxWorld, tmp_path: Path
) -> None:
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    log = tmp_path / "handed.jsonl"
    exec_cmd = f"{sys.executable} {script} {log}"
    hostile = 'hi\'; touch /tmp/pwned-smstui; echo "$(id)" `id`'

    first = Follower(tmp_path, "run1", "--interval", "0.2", "--exec", exec_cmd)
    _started(world, first, 0)
    r1 = world.add_inbound("+61412345611", "first")
    wait_for("reply 1", lambda: len(first.lines()) >= 1)
    r2 = world.add_inbound("+61412345612", hostile)
    wait_for("reply 2", lambda: len(first.lines()) >= 2)
    wait_for("both commands", lambda: log.exists() and len(log.read_text().splitlines()) >= 2)
    assert first.stop(signal.SIGTERM) == 0, first.stderr()
    assert [line["message_id"] for line in first.lines()] == [r1, r2]
    assert first.lines()[1]["body"] == hostile  # JSON on stdout: the text, intact, inert

    r3 = world.add_inbound("+61412345613", "while it was down")
    polls = _polls(world)
    second = Follower(tmp_path, "run2", "--interval", "0.2", "--exec", exec_cmd)
    _started(world, second, polls)
    wait_for("reply 3", lambda: len(second.lines()) >= 1)
    r4 = world.add_inbound("+61412345614", "after the restart")
    wait_for("reply 4", lambda: len(second.lines()) >= 2)
    wait_for("four commands", lambda: len(log.read_text().splitlines()) >= 4)
    assert second.stop(signal.SIGINT) == 0, second.stderr()  # Ctrl-C: clean too
    assert [line["message_id"] for line in second.lines()] == [r3, r4]

    handed = [json.loads(line) for line in log.read_text().splitlines()]
    assert [h["id"] for h in handed] == [r1, r2, r3, r4]  # each once, in order
    assert all(h["env_id"] == h["id"] for h in handed)
    assert handed[1] == {"id": r2, "body": hostile, "from": "+61412345612", "env_id": r2}
    assert not Path("/tmp/pwned-smstui").exists()  # the body never reached a shell
    assert "stopped following" in first.stderr() and "stopped following" in second.stderr()


def test_a_failing_command_is_reported_and_the_loop_goes_on(
    world: SandboxWorld, tmp_path: Path
) -> None:
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    log = tmp_path / "handed.jsonl"
    follower = Follower(
        tmp_path,
        "failing",
        "--interval",
        "0.2",
        "--exec",
        f"{sys.executable} {script} {log}",
        env={"RECORDER_EXIT": "3"},
    )
    _started(world, follower, 0)
    a = world.add_inbound("+61412345621", "one")
    wait_for("reply a", lambda: len(follower.lines()) >= 1)
    b = world.add_inbound("+61412345622", "two")
    wait_for("reply b", lambda: len(follower.lines()) >= 2)
    wait_for("two failures", lambda: follower.stderr().count("exited with status 3") >= 2)
    assert follower.stop() == 0
    assert [line["message_id"] for line in follower.lines()] == [a, b]
    assert f"reply {a}: the command exited with status 3" in follower.stderr()
