"""httpx's per-request overhead that is ours to avoid (sync and every other request)."""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from types import ModuleType

from httpcore._synchronization import current_async_library


class _CountingFinder(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self.asked: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        self.asked.append(fullname)
        return None


async def test_asking_the_async_library_imports_nothing() -> None:
    """httpcore asks which async library runs four times a request by importing sniffio;
    without sniffio installed each ask searched sys.path for it (a failed import)."""
    current_async_library()  # a first import may load it
    finder = _CountingFinder()
    sys.meta_path.insert(0, finder)
    try:
        for _ in range(10):
            assert current_async_library() == "asyncio"
    finally:
        sys.meta_path.remove(finder)
    assert finder.asked == []
