"""``smstui store check`` and ``store repair`` on the team store: reachable, the schema
version against this build's, the statistics rollup against the messages, open sends in the
outbox; repair rebuilds the rollup and says plainly that it salvages no files there."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest
from support.tcp_gate import free_port

from smstui.cli import main
from smstui.core.models import HistoryMessage, OutgoingSms
from smstui.core.store.postgres import PostgresStore
from smstui.core.store.postgres.schema import SCHEMA_VERSION

SECRET = "NEVER_PRINTED_pw"


def _msg(i: int, direction: str = "out") -> HistoryMessage:
    return HistoryMessage(
        f"CHECK{i}", direction, "+61411111111", "+61400000000", "hi", "Delivered",  # type: ignore[arg-type]
        datetime.fromtimestamp(1_700_000_000 + i * 3600, UTC), parts=1,
    )  # fmt: skip


def _run(
    args: list[str], url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setenv("SMSTUI_DATABASE_URL", url)
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_reports_schema_rollup_and_open_sends(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with PostgresStore(pg_url, account="a", operator="Ana") as store:
        store.upsert_history([_msg(1), _msg(2), _msg(3, "in")])
        store.outbox_table().add([("smstui-check-0001", OutgoingSms("+61411111111", "x"))], now=1)
    code, out, err = _run(["store", "check"], pg_url, monkeypatch, capsys)
    assert code == 0, err
    assert "PostgreSQL" in out and f"{SCHEMA_VERSION} (this smstui: {SCHEMA_VERSION})" in out
    assert "messages 3" in out and "agrees with the messages" in out
    assert "pending 1" in out
    assert "the team store is fine" in err
    code, out, _ = _run(["--json", "store", "check"], pg_url, monkeypatch, capsys)
    doc = json.loads(out)
    assert code == 0 and doc["usable"] and doc["reachable"] and doc["state"] == "ok"
    assert doc["schema_version"] == doc["expected_version"] == SCHEMA_VERSION
    assert doc["rollup"]["agrees"] and doc["rollup"]["messages"] == doc["rollup"]["rollup"]
    assert doc["rollup"]["messages"]["sent"] == 2 and doc["rollup"]["messages"]["inbound"] == 1
    assert doc["open_sends"] == {"pending": 1}


def test_a_wrong_rollup_is_found_and_repair_rebuilds_it(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with PostgresStore(pg_url, account="a") as store:
        store.upsert_history([_msg(1), _msg(2)])
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("UPDATE stats_slots SET sent = sent + 5")
    code, out, err = _run(["store", "check"], pg_url, monkeypatch, capsys)
    assert code == 0  # usable: the statistics are off, not the messages
    assert "disagree with the messages" in out and "smstui store repair" in err
    code, out, err = _run(["store", "repair"], pg_url, monkeypatch, capsys)
    assert code == 0
    assert "rebuilt from the messages (2 slot(s) were wrong)" in out
    assert "no file to salvage" in err and "backups" in err
    code, out, _ = _run(["--json", "store", "check"], pg_url, monkeypatch, capsys)
    doc = json.loads(out)
    assert doc["rollup"]["agrees"] and doc["problems"] == []


def test_an_empty_database_is_not_a_problem(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["store", "check"], pg_url, monkeypatch, capsys)
    assert code == 0 and "empty" in out and "creates them" in err
    with psycopg.connect(pg_url) as conn:  # the check created nothing
        assert conn.execute("SELECT to_regclass('smstui_schema')").fetchone() == (None,)


def test_a_newer_schema_is_refused(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    PostgresStore(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("UPDATE smstui_schema SET version = version + 1")
    code, out, err = _run(["store", "check"], pg_url, monkeypatch, capsys)
    assert code == 7 and "newer" in out and "upgrade smstui" in err


def test_an_unreachable_database_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://ana:{SECRET}@127.0.0.1:{free_port()}/team"
    code, out, err = _run(["store", "check"], url, monkeypatch, capsys)
    assert code == 3 and "unreachable" in out and "127.0.0.1" in err
    assert SECRET not in out + err and "Traceback" not in err
    code, out, err = _run(["store", "repair"], url, monkeypatch, capsys)
    assert code == 3 and "127.0.0.1" in err
    assert SECRET not in out + err and "Traceback" not in err
