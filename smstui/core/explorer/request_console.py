"""The raw request console's model: what ``membrane request`` does, for the TUI and the CLI.

``RequestSpec`` is what the user typed; ``parse_pairs``/``parse_lines`` read ``K=V`` query and
``K: V`` header lines; ``send`` makes the call (``request_route`` picks the Membrane route);
``format_response`` turns a ``ProxyResponse`` into inert text to show; ``RequestHistory``
remembers the last requests in the user data dir without ever keeping a credential.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smstui.core.config import data_dir, write_private
from smstui.core.errors import UsageError, redact
from smstui.core.membrane.client import MembraneClient
from smstui.core.membrane.request_route import TRANSPARENT, RouteMemory, send_request
from smstui.core.models import ProxyResponse
from smstui.core.privacy import ensure_private, make_private_dirs
from smstui.core.safe_text import printable

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
HISTORY_LIMIT = 200
HISTORY_FILE = "requests.jsonl"
MASK = "••••"

# A header or field whose *name* says it carries a credential. ClickSend's own answers hold
# some (``_subaccount.api_key`` in /account), so this guards the screen as well as the file.
_SENSITIVE = re.compile(
    r"auth|token|secret|passw|api[-_]?key|apikey|(?:^|[-_])key$|cookie|session|signature"
    r"|credential|private",
    re.IGNORECASE,
)
# json.dumps(ensure_ascii=False) leaves C1 controls, bidi controls and line separators raw;
# written as \uXXXX inside a JSON string they keep both the data and the terminal intact.
_JSON_UNSAFE = re.compile("[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def is_sensitive(name: str) -> bool:
    return bool(_SENSITIVE.search(name))


# --------------------------------------------------------------------------- parsing


def parse_pairs(items: Iterable[str], sep: str, what: str) -> dict[str, str]:
    """``["a=1", "b=2"]`` (``sep="="``) or ``["Accept: text/plain"]`` (``sep=":"``) as a dict.

    Header values are stripped (``K: V``); query values are kept exactly (``q= a`` searches
    for `` a``). A later key replaces an earlier one.
    """
    out: dict[str, str] = {}
    for item in items:
        key, found, value = item.partition(sep)
        if not found or not key.strip():
            raise UsageError(f"{what} {item!r} must look like KEY{sep}VALUE")
        out[key.strip()] = value.strip() if sep == ":" else value
    return out


def parse_lines(text: str, sep: str, what: str) -> dict[str, str]:
    """The console's multi-line box: one pair a line; blank lines and ``#`` comments skipped."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return parse_pairs(lines, sep, what)


def body_from_text(text: str | None, *, raw: bool = False) -> Any:
    """The request body: JSON text is parsed (as ``membrane request -d`` does) unless ``raw``."""
    if text is None or (not raw and not text.strip()):
        return None
    if raw:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """A raw ClickSend request as typed: ``raw`` sends ``body_text`` as-is, never parsed."""

    method: str = "GET"
    path: str = "/"
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body_text: str = ""
    raw: bool = False
    path_params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_text(
        cls,
        method: str,
        path: str,
        *,
        query_text: str = "",
        headers_text: str = "",
        body_text: str = "",
        raw: bool = False,
    ) -> RequestSpec:
        """Build from the console's boxes, checking method and path (UsageError if wrong)."""
        spec = cls(
            method=method.strip().upper(),
            path=path.strip(),
            query=parse_lines(query_text, "=", "query"),
            headers=parse_lines(headers_text, ":", "header"),
            body_text=body_text,
            raw=raw,
        )
        spec.check()
        return spec

    def check(self) -> None:
        if self.method not in METHODS:
            raise UsageError(f"method must be one of {', '.join(METHODS)}")
        if not self.path.startswith("/") or any(c.isspace() for c in self.path):
            raise UsageError("path must start with / and contain no spaces, e.g. /v3/account")

    @property
    def data(self) -> Any:
        return body_from_text(self.body_text, raw=self.raw)


async def send(
    client: MembraneClient,
    connection_id: str,
    spec: RequestSpec,
    routes: RouteMemory | None = None,
) -> ProxyResponse:
    """One raw request (``membrane request``) through the route that works for this connection
    (``request_route``); reads retry, writes never do."""
    return await send_request(
        client,
        connection_id,
        spec.path,
        method=spec.method,
        query=spec.query or None,
        headers=spec.headers or None,
        data=spec.data,
        path_parameters=spec.path_params or None,
        memory=routes,
    )


# --------------------------------------------------------------------------- showing answers


