"""Keep the C heap from holding on to memory it no longer uses (glibc only; elsewhere a no-op).

Why: in a 16-minute ``bench/soak.py --tui`` run, RSS grew ~1 MB a minute after the warm-up
while the live Python objects and the C heap *in use* (``mallinfo2``) stayed flat: the growth was memory ``free()`` had given back to glibc and glibc kept (``heap_free``
in the soak's ``memory.series``: 5.1 to 11.6 MB over 11 minutes; smaps: the per-thread arenas'
pages grew 4.6 to 11.9 MB). glibc gives every thread that allocates an arena of its own (up
to 8 per core: the run had 16), and returns only the free space at the *top* of a heap; free
chunks in the middle of each arena stay resident. Every sync hands its page writes to a fresh
store-writer thread, ``asyncio.to_thread`` has its own, and each answer parsed and row written
leaves holes in whichever arena that thread used.

Two remedies, both set by smstui itself:

- ``limit_arenas``: at most ``ARENAS`` arenas. Threads in smstui take turns on the GIL, so
  one arena per thread buys no parallelism, and with fewer arenas a hole left by one thread
  is reused by the next instead of sitting in an arena nobody allocates from any more.
- ``release_free_memory``: ``malloc_trim(0)`` hands every whole free page of every arena back
  to the system (``MADV_DONTNEED``). A sync calls it when it ends, on its writer thread (the
  call releases the GIL; measured 0.3 ms when little is free, 50-65 ms right after ~30 MB was
  freed on a loaded machine), so a long-running app gives back what each sync's burst of
  parsing and writing left behind without holding up the event loop.
- ``release_free_memory_off_loop``: the app also calls it once every ``TRIM_INTERVAL``
  seconds, for what sends, list reads and live catch-ups freed between syncs (and for an app
  whose syncs are off). Measured in a 10-minute soak that already synced ~11 times a minute:
  such a call still gave 0.3-0.8 MB of pages back each minute, 1.9 MB when the load stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from functools import cache
from typing import Any

#: arenas glibc may create in this process (the first, main one included); see the docstring
ARENAS = 2
#: seconds between the app's own calls to ``release_free_memory`` (besides each sync's): often
#: enough that what was freed does not sit for long, and the cost is small anyway: measured
#: over 52 calls in a 6-minute ``soak.py --tui`` at load 13-18, median 0.18 ms, p95 0.4 ms,
#: slowest 36 ms (right after the load stopped and much had been freed); in a 10-minute one,
#: median 0.14-0.18 ms, slowest 76 ms. Off the event loop either way
TRIM_INTERVAL = 60.0
#: ``mallopt`` parameter number of M_ARENA_MAX (malloc.h)
_M_ARENA_MAX = -8


@cache
def _glibc() -> Any | None:
    """The C library's functions, when it is glibc with ``mallopt`` and ``malloc_trim``."""
    libc_version = ""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        libc_version = os.confstr("CS_GNU_LIBC_VERSION") or ""
    if not libc_version.startswith("glibc"):
        return None  # musl, macOS, Windows: their allocators are not the one measured
    import ctypes  # only here: ~3 ms of import, paid after the first frame

    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded in this process: its libc
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(count: int = ARENAS) -> bool:
    """Cap glibc's arenas at ``count`` for threads that allocate from now on; True if done.

    Effective when called before glibc's own limit is fixed (it fixes it the first time a
    ninth arena is wanted), so the app calls it right after its first frame."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(_M_ARENA_MAX, count) == 1)


def release_free_memory() -> bool:
    """Give every whole free page of the C heap back to the system; True if glibc did it."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)  # its result says whether anything was released: either is fine
    return True


async def release_free_memory_off_loop() -> bool:
    """``release_free_memory`` on a worker thread (the app's timer calls it): the call can
    take tens of ms right after much was freed, and it releases the GIL while it works."""
    return await asyncio.to_thread(release_free_memory)
