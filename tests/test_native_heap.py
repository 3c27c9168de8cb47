"""The C heap gives back what it no longer uses (``smstui.core.native_heap``, glibc only)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support.fake_clicksend import FakeClickSend

from smstui.core import native_heap
from smstui.core.delivery import sync as sync_module
from smstui.core.delivery.sync import sync_all
from smstui.core.store.message_store import MessageStore


def _is_glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):
        return False


glibc_only = pytest.mark.skipif(not _is_glibc(), reason="the remedies are glibc's")


def rss_anon_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise AssertionError("no RssAnon in /proc/self/status")


@glibc_only
def test_free_memory_kept_by_a_thread_arena_goes_back_to_the_system() -> None:
    held: list[bytearray] = []

    def allocate() -> None:
        # 40 MB in 2 kB blocks (malloc, not pymalloc), in this thread's own arena; the last
        # block stays alive so that glibc cannot give the freed space back by itself
        blocks = [bytearray(2048) for _ in range(20_000)]
        held.append(blocks[-1])
        del blocks

    thread = threading.Thread(target=allocate)
    thread.start()
    thread.join()
    kept = rss_anon_kb()
    assert native_heap.release_free_memory() is True
    # the freed blocks' pages are gone (at least 30 of the 40 MB)
    assert rss_anon_kb() < kept - 30_000
    assert len(held[0]) == 2048  # what is alive is untouched


@glibc_only
def test_limit_arenas_caps_the_arenas_threads_allocate_from(tmp_path: Path) -> None:
    script = """
import ctypes, re, sys, threading
from smstui.core.native_heap import limit_arenas
assert limit_arenas(2)
go = threading.Barrier(9)
def work():
    go.wait()  # all eight allocate while the others are alive: each would get its own arena
    blocks = [bytearray(4096) for _ in range(2000)]
    go.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
go.wait()
go.wait()
libc = ctypes.CDLL(None)
libc.open_memstream.restype = ctypes.c_void_p
buf, size = ctypes.c_char_p(), ctypes.c_size_t()
stream = ctypes.c_void_p(libc.open_memstream(ctypes.byref(buf), ctypes.byref(size)))
libc.malloc_info(0, stream)
libc.fclose(stream)
print(len(re.findall("<heap nr=", ctypes.string_at(buf, size.value).decode())))
for t in threads:
    t.join()
"""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("MALLOC_ARENA_MAX", None)
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert int(out.stdout.strip()) <= 2


def test_elsewhere_than_glibc_nothing_is_called(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_glibc(name: str) -> str:
        raise ValueError(name)  # what os.confstr says on musl and macOS

    native_heap._glibc.cache_clear()
    monkeypatch.setattr(native_heap.os, "confstr", not_glibc)
    try:
        assert native_heap.limit_arenas() is False
        assert native_heap.release_free_memory() is False
    finally:
        native_heap._glibc.cache_clear()


async def test_a_sync_releases_free_memory_on_its_writer_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def release() -> bool:
        calls.append(threading.current_thread().name)
        return True

    monkeypatch.setattr(sync_module, "release_free_memory", release)
    with MessageStore(tmp_path / "a.db") as store:
        await sync_all(FakeClickSend(n_history=250), store, inbound=False, receipts=False)
    # once, when the sync ended, off the event loop
    assert len(calls) == 1
    assert calls[0].startswith("smstui-sync-store")
    assert calls[0] != threading.main_thread().name


async def test_the_app_releases_free_memory_once_a_minute_off_its_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from support.sandbox_app import sandbox_app

    from smstui.ui import shell

    threads: list[str] = []
    twice = threading.Event()

    def release() -> bool:
        threads.append(threading.current_thread().name)
        if len(threads) >= 2:
            twice.set()
        return True

    monkeypatch.setattr(native_heap, "release_free_memory", release)
    # the app's interval, shortened; its start-up sync calls its own reference to the function
    # (``sync.release_free_memory``, left alone here), so only the timer's calls are counted
    monkeypatch.setattr(shell, "TRIM_INTERVAL", 0.05)
    app, _ = sandbox_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert await asyncio.to_thread(twice.wait, 30), threads  # not a bound on time: 30 s is
        # for a loaded machine; on an idle one the two calls come within ~0.2 s
    assert threads[0] != threading.main_thread().name  # off the event loop's thread
