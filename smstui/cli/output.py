"""Everything the CLI prints: human tables, ``--json`` documents, one-line errors."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TextIO

from smstui.core.errors import (
    AuthError,
    ConnectionUnusable,
    NetworkError,
    NotFoundError,
    SendOutcomeUnknown,
    SmstuiError,
    StoreError,
    UsageError,
    ValidationError,
)
from smstui.core.safe_text import printable
from smstui.core.when import iso_utc

# json.dumps(ensure_ascii=False) leaves C1 controls, bidi controls and line separators raw;
# inside a JSON string they may be written as \uXXXX, which keeps the data and the terminal safe.
_JSON_UNSAFE = re.compile("[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

#: widest a table column may be before it is cut with an ellipsis
MAX_CELL = 48


def error_kind(err: BaseException) -> str:
    """A stable machine name for the kind of error (the ``error`` key of ``--json`` errors)."""
    kinds: list[tuple[type[BaseException], str]] = [
        (ValidationError, "validation"),
        (UsageError, "usage"),
        (ConnectionUnusable, "connection"),
        (AuthError, "auth"),
        (NotFoundError, "not_found"),
        (SendOutcomeUnknown, "unknown_outcome"),
        (NetworkError, "network"),
        (StoreError, "store"),
    ]
    for cls, name in kinds:
        if isinstance(err, cls):
            return name
    return "error"


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # money stays exact: "0.0770", never a float
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str:
    text = json.dumps(to_jsonable(value), ensure_ascii=False, indent=2, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def dumps_line(value: Any) -> str:
    """``dumps`` on one line (a stream of JSON objects, one a line: ``inbox --follow``)."""
    text = json.dumps(to_jsonable(value), ensure_ascii=False, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def cell(value: Any, width: int = MAX_CELL) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.astimezone().strftime("%Y-%m-%d %H:%M")
    else:
        text = printable(str(value))
    return text if len(text) <= width else text[: width - 1] + "…"


#: said on stderr by every headless command that runs on the sandbox
SANDBOX_NOTICE = "sandbox: nothing left this machine"


def tag_sandbox(value: Any) -> Any:
    """Mark a JSON document as the sandbox's: ``"sandbox": true`` in an object, and in every
    object of a list (the shape stays the one real runs print, so scripts work on both)."""
    if isinstance(value, dict):
        return {**value, "sandbox": True}
    if isinstance(value, list):
        return [tag_sandbox(v) if isinstance(v, dict) else v for v in value]
    return value


@dataclass
class Output:
    json_mode: bool = False
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    #: this run talks to the sandbox: every JSON document says so
    sandbox: bool = False

    def emit_json(self, value: Any) -> None:
        if self.sandbox:
            value = tag_sandbox(value)
        self.stdout.write(dumps(value) + "\n")

    def line(self, text: str = "") -> None:
        """A line of our own text (already safe) on stdout."""
        self.stdout.write(text + "\n")

    def field(self, label: str, value: Any) -> None:
        self.stdout.write(f"{label + ':':<16}{cell(value, 10_000)}\n")

    def note(self, text: str) -> None:
        """Progress and advice go to stderr so that stdout stays clean for pipes."""
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        cells = [[cell(v) for v in row] for row in rows]
        widths = [len(h) for h in headers]
        for row in cells:
            for i, c in enumerate(row):
                widths[i] = max(widths[i], len(c))
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        self.stdout.write(fmt.format(*headers).rstrip() + "\n")
        for row in cells:
            self.stdout.write(fmt.format(*row).rstrip() + "\n")
        if not rows:
            self.stdout.write("(none)\n")

    def error(self, err: BaseException) -> None:
        message = printable(str(err)) or type(err).__name__
        hint = printable(getattr(err, "hint", "") or "")
        run_id = err.action_run_id if isinstance(err, SmstuiError) else None
        if self.json_mode:
            doc: dict[str, Any] = {"error": error_kind(err), "message": message}
            if hint:
                doc["hint"] = hint
            if isinstance(err, SmstuiError):
                doc["exit_code"] = err.exit_code
            if run_id:
                doc["action_run_id"] = run_id
            self.emit_json(doc)
        self.stderr.write(f"smstui: error: {message}" + (f" ({hint})" if hint else "") + "\n")
        if run_id:  # a failed action run: Membrane's console finds it by this id
            self.stderr.write(f"smstui: action run: {printable(run_id)}\n")
