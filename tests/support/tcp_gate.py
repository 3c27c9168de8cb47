"""A TCP port on 127.0.0.1 that forwards to a PostgreSQL server's Unix socket, and can be
closed and opened again: the team database going away and coming back, as seen by smstui
over the network, while the real server (the suite's pgserver) keeps running.

It runs its own event loop on a thread: smstui's store is synchronous and may be called on
the test's loop, which must not be the one forwarding its bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def socket_of(url: str) -> tuple[Path, str]:
    """The server's socket file and the database name in a pgserver URL
    (``postgresql://postgres:@/DB?host=/tmp/folder``)."""
    parts = urlsplit(url)
    folder = parse_qs(parts.query)["host"][0]
    return Path(folder) / f".s.PGSQL.{parts.port or 5432}", parts.path.lstrip("/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TcpGate:
    def __init__(self, unix_path: Path, port: int | None = None) -> None:
        self.unix_path = unix_path
        self.port = port or free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        #: while held (``hold``), set on release; None when not holding
        self._let_through: asyncio.Event | None = None
        #: connections accepted while held (each waits, unanswered, for ``release``)
        self.held = 0

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, coro: object) -> object:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)  # type: ignore[arg-type]

    def open(self) -> None:
        self._run(self._open())

    def hold(self) -> None:
        """Accept connections but answer nothing until ``release``: a host that drops the
        packets instead of refusing them, where a client's connect waits for its timeout."""
        self._run(self._hold())

    def release(self) -> None:
        """Connections held so far (and later ones) reach the server."""
        self._run(self._release())

    def shut(self) -> None:
        """Refuse new connections and cut every open one (a server restart, a network cut)."""
        self._run(self._shut())

    def close(self) -> None:
        self.shut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _open(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def _hold(self) -> None:
        self._let_through = asyncio.Event()
        await self._open()

    async def _release(self) -> None:
        if self._let_through is not None:
            self._let_through.set()
        self._let_through = None

    async def _shut(self) -> None:
        for w in list(self._pipes):
            w.close()
        self._pipes.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if (held := self._let_through) is not None:
            self.held += 1
            self._pipes.add(writer)
            await held.wait()
        try:
            up_r, up_w = await asyncio.open_unix_connection(str(self.unix_path))
        except OSError:
            writer.close()
            return
        self._pipes.update((writer, up_w))

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(copy(reader, up_w), copy(up_r, writer))
        self._pipes.difference_update((writer, up_w))
