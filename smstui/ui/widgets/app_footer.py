"""The key footer, without Textual's leak of every key widget it ever built.

Textual's ``Footer`` rebuilds its ``FooterKey`` widgets on every bindings change (each focus
move, tab switch, dialog opened or closed) and ``data_bind``s each new key to
``Footer.compact``. The binding is stored on the *Footer* (``__watchers["compact"]``) and only
pruned when ``compact`` changes, which it never does here, so every removed key, with its
styles and rendered lines, stayed reachable: measured at ~650 widgets a minute in the soak
(Textualize/textual#6666, open in 8.2). The same holds for widgets that watch the app's
``theme`` (every ``TextArea``; dialogs have them) until the theme changes.

A third holder of dead widgets' lines: ``StylesCache.get_inner_outer`` is an ``lru_cache``
on a method, so its 1,024 entries keep the ``StylesCache`` (every rendered line) of widgets
long removed. It is a pure function of two colours: emptying it costs two ``Style`` objects
per widget at its next paint.

``AppFooter`` drops the watchers of closed widgets after each rebuild, from itself, its screen
and the app, with the same test Textual applies when a watched value changes, and empties
that cache.
"""

from __future__ import annotations

from typing import Any

from textual._styles_cache import StylesCache
from textual.widgets import Footer

#: where Textual keeps the watchers of an object's reactives (textual/reactive.py ``_watch``)
_WATCHERS = "__watchers"


def prune_closed_watchers(obj: object) -> int:
    """Forget watchers whose owner has closed; returns how many were dropped."""
    watchers: dict[str, list[tuple[Any, Any]]] | None = getattr(obj, _WATCHERS, None)
    if not watchers:
        return 0
    dropped = 0
    for entries in watchers.values():
        alive = [(node, callback) for node, callback in entries if not _closed(node)]
        dropped += len(entries) - len(alive)
        entries[:] = alive
    return dropped


def _closed(node: object) -> bool:
    # the flags Textual's own pruning reads (Reactive._check_watchers); a non-widget owner
    # (never seen in practice) is kept
    return bool(getattr(node, "_closing", False) or getattr(node, "_closed", False))


def release_styles_caches() -> None:
    """Empty Textual's ``lru_cache`` that keeps removed widgets' rendered lines alive."""
    inner_outer = getattr(StylesCache, "get_inner_outer", None)
    cache_clear = getattr(inner_outer, "cache_clear", None)
    if callable(cache_clear):  # gone in a later Textual: nothing to release
        cache_clear()


class AppFooter(Footer):
    """``Footer`` that releases the keys (and other closed watchers) it replaced."""

    async def recompose(self) -> None:
        await super().recompose()  # the old keys are removed (closed) when this returns
        if not self.is_attached:  # removed meanwhile (a dialog closing, the app quitting)
            return
        for owner in (self, self.screen, self.app):
            prune_closed_watchers(owner)
        release_styles_caches()
