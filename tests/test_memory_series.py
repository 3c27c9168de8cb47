"""bench/memory_series.py: what ``soak.py --tracemalloc N`` reports, on a growth made here."""

from __future__ import annotations

import os
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from memory_series import MemorySeries  # noqa: E402  (bench/ is not a package)

#: blocks the test keeps alive between the two snapshots, ~1 KiB each
BLOCKS = 3000


def grow() -> list[bytes]:
    return [bytes(1024) + i.to_bytes(4, "little") for i in range(BLOCKS)]


GROW_LINE = grow.__code__.co_firstlineno + 1


@pytest.fixture
def tracing() -> Iterator[None]:
    was = tracemalloc.is_tracing()
    if not was:
        tracemalloc.start()
    yield
    if not was:
        tracemalloc.stop()


@pytest.mark.usefixtures("tracing")
def test_the_line_that_grew_after_the_warm_up_comes_first() -> None:
    series = MemorySeries(interval=3600, warmup_minutes=0.0, trace_lines=5).start()
    kept = grow()  # after the baseline snapshot (the first sample, at minute 0)
    series.stop()
    growth = series.summary()["tracemalloc_growth"]
    top = growth["lines"][0]
    assert top["where"] == f"{__file__}:{GROW_LINE}"
    assert top["kb_grew"] >= BLOCKS  # each block is over 1 KiB
    assert top["blocks_grew"] >= BLOCKS
    assert len(growth["lines"]) <= 5
    assert growth["traced_mb"][1] > growth["traced_mb"][0]
    assert len(kept) == BLOCKS


@pytest.mark.usefixtures("tracing")
def test_what_was_freed_before_the_end_is_not_growth() -> None:
    series = MemorySeries(interval=3600, warmup_minutes=0.0, trace_lines=5).start()
    grow()  # made and dropped between the snapshots
    series.stop()
    lines = series.summary()["tracemalloc_growth"]["lines"]
    grown_here = [line for line in lines if line["where"] == f"{__file__}:{GROW_LINE}"]
    assert all(line["kb_grew"] < 64 for line in grown_here)


def test_no_tracing_no_report() -> None:
    if tracemalloc.is_tracing():
        pytest.skip("tracemalloc was started outside the test")
    series = MemorySeries(interval=3600, warmup_minutes=0.0, trace_lines=5).start()
    series.stop()
    assert "tracemalloc_growth" not in series.summary()


@pytest.mark.usefixtures("tracing")
def test_the_warm_up_is_waited_for() -> None:
    # a run shorter than the warm-up takes no baseline: nothing to compare
    series = MemorySeries(interval=3600, warmup_minutes=5.0, trace_lines=5).start()
    series.stop()
    assert "tracemalloc_growth" not in series.summary()


def test_pymalloc_figures_follow_small_objects_made_here() -> None:
    from memory_series import pymalloc_mb

    before = pymalloc_mb()
    if not before:
        pytest.skip("this Python gives no pymalloc report")
    kept = [(i, -i) for i in range(200_000)]  # 64-byte tuples: ~12 MB of pymalloc blocks
    after = pymalloc_mb()
    assert after["pymalloc_used"] - before["pymalloc_used"] >= 8
    assert after["pymalloc_arenas"] - before["pymalloc_arenas"] >= 8  # 1 MiB arenas
    assert len(kept) == 200_000


def test_pymalloc_report_leaves_stderr_as_it_was(capfd: pytest.CaptureFixture[str]) -> None:
    from memory_series import pymalloc_mb

    pymalloc_mb()
    os.write(2, b"still stderr\n")
    err = capfd.readouterr().err
    assert "still stderr" in err
    assert "arenas" not in err  # the report itself went to its file, not to stderr
