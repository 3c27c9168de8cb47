"""Memory of the process under test, sampled once a minute from a thread (``soak.py`` uses it).

Each sample: minutes since the start, RSS (``/proc/self/status``), the live Python object
count (``len(gc.get_objects())``: containers the collector tracks), pymalloc's allocated
blocks and arenas (``pymalloc_mb``) and, outside Python objects (``native_mb``): anonymous
and file-backed RSS, the C heap in use and kept free by glibc (``mallinfo2``), its arena count
(``malloc_info``), SQLite's own allocations and the thread count; and, when given, the deep size of state that
grows by design but is not the app's (the soak's ledger grows with each send; with the
sandbox in this process, its records too). ``summary()`` says how much RSS grew after the
warm-up, in MB and percent, with and without that state's growth.

With ``trace_lines`` (and ``tracemalloc`` started by the caller, as early as it can), a
snapshot is taken at the first sample after the warm-up and another at ``stop()``, and
``summary()`` lists the source lines whose live Python allocations grew most in between
(``tracemalloc_growth``): what grew in Python, by where it was allocated, beside RSS, so that
growth outside Python (the C heap, SQLite) is told apart from a cache or a leak in Python.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import re
import sys
import tempfile
import threading
import time
import tracemalloc
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

#: objects a deep size never walks into: shared code and classes, not state
_NOT_STATE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.CodeType)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


class _MallInfo2(ctypes.Structure):
    _fields_: ClassVar = [
        (name, ctypes.c_size_t)
        for name in (
            [
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            ]
        )
    ]


def _native_libs() -> tuple[Any, Any]:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        libc.open_memstream.restype = ctypes.c_void_p
    except (OSError, AttributeError):
        libc = None  # not glibc: the native figures are left out
    try:
        sqlite = ctypes.CDLL("libsqlite3.so.0")  # the one Python's _sqlite3 links to
        sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    except (OSError, AttributeError):
        sqlite = None
    return libc, sqlite


_LIBC, _SQLITE = _native_libs()


def _mb(n: float) -> float:
    return round(n / 2**20, 1)


#: the lines of ``sys._debugmallocstats`` a sample keeps: pymalloc's arenas in use (1 MiB each
#: on 64-bit CPython 3.10+, handed back to the system only when wholly empty), the bytes in its
#: blocks in use and in free blocks of pools in use
_PYMALLOC_LINES = {
    "# arenas allocated current": "pymalloc_arenas",
    "# bytes in allocated blocks": "pymalloc_used",
    "# bytes in available blocks": "pymalloc_free",
}


def pymalloc_mb() -> dict[str, float]:
    """pymalloc's arenas and their use (``_PYMALLOC_LINES``): where Python's small objects live,
    so that a few more arenas (objects kept alive here and there across them, each arena held
    by its last one) are told apart from the C heap's growth. Empty where CPython has no such
    report or pymalloc is off.

    CPython writes the report to the C level stderr (fd 2) only: fd 2 points at a temporary
    file while it does (~1 ms a sample). Lines another thread of this process writes to stderr
    just before the report starts are copied back to stderr afterwards; one written while it
    prints is lost among its lines (a bench's risk, not the app's: only the soak samples)."""
    report = getattr(sys, "_debugmallocstats", None)
    if report is None:
        return {}
    with tempfile.TemporaryFile() as out:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)
            report()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode(errors="replace")
    values: dict[str, float] = {}
    foreign: list[str] = []
    in_report = False
    for line in text.splitlines(keepends=True):
        key, _, value = line.partition("=")
        name = _PYMALLOC_LINES.get(key.strip())
        if name is not None:
            number = int(value.strip().replace(",", ""))
            values[name] = number if name == "pymalloc_arenas" else _mb(number)
        in_report = in_report or line.startswith("Small block threshold")
        if not in_report:
            foreign.append(line)  # written by someone else before the report began
    if foreign:
        with contextlib.suppress(OSError):
            os.write(2, "".join(foreign).encode())
    return values


def native_mb() -> dict[str, float]:
    """Where RSS sits outside Python objects: anonymous vs file-backed pages, the C heap
    (in use / free but kept by glibc, its arena count), SQLite's own allocations, threads."""
    out: dict[str, float] = {"pymalloc_blocks": sys.getallocatedblocks()}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("RssAnon", "RssFile", "RssShmem"):
            out[key.lower()] = _mb(int(value.split()[0]) * 1024)
        elif key == "Threads":
            out["threads"] = int(value)
    if _LIBC is not None:
        info = _LIBC.mallinfo2()
        out["heap_in_use"] = _mb(info.uordblks + info.hblkhd)
        out["heap_free"] = _mb(info.fordblks)
        out["heap_mmapped"] = _mb(info.hblkhd)
        buf, size = ctypes.c_char_p(), ctypes.c_size_t()
        stream = ctypes.c_void_p(_LIBC.open_memstream(ctypes.byref(buf), ctypes.byref(size)))
        _LIBC.malloc_info(0, stream)
        _LIBC.fclose(stream)
        xml = ctypes.string_at(buf, size.value).decode()
        _LIBC.free(buf)
        out["arenas"] = len(re.findall(r"<heap nr=", xml))
    if _SQLITE is not None:
        out["sqlite"] = _mb(_SQLITE.sqlite3_memory_used())
    out.update(pymalloc_mb())
    return out


