"""``SandboxWorld``: a simulated Membrane workspace with one ClickSend connection.

All state lives here and is guarded by one lock, so the in-process transport and the
threaded loopback server can share a world. Everything random comes from ``random.Random(seed)``
and every time from ``world.clock()``, so a seed and a fixed clock give the same data.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import membrane_routes
from .clicksend import SimClickSend
from .clicksend_mms_voice import REFUSALS
from .connections import (
    CONNECTOR_ID,
    DEFAULT_CONNECTION_ID,
    STATES,
    ConnectionRecord,
    ConnectionRequestRecord,
)
from .faults import Fault, FaultQueue
from .http import (
    FaultAction,
    Query,
    Request,
    SandboxResponse,
    error_data,
    json_response,
    query_dict,
)
from .pricing import SHARED_NUMBER

if TYPE_CHECKING:
    from .transport import SandboxTransport

Sleep = Callable[[float], Awaitable[None]]


class SandboxWorld:
    def __init__(
        self,
        seed: int = 0,
        *,
        prefix: str = "/v3",
        clock: Callable[[], float] = time.time,
        history_size: int = 40,
        latency: float = 0.0,
        fresh_account: bool = False,
        poll_rules: int = 1,
        refused_channels: dict[str, str] | None = None,
    ) -> None:
        """``fresh_account``: a brand-new ClickSend account (no automation rules, so replies
        and receipts are never listed; voice not enabled). ``poll_rules``: enabled POLL rules
        of each kind otherwise (2+: ClickSend lists each reply/receipt once per rule).
        ``refused_channels``: ``{"mms"|"voice": "403"|"404"|"not_enabled"}``."""
        if prefix not in ("/v3", ""):
            raise ValueError("prefix must be '/v3' or ''")
        self.seed = seed
        #: "/v3": the connector base URL is https://rest.clicksend.com (paths start with /v3);
        #: "": the base URL already ends in /v3
        self.prefix = prefix
        self.latency = latency
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self._source_clock = clock
        self._offset = 0.0

        # Membrane knobs
        self.valid_tokens: set[str] | None = None
        self.ui_base = "https://ui.sandbox.smstui.invalid"
        self.request_polls_to_finish = 1
        self.request_outcome = "success"  # "success" | "error" | "cancelled"
        self.ensure_supported = True
        #: ``POST /connections/ensure`` refused with this status (403 answers access_denied)
        self.ensure_refusal: int | None = None
        self.ensure_initial_state = "READY"
        #: a connection ``ensure`` makes BUILDING stays so this long (0: until the next long
        #: poll, which then answers at once)
        self.build_seconds = 0.0
        #: how search results spell ``elementType`` (vendor texts show both spellings)
        self.search_element_type = "connector"
        self.structured_body_key: str | None = "data"
        #: False: no ``POST /connections/{id}/request`` route (it answers 404, as an unknown
        #: route does); that route is not confirmed by Membrane's SDK
        self.structured_request_route = True
        #: True: the ClickSend actions are catalog actions: ``/act`` finds them by ``id`` only,
        #: ``key`` answers 404 not_found (``key`` selects saved actions)
        self.catalog_actions = False
        #: True: an action whose ClickSend call returns no data answers without ``output``
        self.bare_action_answers = False

        # ClickSend knobs
        self.balance = Decimal("25.00")
        self.enabled_countries = {"AU", "US", "GB", "NZ", "CA"}
        self.receipt_delay = 5.0
        self.reply_delay = 20.0
        self.failure_rate = 0.1
        self.reply_rate = 0.3
        #: seconds before an accepted message shows in ``GET /sms/history``: ClickSend's
        #: history is not guaranteed to list a message the moment the send is answered, and
        #: reconciliation must wait for it rather than take "not listed yet" as "never sent"
        self.history_lag = 0.0

        #: every actionRunId handed out, oldest first (tests check what users are shown)
        self.action_runs: list[str] = []
        #: every request as (method, path), faulted ones included. Unbounded on purpose, like
        #: every record of the simulated server (tests count and audit them): ~150 bytes a
        #: request; bench/soak.py measures the sandbox's state apart from the app's memory
        self.request_log: list[tuple[str, str]] = []
        self.faults = FaultQueue()
        self.connections: dict[str, ConnectionRecord] = {}
        self.connection_requests: dict[str, ConnectionRequestRecord] = {}
        # ids of Membrane objects come from counters, not the RNG, so connecting or
        # reconnecting never changes the message ids a seed produces
        self._counter = itertools.count(1)
        now = self.clock()
        self.connections[DEFAULT_CONNECTION_ID] = ConnectionRecord(
            DEFAULT_CONNECTION_ID, "ClickSend SMS", "READY", now, now
        )
        refused = dict(refused_channels or {})
        if fresh_account:
            refused.setdefault("voice", "not_enabled")
        bad = {k: v for k, v in refused.items() if k not in ("mms", "voice") or v not in REFUSALS}
        if bad:
            raise ValueError(f"refused_channels: unknown channel or shape in {bad!r}")
        self.fresh_account = fresh_account
        #: channels the ClickSend account refuses (see ``clicksend_mms_voice.REFUSALS``)
        self.refused_channels = refused
        self.clicksend = SimClickSend(self, history_size)
        for _ in range(0 if fresh_account else poll_rules):
            for kind in ("inbound", "receipt"):
                self.clicksend.automations.add_poll_rule(kind)

    # ------------------------------------------------------------------ clock

    def clock(self) -> float:
        return self._source_clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the world's time forward (receipts and replies fall due)."""
        with self.lock:
            self._offset += seconds

    # ------------------------------------------------------------------ test helpers

    def transport(self, sleep: Sleep | None = None) -> SandboxTransport:
        """An in-process transport; ``sleep`` is how it waits out a long poll (tests pass
        one that moves a fake clock)."""
        from .transport import SandboxTransport

        return SandboxTransport(self, sleep=sleep)

    def inject(self, fault: Fault) -> Fault:
        with self.lock:
            return self.faults.add(fault)

    def add_connection(
        self, state: str = "READY", id: str | None = None, name: str = "ClickSend SMS"
    ) -> str:
        if state not in STATES:
            raise ValueError(f"unknown connection state {state!r}")
        with self.lock:
            new_id = id or f"conn_sandbox_{next(self._counter):04d}"
            now = self.clock()
            self.connections[new_id] = ConnectionRecord(new_id, name, state, now, now)
            return new_id

    def set_connection_state(self, id: str, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"unknown connection state {state!r}")
        with self.lock:
            record = self.connections[id]
            record.state = state
            record.ready_at = None
            record.updated_at = self.clock()

    def set_building(self, id: str, seconds: float) -> None:
        """The connection is BUILDING for ``seconds`` of world time; a long poll holds."""
        with self.lock:
            self.set_connection_state(id, "BUILDING")
            self.connections[id].ready_at = self.clock() + seconds

    def finish_build(self, record: ConnectionRecord) -> None:
        """A BUILDING connection whose build time is over is READY now."""
        with self.lock:
            if (
                record.state == "BUILDING"
                and record.ready_at is not None
                and self.clock() >= record.ready_at
            ):
                self.set_connection_state(record.id, "READY")

    def connection_answer(self, id: str) -> SandboxResponse:
        """``GET /connections/{id}`` as it reads now (the end of a long poll)."""
        with self.lock:
            record = self.connections[id]
            self.finish_build(record)
            return json_response(200, record.json(self.ui_base))

    def remove_connection(self, id: str) -> None:
        with self.lock:
            del self.connections[id]

    def add_inbound(
        self,
        from_: str,
        body: str,
        *,
        to: str = SHARED_NUMBER,
        original_message_id: str | None = None,
        custom_string: str | None = None,
    ) -> str:
        """An SMS arrives now; returns its message id."""
        with self.lock:
            record = self.clicksend.add_inbound(
                from_,
                body,
                to=to,
                original_message_id=original_message_id,
                custom_string=custom_string,
            )
            return record.message_id

    # ------------------------------------------------------------------ HTTP entry point

    def handle(
        self,
        method: str,
        path: str,
        query: Query,
        headers: dict[str, str],
        body: bytes = b"",
    ) -> SandboxResponse:
        method = method.upper()
        with self.lock:
            self.request_log.append((method, path))
            fault = self.faults.take(method, path)
            if fault is not None and fault.kind == "status":
                return fault.status_response(path)
            if fault is not None and fault.kind in ("timeout_before", "disconnect"):
                kind: FaultAction = "disconnect" if fault.kind == "disconnect" else "timeout_before"
                return SandboxResponse(0, fault=kind, hang=fault.hang)
            request = Request(
                method, path, query_dict(query), {k.lower(): v for k, v in headers.items()}, body
            )
            try:
                response = membrane_routes.dispatch(self, request)
            except Exception as exc:  # a real server answers 500, it does not crash
                response = error_data(
                    500, "internal", None, f"Sandbox error ({type(exc).__name__})"
                )
            if fault is not None:
                response.fault = "timeout_after"
                response.hang = fault.hang
            return response

    # ------------------------------------------------------------------ used by the routes

    def clicksend_path(self, target: str) -> str:
        """The ClickSend path for a path relative to the connector's base URL."""
        if not target.startswith("/"):
            target = "/" + target
        return ("/v3" if self.prefix == "" else "") + target

    def call_clicksend(
        self, method: str, path: str, query: dict[str, str], data: Any
    ) -> tuple[int, dict[str, str], Any]:
        body = b"" if data is None else json.dumps(data).encode()
        response = self.clicksend.handle(method, path, query, body)
        return response.status, dict(response.headers), json.loads(response.body)

    def next_run_id(self) -> str:
        run_id = f"{next(self._counter):024x}"
        self.action_runs.append(run_id)
        return run_id

    def new_connection_request(self, connection_id: str | None) -> ConnectionRequestRecord:
        request_id = f"creq_sandbox_{next(self._counter):04d}"
        record = ConnectionRequestRecord(request_id, CONNECTOR_ID, self.clock(), connection_id)
        self.connection_requests[request_id] = record
        return record

    def poll_connection_request(self, record: ConnectionRequestRecord) -> None:
        """The user 'finishes' the browser step after ``request_polls_to_finish`` polls."""
        record.polls += 1
        if record.status != "pending" or record.polls < self.request_polls_to_finish:
            return
        if self.request_outcome == "cancelled":
            record.status = "cancelled"
        elif self.request_outcome == "error":
            record.status = "error"
            record.result_error = {
                "type": "connection",
                "message": "ClickSend rejected the API key you entered.",
            }
        else:
            record.status = "success"
            if record.connection_id is not None and record.connection_id in self.connections:
                self.set_connection_state(record.connection_id, "READY")
                record.result_connection_id = record.connection_id
            else:
                record.result_connection_id = self.add_connection()
