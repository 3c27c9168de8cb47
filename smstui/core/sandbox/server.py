"""A loopback HTTP server over a ``SandboxWorld`` (``smstui sandbox serve`` and tests)."""

from __future__ import annotations

import ipaddress
import socket
import struct
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .chaos import HANDLED, ChaosAnswer, ChaosPlan, spoil_handled, unhandled_answer
from .world import SandboxWorld

#: a client hanging up mid-answer is normal (timeouts, Ctrl-C, chaos): not worth a traceback
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], _CLIENT_GONE):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """A running server: ``.url``, ``.port``, ``.close()`` (also a context manager)."""

    def __init__(
        self, world: SandboxWorld, host: str, port: int, chaos: ChaosPlan | None = None
    ) -> None:
        self.world = world
        #: random faults on the wire (``smstui sandbox serve --faults``); None: none
        self.chaos = chaos
        #: the most requests ever in flight at once (shows that latency overlaps)
        self.max_in_flight = 0
        self._in_flight = 0
        self._count_lock = threading.Lock()
        self._httpd = _QuietServer((host, port), _handler_for(world, self))
        self._httpd.daemon_threads = True
        self.host = host
        self.port: int = self._httpd.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            # a short poll interval so close() returns promptly
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="smstui-sandbox",
            daemon=True,
        )
        self._thread.start()

    def _enter(self) -> None:
        with self._count_lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._count_lock:
            self._in_flight -= 1

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(
    world: SandboxWorld,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    chaos: ChaosPlan | None = None,
) -> SandboxServer:
    """Start serving ``world`` on a loopback address (never on a public interface)."""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the sandbox only binds to loopback addresses, not {host!r}")
    return SandboxServer(world, "127.0.0.1" if host == "localhost" else host, port, chaos)


def _handler_for(world: SandboxWorld, server: SandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def date_time_string(self, timestamp: float | None = None) -> str:
            # the Date header tells the world's time (tests move it to make clock skew)
            return formatdate(world.clock() if timestamp is None else timestamp, usegmt=True)

        def _serve(self) -> None:
            server._enter()
            try:
                self._answer()
            finally:
                server._leave()

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            chaos = server.chaos
            kind = chaos.choose(self.command, path) if chaos is not None else None
            if chaos is not None and chaos.trace is not None:
                chaos.note(self.command, path, parts.query, body, kind)
            if chaos is not None and kind is not None and kind not in HANDLED:
                with world.lock:
                    world.request_log.append((self.command.upper(), path))
                self._deliver(unhandled_answer(kind, path, chaos))
                return
            answer = world.handle(
                self.command,
                path,
                parse_qsl(parts.query, keep_blank_values=True),
                {k: v for k, v in self.headers.items()},
                body,
            )
            if answer.fault == "disconnect":
                self.close_connection = True
                return
            if answer.resume is not None:  # a long poll: hold the answer (outside the lock)
                time.sleep(answer.long_poll)
                answer = answer.resume()
            if world.latency > 0:
                time.sleep(world.latency)  # outside the world lock: requests overlap
            if answer.fault is not None:
                # hold the socket, then hang up without a word: the client's answer is lost
                time.sleep(answer.hang)
                self.close_connection = True
                return
            if chaos is not None and kind is not None:
                self._deliver(spoil_handled(kind, answer, chaos))
                return
            self._deliver(ChaosAnswer(answer.status, answer.headers, answer.body))

        def _deliver(self, answer: ChaosAnswer) -> None:
            if answer.delivery in ("close", "hang"):
                time.sleep(answer.seconds)
                self.close_connection = True
                return
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(answer.body)))
            self.end_headers()
            # a view, not a copy: the body may be the 10 MB "huge_body"
            half = memoryview(answer.body)[: len(answer.body) // 2]
            if answer.delivery == "truncate":
                self.wfile.write(half)  # then a clean close, short of content-length
                self.close_connection = True
            elif answer.delivery == "reset":
                self.wfile.write(half)
                self._reset()
            elif answer.delivery == "drip":
                step = max(1, len(answer.body) // 10)
                for start in range(0, len(answer.body), step):
                    self.wfile.write(answer.body[start : start + step])
                    time.sleep(answer.seconds / 10)
            else:
                self.wfile.write(answer.body)

        def _reset(self) -> None:
            """Abort the connection with a TCP RST (SO_LINGER 0), not a polite FIN."""
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # drop the makefile reference so close() really closes
            self.connection.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            """Silent: request lines are not worth a terminal line (and stay out of logs)."""

    return Handler
