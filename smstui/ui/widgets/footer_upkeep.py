"""What the app's footer does besides drawing keys: release what closed widgets leave
behind, and choose which keys fit.

Textual's ``Footer`` rebuilt its ``FooterKey`` widgets on every bindings change (each focus
move, tab switch, dialog opened or closed) and ``data_bind``s each new key to
``Footer.compact``. The binding is stored on the *Footer* (``__watchers["compact"]``) and only
pruned when ``compact`` changes, which it never does here, so every removed key, with its
styles and rendered lines, stayed reachable: measured at ~650 widgets a minute in the soak
(Textualize/textual#6666, open in 8.2). ``AppFooter`` has no key widgets any more, but the
same holds for widgets that watch the app's ``theme`` (every ``TextArea``; dialogs have them)
until the theme changes.

A third holder of dead widgets' lines: ``StylesCache.get_inner_outer`` is an ``lru_cache``
on a method, so its 1,024 entries keep the ``StylesCache`` (every rendered line) of widgets
long removed. It is a pure function of two colours: emptying it costs two ``Style`` objects
per widget at its next paint.

``AppFooter`` drops the watchers of closed widgets after each rebuild, from itself, its screen
and the app, with the same test Textual applies when a watched value changes, and empties
that cache.

Textual's footer lays every key out in one row and docks the command palette key over its
right end, so at 80 columns the last keys ran under ``^p Commands`` (``^r Sync`` half hidden
behind it). Keys that do not fit beside the docked key are left out, the last ones first;
``f1 Help`` last, since help lists every key (``keys_to_hide``).
"""

from __future__ import annotations

from typing import Any

from textual._styles_cache import StylesCache

#: keys hidden only when nothing else is left to hide (help lists every key)
KEPT_KEYS = frozenset({"f1"})

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


def keys_to_hide(widths: list[int], kept: list[bool], room: int) -> set[int]:
    """Which of the keys (by index, in footer order) to hide so that the rest fit in ``room``
    columns: the last first, a ``kept`` one only when the others are gone. ``widths``
    include each key's gap after it, so the last shown key keeps a blank column before the
    palette key's border."""
    everyone = range(len(widths))
    order = [i for i in reversed(everyone) if not kept[i]]
    order += [i for i in reversed(everyone) if kept[i]]
    used = sum(widths)
    hidden: set[int] = set()
    for i in order:
        if used <= room:
            break
        hidden.add(i)
        used -= widths[i]
    return hidden
