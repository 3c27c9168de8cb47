"""RequestHistory: the console's remembered requests (bounded, private, never a credential)."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

from smstui.core.config import data_dir
from smstui.core.explorer.request_console import HISTORY_FILE, MASK, RequestHistory, RequestSpec

AT = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)


def test_a_request_is_remembered_with_its_status() -> None:
    history = RequestHistory()
    spec = RequestSpec("GET", "/v3/sms/history", query={"limit": "20"})
    history.add(spec, 200, at=AT)
    [entry] = history.entries()
    assert (entry.spec, entry.status, entry.at) == (spec, 200, AT)


def test_history_lives_in_the_user_data_dir() -> None:
    RequestHistory().add(RequestSpec("GET", "/v3/account"), 200, at=AT)
    assert (data_dir() / HISTORY_FILE).exists()


def test_history_file_is_private() -> None:
    history = RequestHistory()
    history.add(RequestSpec("GET", "/v3/account"), 200, at=AT)
    assert stat.S_IMODE(history.path.stat().st_mode) == 0o600


def test_history_keeps_the_last_200_oldest_first(tmp_path: Path) -> None:
    history = RequestHistory(tmp_path / "h.jsonl")
    for n in range(260):
        history.add(RequestSpec("GET", f"/v3/sms/templates/{n}"), 200, at=AT)
    entries = history.entries()
    assert len(entries) == 200
    assert entries[0].spec.path == "/v3/sms/templates/60"
    assert entries[-1].spec.path == "/v3/sms/templates/259"


def test_history_file_never_grows_past_a_quarter_over_the_limit(tmp_path: Path) -> None:
    history = RequestHistory(tmp_path / "h.jsonl", limit=8)
    for n in range(40):
        history.add(RequestSpec("GET", f"/v3/x/{n}"), 200, at=AT)
    assert len(history.path.read_text().splitlines()) <= 10


def test_authorization_and_credential_headers_are_not_stored() -> None:
    history = RequestHistory()
    spec = RequestSpec(
        "GET",
        "/v3/account",
        headers={
            "Authorization": "Basic dXNlcjprZXk=",
            "X-Api-Key": "k-123456",
            "Cookie": "s=abcdef",
            "Accept": "application/json",
        },
    )
    history.add(spec, 200, at=AT)
    text = history.path.read_text()
    assert "dXNlcjprZXk=" not in text and "k-123456" not in text and "abcdef" not in text
    assert history.entries()[0].spec.headers == {"Accept": "application/json"}


def test_credential_query_parameters_are_not_stored() -> None:
    history = RequestHistory()
    history.add(RequestSpec("GET", "/v3/x", query={"api_key": "zz-9999", "page": "2"}), 200, at=AT)
    assert "zz-9999" not in history.path.read_text()
    assert history.entries()[0].spec.query == {"page": "2"}


def test_credential_fields_of_a_json_body_are_masked() -> None:
    history = RequestHistory()
    body = '{"username": "u", "password": "hunter22"}'
    history.add(RequestSpec("POST", "/v3/subaccounts", body_text=body), 200, at=AT)
    assert "hunter22" not in history.path.read_text()
    assert MASK in history.entries()[0].spec.body_text


def test_known_secret_values_are_scrubbed_wherever_they_appear() -> None:
    history = RequestHistory(secrets=["tok-very-secret"])
    spec = RequestSpec("GET", "/v3/x", headers={"X-Trace": "tok-very-secret"})
    history.add(spec, 200, at=AT)
    assert "tok-very-secret" not in history.path.read_text()


def test_damaged_lines_are_skipped(tmp_path: Path) -> None:
    history = RequestHistory(tmp_path / "h.jsonl")
    history.add(RequestSpec("GET", "/v3/a"), 200, at=AT)
    with history.path.open("a") as f:
        f.write("{not json\n")
    history.add(RequestSpec("GET", "/v3/b"), 404, at=AT)
    assert [(e.spec.path, e.status) for e in history.entries()] == [("/v3/a", 200), ("/v3/b", 404)]


def test_an_absent_history_is_empty(tmp_path: Path) -> None:
    assert RequestHistory(tmp_path / "none.jsonl").entries() == []
