"""Team mode's switch and the PostgreSQL store's own guarantees: ``database_url`` picks the
store, its password never shows, a wrong or unreachable URL is one clear line (exit 3), the
schema is versioned like SQLite's, and the search fast path finds numbers and references."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from support.store_backends import PgServer, StoreBackend

from smstui.cli import main
from smstui.core.config import load_settings
from smstui.core.crash_log import scrub
from smstui.core.database_url import mask_text, mask_url
from smstui.core.errors import ConfigError, StoreError, StoreUnreachable
from smstui.core.models import HistoryMessage, OutgoingSms
from smstui.core.session import build_session
from smstui.core.store.message_store import MessageFilter, MessageStore
from smstui.core.store.postgres import PostgresStore
from smstui.core.store.postgres.schema import SCHEMA_VERSION

SECRET = "s3cr3t-Pa55"


def test_unset_means_sqlite_and_config_show_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_settings(env={}).database_url is None
    assert main(["--json", "config", "show"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["store"] == "sqlite" and shown["database_url"] is None


def test_env_url_is_used_and_shown_masked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSTUI_DATABASE_URL", f"postgresql://ana:{SECRET}@db.example:5432/team")
    assert load_settings().database_url == f"postgresql://ana:{SECRET}@db.example:5432/team"
    for argv in (["--json", "config", "show"], ["config", "show"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert SECRET not in out
        assert "postgresql://ana:********@db.example:5432/team" in out
    assert SECRET not in repr(load_settings())


def test_config_file_url(isolated_dirs: Path) -> None:
    config = isolated_dirs / "xdg_config_home" / "smstui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('database_url = "postgres://ana@db.example/team"\n')
    assert load_settings(env={}).database_url == "postgres://ana@db.example/team"


@pytest.mark.parametrize(
    "url", [f"mysql://ana:{SECRET}@h/x", f"http://ana:{SECRET}@h/x", "postgresql://h:port/x"]
)
def test_a_url_that_is_not_postgresql_is_a_clear_masked_config_error(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env={"SMSTUI_DATABASE_URL": url})
    assert SECRET not in str(caught.value) and "database_url" in str(caught.value)


def test_masking_covers_the_user_part_the_query_and_free_text() -> None:
    assert mask_url(f"postgresql://ana:{SECRET}@h:5/db") == "postgresql://ana:********@h:5/db"
    assert SECRET not in mask_url(f"postgresql://h/db?user=ana&password={SECRET}&sslmode=require")
    assert "sslmode=require" in mask_url(f"postgresql://h/db?password={SECRET}&sslmode=require")
    assert mask_url("postgresql://ana@h/db") == "postgresql://ana@h/db"  # nothing to hide
    said = f"connection to postgresql://ana:{SECRET}@h/db failed"
    assert SECRET not in mask_text(said) and "ana:********@h" in mask_text(said)
    assert SECRET not in scrub(said)  # crash logs


def test_unreachable_database_is_one_line_and_exit_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql://ana:{SECRET}@127.0.0.1:1/team"  # nothing listens on port 1
    monkeypatch.setenv("SMSTUI_DATABASE_URL", url)
    code = main(["--sandbox", "history", "--no-sync"])
    err = capsys.readouterr().err
    assert code == 3
    assert SECRET not in err and "Traceback" not in err
    assert "Cannot use the team database postgresql://ana:********@127.0.0.1:1/team" in err
    with pytest.raises(StoreUnreachable):
        PostgresStore(url)


def test_session_opens_the_postgresql_store_and_a_send_lands_in_it(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pg_server.admin("CREATE DATABASE session_switch")
    url = pg_server.url("session_switch")
    try:
        session = build_session(load_settings(env={"SMSTUI_DATABASE_URL": url}, flags={}))
        store = session.store()
        assert isinstance(store, PostgresStore) and store.backend == "postgresql"
        store.close()
        monkeypatch.setenv("SMSTUI_DATABASE_URL", url)
        code = main(["--sandbox", "--json", "send", "--to", "+61411111111", "--body", "team"])
        assert code == 0, capsys.readouterr().err
        with PostgresStore(url, account="sandbox") as shared:
            [row] = shared.outbox_table().all()
            assert row.state == "accepted" and row.body == "team"
            assert shared.get(str(row.message_id)) is not None
    finally:
        pg_server.admin("DROP DATABASE session_switch WITH (FORCE)")


def test_postgresql_schema_is_versioned_and_a_newer_one_is_refused(pg_server: PgServer) -> None:
    pg_server.admin("CREATE DATABASE versioned")
    url = pg_server.url("versioned")
    try:
        PostgresStore(url).close()
        PostgresStore(url).close()  # migrating again changes nothing
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SELECT version FROM smstui_schema").fetchall() == [
                (SCHEMA_VERSION,)
            ]
            conn.execute("UPDATE smstui_schema SET version = %s", (SCHEMA_VERSION + 1,))
        with pytest.raises(StoreError) as caught:
            PostgresStore(url)
        assert caught.value.problem == "newer"
    finally:
        pg_server.admin("DROP DATABASE versioned WITH (FORCE)")


def _msg(i: int, **kw: object) -> HistoryMessage:
    fields: dict[str, object] = {
        "message_id": f"REF{i:08d}",
        "direction": "out",
        "to": f"+614111{i:05d}",
        "sender": "+61400000000",
        "body": f"body {i}",
        "status": "Sent",
        "date": datetime.fromtimestamp(1_700_000_000 + i, UTC),
    }
    fields.update(kw)
    return HistoryMessage(**fields)  # type: ignore[arg-type]


def test_search_finds_number_and_reference_prefixes(store_backend: StoreBackend) -> None:
    store = store_backend.open()
    store.upsert_history([_msg(1), _msg(2), _msg(42, body="tracking ref ab-12 ok")])

    def found(text: str) -> list[str]:
        return [r.message_id for r in store.page(filters=MessageFilter(text=text)).rows]

    assert found("+6141110004") == ["REF00000042"]  # a number as typed, with its '+'
    assert found("614111000") == ["REF00000042", "REF00000002", "REF00000001"]
    assert found("tracking ab") == ["REF00000042"]
    if store_backend.name == "postgresql":
        assert found("ref000000") == ["REF00000042", "REF00000002", "REF00000001"]
    assert found("'; DROP TABLE messages; --") == []
    assert store.count() == 3


def test_sqlite_store_describes_its_file(tmp_path: Path) -> None:
    with MessageStore(tmp_path / "x.db") as store:
        assert store.backend == "sqlite" and str(tmp_path / "x.db") in store.describe()


def test_operator_defaults_to_user_at_host_and_can_be_named(isolated_dirs: Path) -> None:
    import getpass
    import socket

    assert load_settings(env={}).operator_name == f"{getpass.getuser()}@{socket.gethostname()}"
    assert load_settings(env={"SMSTUI_OPERATOR": "Ana"}).operator_name == "Ana"
    config = isolated_dirs / "xdg_config_home" / "smstui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('operator = "Front desk"\n')
    assert load_settings(env={}).operator_name == "Front desk"
    assert load_settings(env={}).masked()["operator"] == "Front desk"


def test_connections_dropped_by_the_server_are_replaced(pg_url: str) -> None:
    """A PostgreSQL restart (or a failover) ends every connection: the pool checks a
    connection before lending it and opens a new one, so the next call just works."""
    with PostgresStore(pg_url, account="a", operator="Ana") as store:
        store.upsert_history([_msg(1)])
        [row] = store.outbox_table().add(
            [("smstui-restart-0001", OutgoingSms(to="+61411111111", body="x"))], now=1
        )
        with psycopg.connect(pg_url, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'smstui Ana'"
            ).fetchall()
        assert ended and all(r[0] for r in ended)
        assert store.count() == 1  # on a new connection
        again = store.outbox_table().get(row.id)
        assert again is not None and again.state == "pending" and again.attempts == 1


def test_drafts_are_each_operators_own(pg_url: str, tmp_path: Path) -> None:
    from smstui.core.store.postgres.move_in import move_in

    with MessageStore(tmp_path / "ana.db") as mine:
        mine.save_draft("compose", "Ana's half-written reply")
    move_in(tmp_path / "ana.db", pg_url, operator="Ana")
    with (
        PostgresStore(pg_url, operator="Ana") as ana,
        PostgresStore(pg_url, operator="Ben") as ben,
    ):
        assert ana.load_draft("compose") == "Ana's half-written reply"
        assert ben.load_draft("compose") is None  # Ben's compose box starts empty
        ben.save_draft("compose", "Ben typing at the same time")
        ana.save_draft("compose", "Ana, edited")
        assert ben.load_draft("compose") == "Ben typing at the same time"
        ben.clear_draft("compose")
        assert ana.load_draft("compose") == "Ana, edited"


def test_without_the_team_extra_a_database_url_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "smstui.core.store.postgres", None)  # psycopg missing
    monkeypatch.setenv("SMSTUI_DATABASE_URL", f"postgresql://ana:{SECRET}@db.example/team")
    assert main(["--sandbox", "history", "--no-sync"]) == 2
    assert main(["team", "status"]) == 2
    err = capsys.readouterr().err
    assert err.count("pip install 'smstui[team]'") == 2
    assert SECRET not in err and "Traceback" not in err