def mask_secrets(value: Any) -> Any:
    """``value`` with every field whose name looks like a credential replaced by ``MASK``."""
    if isinstance(value, dict):
        return {
            k: (MASK if is_sensitive(str(k)) and v not in (None, "") else mask_secrets(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def safe_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


@dataclass(frozen=True, slots=True)
class ResponseView:
    """A response ready to show: every string already inert (no escapes reach the terminal)."""

    status: int | None
    status_line: str
    headers: list[tuple[str, str]]
    body: str
    is_json: bool
    #: True when the answer had neither ``data`` nor ``body`` and is shown whole
    whole_answer: bool
    #: True when it came through the transparent proxy (no structured route here)
    via_proxy: bool = False

    @property
    def ok(self) -> bool:
        return self.status is None or self.status < 400


def format_response(response: ProxyResponse) -> ResponseView:
    whole = response.raw is not None
    payload = response.raw if whole else response.body
    if isinstance(payload, str):
        # a text body may itself be JSON (ClickSend errors through some proxies are)
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict | list):
            payload = parsed
    if isinstance(payload, dict | list):
        body, is_json = safe_json(mask_secrets(payload)), True
    elif payload is None:
        body, is_json = "", False
    else:
        body, is_json = printable(str(payload), keep_newlines=True), False
    status = response.status
    return ResponseView(
        status=status,
        status_line=f"HTTP {status}" if status is not None else "HTTP status unknown",
        headers=[
            (printable(k), MASK if is_sensitive(k) else printable(v))
            for k, v in sorted(response.headers.items(), key=lambda kv: kv[0].lower())
        ],
        body=body,
        is_json=is_json,
        whole_answer=whole,
        via_proxy=response.route == TRANSPARENT,
    )


# --------------------------------------------------------------------------- history


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    spec: RequestSpec
    status: int | None


def _scrub_body(text: str, raw: bool) -> str:
    if raw:
        return text
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    if not isinstance(parsed, dict | list):
        return text
    return json.dumps(mask_secrets(parsed), ensure_ascii=False)


class RequestHistory:
    """The last ``limit`` requests, newest last, as JSON lines in a 0600 file.

    Credential headers and query parameters are dropped, credential-named JSON fields masked,
    and any known secret value (token, workspace secret) replaced wherever it appears. Only the
    status is kept from the answer: answers can hold keys (``/account`` does). Appending is one
    ``write``; the file is compacted when it holds a quarter more than ``limit`` lines, so it
    is not rewritten on every request.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        limit: int = HISTORY_LIMIT,
        secrets: Iterable[str | None] = (),
    ) -> None:
        self.path = path if path is not None else data_dir() / HISTORY_FILE
        self.limit = max(1, limit)
        self._secrets = tuple(s for s in secrets if s)

    def _clean(self, text: str) -> str:
        return redact(text, *self._secrets)

    def _record(self, spec: RequestSpec, status: int | None, at: datetime) -> dict[str, Any]:
        def keep(pairs: Mapping[str, str]) -> dict[str, str]:
            return {self._clean(k): self._clean(v) for k, v in pairs.items() if not is_sensitive(k)}

        return {
            "at": at.astimezone(UTC).isoformat(),
            "method": spec.method,
            "path": self._clean(spec.path),
            "query": keep(spec.query),
            "headers": keep(spec.headers),
            "path_params": keep(spec.path_params),
            "body_text": self._clean(_scrub_body(spec.body_text, spec.raw)),
            "raw": spec.raw,
            "status": status,
        }

    def add(self, spec: RequestSpec, status: int | None, *, at: datetime | None = None) -> None:
        line = json.dumps(self._record(spec, status, at or datetime.now(UTC)), ensure_ascii=False)
        make_private_dirs(self.path.parent)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
        ensure_private(self.path)
        lines = self._lines()
        if len(lines) > self.limit + self.limit // 4:
            write_private(self.path, "".join(ln + "\n" for ln in lines[-self.limit :]))

    def _lines(self) -> list[str]:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        return [ln for ln in text.splitlines() if ln.strip()]

    def entries(self) -> list[HistoryEntry]:
        """The last ``limit`` requests, oldest first; damaged lines are skipped."""
        out = []
        for line in self._lines():
            entry = _entry(line)
            if entry is not None:
                out.append(entry)
        return out[-self.limit :]

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _entry(line: str) -> HistoryEntry | None:
    try:
        doc = json.loads(line)
        at = datetime.fromisoformat(doc["at"])
        spec = RequestSpec(
            method=str(doc["method"]),
            path=str(doc["path"]),
            query=_str_map(doc.get("query")),
            headers=_str_map(doc.get("headers")),
            body_text=str(doc.get("body_text") or ""),
            raw=bool(doc.get("raw")),
            path_params=_str_map(doc.get("path_params")),
        )
        status = doc.get("status")
    except (ValueError, KeyError, TypeError):
        return None
    return HistoryEntry(at, spec, status if isinstance(status, int) else None)
