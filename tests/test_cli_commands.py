"""Commands run in-process against the --sandbox world (fresh per call of main)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from smstui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--sandbox", *argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_send_json_reports_each_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--json", "send", "--to", "+61 412 345 678", "--to", "0498765432", "--body", "Hello"
    )
    assert code == 0
    doc = json.loads(out)
    assert [m["to"] for m in doc["messages"]] == ["+61412345678", "+61498765432"]
    assert all(m["status"] in ("SUCCESS", "QUEUED") and m["message_id"] for m in doc["messages"])
    assert doc["currency"] == "AUD"
    assert float(doc["total_price"]) == pytest.approx(
        sum(float(m["price"]) for m in doc["messages"])
    )


def test_send_then_history_shows_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "send", "--to", "0412345678", "--body", "find-me-later")[0] == 0
    code, out, _ = run(capsys, "--json", "history", "--search", "find-me-later", "--no-sync")
    assert code == 0
    rows = json.loads(out)
    assert [r["body"] for r in rows] == ["find-me-later"]
    assert rows[0]["date"].endswith("Z")
    assert set(rows[0]) == {
        "message_id",
        "direction",
        "to",
        "from",
        "body",
        "status",
        "date",
        "parts",
        "price",
        "sent_by",
        "sandbox",
    }


def test_body_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("piped text\n"))
    code, out, _ = run(capsys, "--json", "price", "--to", "0412345678", "--body", "-")
    assert code == 0
    assert json.loads(out)["messages"][0]["parts"] >= 1


def test_price_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json", "price", "--to", "0412345678", "--body", "x" * 200)
    assert code == 0
    doc = json.loads(out)
    assert doc["messages"][0]["parts"] == 2
    assert set(doc) == {"messages", "total_price", "currency", "sandbox"}


def test_invalid_number_is_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "send", "--to", "12", "--body", "hi")
    assert code == 2 and out == ""
    assert err == f"sandbox: nothing left this machine\n{err.splitlines()[1]}\n"
    assert "invalid recipient" in err


def test_escape_sequences_in_output_are_neutralised(capsys: pytest.CaptureFixture[str]) -> None:
    evil = "hi \x1b]52;c;ZXZpbA==\x07 there \u202e"
    assert run(capsys, "send", "--to", "0412345678", "--body", evil)[0] == 0
    code, out, _ = run(capsys, "history", "--no-sync", "--search", "there")
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b" in out
    code, out, _ = run(capsys, "--json", "history", "--no-sync", "--search", "there")
    assert json.loads(out)[0]["body"] == evil  # JSON keeps the data exactly
    assert "\x1b" not in out and "\u202e" not in out


def test_template_lifecycle_and_send_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--json", "templates", "create", "--name", "Promo", "--body", "Sale!"
    )
    assert code == 0 and json.loads(out)["name"] == "Promo"
    # each --sandbox process has a fresh world, so the template is not there any more
    code, _, err = run(capsys, "send", "--to", "0412345678", "--template", "Promo")
    assert code == 4 and "no template" in err


def test_account_never_shows_the_api_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json", "account")
    assert code == 0
    doc = json.loads(out)
    assert "balance" in doc and "api_key" not in out


def test_export_csv_is_formula_safe(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "send", "--to", "0412345678", "--body", "=HYPERLINK(1)")[0] == 0
    target = tmp_path / "out.csv"
    code, _, err = run(capsys, "export", "--csv", str(target), "--no-sync", "--search", "HYPERLINK")
    assert code == 0 and "exported 1" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig", newline="")))
    assert rows[0]["body"] == "'=HYPERLINK(1)"
    assert rows[0]["to"] == "+61412345678"


def test_config_show_masks_secrets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMBRANE_TOKEN", "tok-very-secret-1234")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "tok-very-secret-1234" not in out and "token" in out


def test_config_locate_json(capsys: pytest.CaptureFixture[str], isolated_dirs: Path) -> None:
    assert main(["--json", "config", "locate"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["data_dir"].startswith(str(isolated_dirs))
