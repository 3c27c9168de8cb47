"""Opt-out keywords: which replies mean "stop messaging me" and which mean "start again".

Marketing SMS must stop when a recipient asks (Spam Act 2003, TCPA; ClickSend's own campaign
docs require an opt-out path). A reply counts only when its *whole* body is one of the words:
"STOP" and " stop! " do, "Stop by at 5?" does not. Case and the spaces, punctuation and
control characters around the word are ignored; nothing inside the word is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Literal

#: the words carriers and regulators treat as an opt-out (CTIA's list for US short codes)
DEFAULT_STOP_WORDS: tuple[str, ...] = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT")
#: the words that undo one
DEFAULT_START_WORDS: tuple[str, ...] = ("START", "UNSTOP")
#: a body longer than this cannot be one keyword plus a little punctuation (the store's scan
#: reads only shorter bodies, so four months of conversation are not read in Python)
MAX_KEYWORD_BODY = 64

Keyword = Literal["stop", "start"]


def _edge(ch: str) -> bool:
    """Characters ignored around a keyword: spaces, punctuation, controls, format marks."""
    return ch.isspace() or unicodedata.category(ch)[0] in "PZC"


def normalise(text: str) -> str:
    """``text`` without the spaces and punctuation around it, upper-cased (``" Stop!"`` ->
    ``"STOP"``). NFKC first, so full-width letters read as the letters they show."""
    text = unicodedata.normalize("NFKC", text)
    start, end = 0, len(text)
    while start < end and _edge(text[start]):
        start += 1
    while end > start and _edge(text[end - 1]):
        end -= 1
    return text[start:end].upper()


def word_set(words: Iterable[str]) -> frozenset[str]:
    """Configured words, normalised like the replies they are compared with (blanks dropped)."""
    return frozenset(w for w in (normalise(word) for word in words) if w)


def classify(
    body: str,
    stop: frozenset[str] = frozenset(DEFAULT_STOP_WORDS),
    start: frozenset[str] = frozenset(DEFAULT_START_WORDS),
) -> Keyword | None:
    """``"stop"`` when the whole body is a stop word, ``"start"`` for a start word, else None.

    ``stop`` and ``start`` must already be normalised (``word_set``). A word in both sets is
    read as stop: when in doubt, do not message someone who may have asked not to be.
    """
    if len(body) > MAX_KEYWORD_BODY:
        return None
    word = normalise(body)
    if not word:
        return None
    if word in stop:
        return "stop"
    if word in start:
        return "start"
    return None
