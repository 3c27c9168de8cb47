"""`smstui request` parses its -d/--query/-H arguments with the console's helpers."""

from __future__ import annotations

import json

import pytest

from smstui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--sandbox", "--json", *argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_request_with_query_and_header_reaches_clicksend(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys,
        "request",
        "/v3/sms/history",
        "--query",
        "limit=20",
        "-H",
        "Accept: application/json",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["status"] == 200 and doc["body"]["data"]["per_page"] == 20


def test_request_data_json_text_is_sent_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    body = '{"template_name": "From CLI", "body": "Hello"}'
    code, out, _ = run(capsys, "request", "/v3/sms/templates", "-X", "POST", "-d", body)
    assert code == 0
    assert json.loads(out)["body"]["data"]["template_name"] == "From CLI"


def test_request_with_a_malformed_query_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "request", "/v3/account", "--query", "limit20")
    assert code == 2
    assert "must look like KEY=VALUE" in json.loads(out)["message"]
