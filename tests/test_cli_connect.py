"""`smstui connect`, `connections`, `actions`, `request` against the sandbox, in-process
(``main(..., world=...)``) and over a loopback server (``MEMBRANE_API_URL``)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from smstui.cli import main
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld, serve

RESOLUTION_PATHS = ("/connections", "/search", "/connection-requests")
SANDBOX_LINE = "sandbox: nothing left this machine\n"


@dataclass
class Cli:
    world: SandboxWorld
    mode: str
    capsys: pytest.CaptureFixture[str]

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        if self.mode == "in-process":
            code = main(["--sandbox", *argv], world=self.world)
        else:
            code = main(list(argv))
        cap = self.capsys.readouterr()
        err = cap.err
        if self.mode == "in-process":  # the sandbox says so on every run; the rest is the same
            assert err.startswith(SANDBOX_LINE)
            err = err.removeprefix(SANDBOX_LINE)
        return code, cap.out, err

    def json(self, *argv: str) -> tuple[int, object]:
        code, out, _ = self("--json", *argv)
        doc = json.loads(out)
        if self.mode == "in-process":
            items = doc if isinstance(doc, list) else [doc]
            assert all(item.pop("sandbox") is True for item in items)
        return code, doc


@pytest.fixture(params=["in-process", "loopback"])
def cli(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Cli]:
    world = SandboxWorld(seed=5)
    if request.param == "in-process":
        yield Cli(world, "in-process", capsys)
        return
    with serve(world) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "loopback-token-123")
        yield Cli(world, "loopback", capsys)


def count(world: SandboxWorld, method: str, path: str) -> int:
    with world.lock:
        return world.request_log.count((method, path))


def resolution_calls(world: SandboxWorld) -> list[tuple[str, str]]:
    with world.lock:
        return [
            (m, p)
            for m, p in world.request_log
            if p.startswith(RESOLUTION_PATHS) and "/proxy/" not in p
        ]


def after_polls(
    world: SandboxWorld, path: str, polls: int, act: Callable[[], None]
) -> threading.Thread:
    """Do ``act`` (the user finishing in the browser) once ``path`` was polled ``polls`` times."""

    def watch() -> None:
        while count(world, "GET", path) < polls:
            threading.Event().wait(0.005)
        act()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


FAST = ("--poll", "0.01", "--timeout", "30")


# ------------------------------------------------------------------ connect, by state


def test_connect_ready_uses_it_and_remembers_it(cli: Cli) -> None:
    code, doc = cli.json("connect", *FAST)
    assert code == 0
    assert isinstance(doc, dict)
    assert (doc["id"], doc["state"], doc["usable"]) == (DEFAULT_CONNECTION_ID, "READY", True)
    cli.world.request_log.clear()
    code, out, _ = cli("connect", *FAST)
    assert code == 0 and out == f"connected: {DEFAULT_CONNECTION_ID} (READY)\n"
    # remembered: only the check of its state, no ensure or search
    assert resolution_calls(cli.world) == [("GET", f"/connections/{DEFAULT_CONNECTION_ID}")]


def test_connect_building_shows_a_wait_then_ready(cli: Cli) -> None:
    cli.world.remove_connection(DEFAULT_CONNECTION_ID)
    cli.world.ensure_initial_state = "BUILDING"
    code, out, err = cli("--json", "connect", *FAST)
    assert code == 0
    assert "setting up the ClickSend connection" in err
    doc = json.loads(out)
    assert doc["state"] == "READY" and doc["id"] in cli.world.connections
    assert count(cli.world, "GET", f"/connections/{doc['id']}") >= 1


def test_connect_client_action_required_prints_description_and_url_then_polls(cli: Cli) -> None:
    world = cli.world
    world.set_connection_state(DEFAULT_CONNECTION_ID, "CLIENT_ACTION_REQUIRED")
    path = f"/connections/{DEFAULT_CONNECTION_ID}"
    watcher = after_polls(
        world, path, 2, lambda: world.set_connection_state(DEFAULT_CONNECTION_ID, "READY")
    )
    code, out, err = cli("connect", *FAST)
    watcher.join(timeout=5)
    assert code == 0, err
    assert "ClickSend rejected the saved API key. Reconnect to continue." in err
    assert f"{world.ui_base}/connections/{DEFAULT_CONNECTION_ID}/reconnect" in err
    assert err.count("open this URL") == 1  # shown once, not on every poll
    assert count(world, "GET", path) >= 2
    assert out == f"connected: {DEFAULT_CONNECTION_ID} (READY)\n"


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("CONFIGURATION_ERROR", "The connector configuration is invalid."),
        ("SETUP_FAILED", "Could not verify the ClickSend credentials."),
    ],
)
def test_connect_failed_state_shows_error_and_reconnects_the_same_connection(
    cli: Cli, state: str, message: str
) -> None:
    world = cli.world
    world.set_connection_state(DEFAULT_CONNECTION_ID, state)
    code, out, err = cli("--json", "connect", "--reconnect", *FAST)
    assert code == 0, err
    assert state in err and message in err
    assert "connectionRequestId=" in err  # the reconnect URL to open
    assert json.loads(out)["id"] == DEFAULT_CONNECTION_ID
    assert list(world.connections) == [DEFAULT_CONNECTION_ID]  # repaired, not duplicated
    assert world.connections[DEFAULT_CONNECTION_ID].state == "READY"
    request = next(r for r in world.connection_requests.values())
    assert request.connection_id == DEFAULT_CONNECTION_ID


def test_connect_failed_state_without_a_terminal_says_how_to_reconnect(cli: Cli) -> None:
    cli.world.set_connection_state(DEFAULT_CONNECTION_ID, "SETUP_FAILED")
    code, out, err = cli("connect", *FAST)
    assert code == 3 and out == ""
    assert "Could not verify the ClickSend credentials." in err
    assert "smstui connect --reconnect" in err
    assert cli.world.connection_requests == {}
    assert cli.world.connections[DEFAULT_CONNECTION_ID].state == "SETUP_FAILED"


def test_connect_failed_state_json_error_is_an_object(cli: Cli) -> None:
    cli.world.set_connection_state(DEFAULT_CONNECTION_ID, "CONFIGURATION_ERROR")
    code, out, _ = cli("--json", "connect", *FAST)
    assert code == 3
    doc = json.loads(out)
    assert doc["error"] == "connection" and "CONFIGURATION_ERROR" in doc["message"]


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 3)])
def test_connect_failed_state_asks_on_a_terminal(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, answer: str, code: int
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal(answer))
    cli.world.set_connection_state(DEFAULT_CONNECTION_ID, "CONFIGURATION_ERROR")
    got, out, err = cli("connect", *FAST)
    assert got == code
    assert "Reconnect this same connection now? [Y/n]" in err
    assert "Reconnect" not in out  # the question never pollutes stdout
    expected = "READY" if code == 0 else "CONFIGURATION_ERROR"
    assert cli.world.connections[DEFAULT_CONNECTION_ID].state == expected


def test_connect_without_ensure_searches_and_polls_a_connection_request(cli: Cli) -> None:
    world = cli.world
    world.ensure_supported = False
    world.remove_connection(DEFAULT_CONNECTION_ID)
    world.request_polls_to_finish = 2
    code, out, err = cli("--json", "connect", *FAST)
    assert code == 0, err
    (request,) = world.connection_requests.values()
    assert f"connectionRequestId={request.request_id}" in err
    assert request.polls == 2
    doc = json.loads(out)
    assert doc["id"] == request.result_connection_id and doc["usable"] is True
    paths = [p for _, p in resolution_calls(world)]
    assert paths[:4] == ["/connections/ensure", "/search", "/connections", "/connection-requests"]


def test_connect_request_rejected_is_exit_3_with_the_reason(cli: Cli) -> None:
    world = cli.world
    world.ensure_supported = False
    world.remove_connection(DEFAULT_CONNECTION_ID)
    world.request_outcome = "error"
    code, out, err = cli("connect", *FAST)
    assert code == 3 and out == ""
    assert "ClickSend rejected the API key you entered." in err


def test_connect_finds_a_new_connection_when_the_remembered_one_is_gone(cli: Cli) -> None:
    assert cli("connect", *FAST)[0] == 0
    cli.world.remove_connection(DEFAULT_CONNECTION_ID)
    replacement = cli.world.add_connection("READY")
    code, out, err = cli("--json", "connect", *FAST)
    assert code == 0
    assert "no longer exists" in err
    assert json.loads(out)["id"] == replacement


def test_connect_bad_poll_is_a_usage_error(cli: Cli) -> None:
    code, _, err = cli("connect", "--poll", "0")
    assert code == 2 and "--poll" in err


# ------------------------------------------------------------------ connections


def test_connections_list_shows_every_state(cli: Cli) -> None:
    building = cli.world.add_connection("BUILDING")
    code, doc = cli.json("connections", "list")
    assert code == 0 and isinstance(doc, list)
    states = {c["id"]: (c["state"], c["usable"]) for c in doc}
    assert states == {DEFAULT_CONNECTION_ID: ("READY", True), building: ("BUILDING", False)}


def test_connections_list_table(cli: Cli) -> None:
    code, out, _ = cli("connections", "list")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["ID", "NAME", "STATE", "USABLE"]
    assert row.split()[0] == DEFAULT_CONNECTION_ID and row.split()[-2:] == ["READY", "yes"]


def test_connections_use_makes_later_commands_go_through_it(cli: Cli) -> None:
    other = cli.world.add_connection("READY")
    code, doc = cli.json("connections", "use", other)
    assert code == 0 and isinstance(doc, dict) and doc["id"] == other
    cli.world.request_log.clear()
    assert cli("account")[0] == 0
    assert resolution_calls(cli.world) == []
    assert count(cli.world, "GET", f"/connections/{other}/proxy/v3/account") == 1


def test_connections_use_unknown_id_is_not_found(cli: Cli) -> None:
    code, out, err = cli("connections", "use", "conn_nope")
    assert code == 4 and out == ""
    assert err.startswith("smstui: error:") and err.count("\n") == 1


def test_connections_forget_makes_the_next_command_resolve_again(cli: Cli) -> None:
    assert cli("account")[0] == 0
    code, doc = cli.json("connections", "forget")
    assert code == 0 and doc == {"forgotten": True}
    cli.world.request_log.clear()
    assert cli("account")[0] == 0
    assert resolution_calls(cli.world) == [("POST", "/connections/ensure")]


# ------------------------------------------------------------------ actions


def test_actions_list_ranks_by_intent(cli: Cli) -> None:
    code, doc = cli.json("actions", "list", "--intent", "delivery receipts")
    assert code == 0 and isinstance(doc, list)
    assert doc[0]["key"] == "get-delivery-receipts"
    assert doc[0]["input_schema"]["type"] == "object"


def test_actions_list_table_has_every_action(cli: Cli) -> None:
    code, out, _ = cli("actions", "list")
    assert code == 0
    keys = [line.split()[0] for line in out.splitlines()[1:]]
    assert "send-sms" in keys and "list-sms-templates" in keys and len(keys) == 10


def test_actions_run_returns_the_output(cli: Cli) -> None:
    code, doc = cli.json(
        "actions", "run", "create-sms-template", "--input", '{"template_name": "T1", "body": "B1"}'
    )
    assert code == 0 and isinstance(doc, dict)
    assert doc["action_run_id"]
    assert doc["output"]["template_name"] == "T1"
    assert [t.name for t in cli.world.clicksend.templates.values()].count("T1") == 1


def test_actions_run_with_invalid_json_is_a_usage_error(cli: Cli) -> None:
    code, out, err = cli("actions", "run", "send-sms", "--input", "{to:")
    assert code == 2 and out == ""
    assert "--input is not valid JSON" in err
    assert cli.world.clicksend.received == []


def test_actions_run_input_not_an_object_is_a_usage_error(cli: Cli) -> None:
    code, _, err = cli("actions", "run", "send-sms", "--input", "[1]")
    assert code == 2 and "--input must be a JSON object" in err


def test_actions_run_input_failing_the_schema_says_why(cli: Cli) -> None:
    code, out, _ = cli("--json", "actions", "run", "send-sms", "--input", '{"messages": []}')
    assert code == 1
    doc = json.loads(out)
    assert "Invalid input for action 'send-sms'" in doc["message"]
    assert cli.world.clicksend.received == []


# ------------------------------------------------------------------ request


@pytest.mark.parametrize("key", ["data", "body"])
def test_request_shows_the_body_under_either_key(cli: Cli, key: str) -> None:
    cli.world.structured_body_key = key
    code, doc = cli.json("request", "/v3/account")
    assert code == 0 and isinstance(doc, dict)
    assert doc["status"] == 200
    assert doc["body"]["data"]["username"] == cli.world.clicksend.user["username"]


def test_request_answer_without_data_or_body_is_shown_whole(cli: Cli) -> None:
    cli.world.structured_body_key = "response"  # an answer shape we did not expect
    code, out, err = cli("request", "/v3/account")
    assert code == 0
    assert "neither 'data' nor 'body'" in err
    assert out.startswith("status: 200\n")
    shown = json.loads(out.split("\n", 1)[1])
    assert shown["status"] == 200
    assert shown["response"]["data"]["username"] == cli.world.clicksend.user["username"]


def test_request_answer_that_is_clicksend_itself_shows_its_data(cli: Cli) -> None:
    cli.world.structured_body_key = None  # Membrane passing ClickSend's envelope through
    code, out, _ = cli("request", "/v3/account")
    assert code == 0
    assert out.startswith("status: unknown\n")
    shown = json.loads(out.split("\n", 1)[1])
    assert shown["username"] == cli.world.clicksend.user["username"]


def test_request_post_json_body_then_path_param_delete(cli: Cli) -> None:
    code, doc = cli.json(
        "request",
        "/v3/sms/templates",
        "-X",
        "post",
        "--json-body",
        '{"template_name": "Raw", "body": "made raw"}',
        "-H",
        "Accept: application/json",
    )
    assert code == 0 and isinstance(doc, dict)
    template_id = str(doc["body"]["data"]["template_id"])
    assert any(t.body == "made raw" for t in cli.world.clicksend.templates.values())
    code, doc = cli.json(
        "request", "/v3/sms/templates/{id}", "-X", "DELETE", "--path-param", f"id={template_id}"
    )
    assert code == 0
    assert all(t.body != "made raw" for t in cli.world.clicksend.templates.values())


def test_request_query_reaches_clicksend(cli: Cli) -> None:
    code, doc = cli.json("request", "/v3/sms/history", "--query", "limit=15", "--query", "page=2")
    assert code == 0 and isinstance(doc, dict)
    assert doc["body"]["data"]["per_page"] == 15
    assert doc["body"]["data"]["current_page"] == 2


def test_request_data_is_parsed_as_json_unless_raw(cli: Cli) -> None:
    body = '{"template_name": "D", "body": "from -d"}'
    code, doc = cli.json("request", "/v3/sms/templates", "-X", "POST", "-d", body)
    assert code == 0 and isinstance(doc, dict)
    assert doc["body"]["data"]["body"] == "from -d"
    # sent as a plain string, ClickSend cannot read the fields: it answers 400
    code, doc = cli.json("request", "/v3/sms/templates", "-X", "POST", "-d", body, "--raw-data")
    assert code == 1 and isinstance(doc, dict)
    assert doc["status"] == 400


def test_request_not_found_path_is_exit_4(cli: Cli) -> None:
    code, out, _ = cli("request", "/v3/no/such/endpoint")
    assert code == 4 and out.startswith("status: 404\n")


def test_request_bad_header_is_a_usage_error(cli: Cli) -> None:
    code, _, err = cli("request", "/v3/account", "-H", "no-colon-here")
    assert code == 2 and "must look like KEY:VALUE" in err


def test_sandbox_never_touches_the_real_workspace_cache_entry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from smstui.core.config import load_settings
    from smstui.core.membrane.connection_cache import ConnectionCache
    from smstui.core.session import SANDBOX_API_URL, SANDBOX_IDENTITY

    monkeypatch.setenv("MEMBRANE_TOKEN", "real-workspace-token-1")
    real = load_settings()
    cache = ConnectionCache()
    cache.put(real.api_url, real.identity(), "conn_real_one")
    world = SandboxWorld()
    assert main(["--sandbox", "connections", "forget"], world=world) == 0
    assert main(["--sandbox", "connect", *FAST], world=world) == 0
    capsys.readouterr()
    assert cache.get(real.api_url, real.identity()).connection_id == "conn_real_one"  # type: ignore[union-attr]
    sandbox_entry = cache.get(SANDBOX_API_URL, SANDBOX_IDENTITY)
    assert sandbox_entry is not None and sandbox_entry.connection_id == DEFAULT_CONNECTION_ID