def deep_size_mb(root: object) -> float:
    """Bytes reachable from ``root`` (each object once), in MB; code and classes excluded."""
    seen: set[int] = set()
    todo = [root]
    total = 0
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, _NOT_STATE):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj, 0)
        todo.extend(gc.get_referents(obj))
    return round(total / 2**20, 2)


class MemorySeries:
    """Samples every ``interval`` seconds until ``stop()``; one sample at start and at stop."""

    def __init__(
        self,
        interval: float = 60.0,
        sandbox_state: Callable[[], object] | None = None,
        *,
        warmup_minutes: float = 5.0,
        trace_lines: int = 0,
    ) -> None:
        self.interval = interval
        self._sandbox_state = sandbox_state
        self._warmup = warmup_minutes
        self._trace_lines = trace_lines
        #: (minute, snapshot) at the first sample after the warm-up, with ``trace_lines``
        self._traced_from: tuple[float, tracemalloc.Snapshot] | None = None
        self._traced_growth: dict[str, Any] | None = None
        self.samples: list[dict[str, float]] = []
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="memory-series", daemon=True)

    def start(self) -> MemorySeries:
        self._started = time.monotonic()
        self._sample()
        self._thread.start()
        return self

    def stop(self) -> list[dict[str, float]]:
        self._stop.set()
        self._thread.join()
        self._sample()
        if self._traced_from is not None:
            self._traced_growth = self._compare(*self._traced_from, self.samples[-1]["minute"])
        return self.samples

    def _snapshot(self) -> tracemalloc.Snapshot:
        gc.collect()  # garbage waiting for the collector is not growth
        return tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )

    def _compare(self, minute: float, before: tracemalloc.Snapshot, now: float) -> dict[str, Any]:
        after = self._snapshot()
        lines = after.compare_to(before, "lineno")[: self._trace_lines]
        return {
            "from_minute": minute,
            "to_minute": now,
            "traced_mb": [
                round(sum(t.size for t in before.traces) / 2**20, 1),
                round(sum(t.size for t in after.traces) / 2**20, 1),
            ],
            "lines": [
                {
                    "where": f"{d.traceback[0].filename}:{d.traceback[0].lineno}",
                    "kb": round(d.size / 1024, 1),
                    "kb_grew": round(d.size_diff / 1024, 1),
                    "blocks_grew": d.count_diff,
                }
                for d in lines
            ],
        }

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        sample = {
            "minute": round((time.monotonic() - self._started) / 60, 2),
            "rss_mb": rss_mb(),
            "objects": len(gc.get_objects()),
            **native_mb(),
        }
        if self._sandbox_state is not None:
            sample["sandbox_mb"] = deep_size_mb(self._sandbox_state())
        self.samples.append(sample)
        if (
            self._trace_lines
            and self._traced_from is None
            and sample["minute"] >= self._warmup
            and tracemalloc.is_tracing()
        ):
            self._traced_from = (sample["minute"], self._snapshot())

    def summary(self, warmup_minutes: float | None = None) -> dict[str, Any]:
        """RSS growth from the first sample at or after the warm-up (the series' own, which the
        tracemalloc baseline also waits for, unless another is given) to the last one."""
        if warmup_minutes is None:
            warmup_minutes = self._warmup
        after = [s for s in self.samples if s["minute"] >= warmup_minutes]
        out: dict[str, Any] = {"warmup_minutes": warmup_minutes, "series": self.samples}
        if self._traced_growth is not None:
            out["tracemalloc_growth"] = self._traced_growth
        if len(after) < 2:
            out["rss_growth_after_warmup"] = None  # the run was shorter than the warm-up
            return out
        first, last = after[0], after[-1]
        grew = last["rss_mb"] - first["rss_mb"]
        sandbox = last.get("sandbox_mb", 0.0) - first.get("sandbox_mb", 0.0)
        out["rss_growth_after_warmup"] = {
            "from_minute": first["minute"],
            "to_minute": last["minute"],
            "mb": round(grew, 1),
            "pct": round(100 * grew / first["rss_mb"], 1),
            "sandbox_state_mb": round(sandbox, 1),
            "pct_without_sandbox_state": round(100 * (grew - sandbox) / first["rss_mb"], 1),
            "objects": int(last["objects"] - first["objects"]),
        }
        return out
