"""Lenient parsers for voice and MMS answers that the SMS parsers do not cover.

Send/price answers of ``/mms/*`` and ``/voice/*`` have the SMS shape (``messages[]``,
``total_price``, ``_currency``), so ``clicksend.parse_send_result`` reads them; their
history records have the SMS history shape plus a few keys, read by ``parse_history_page``
and tagged with their channel here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from smstui.core.clicksend import coerce as c
from smstui.core.clicksend.parse import parse_history_page
from smstui.core.models import HistoryMessage, Page, VoiceLanguage

KNOWN_GENDERS = ("female", "male")


def _genders(value: Any) -> tuple[str, ...]:
    # ``gender`` is a string for one-voice languages and a list for two (both in the docs)
    raw = value if isinstance(value, list) else [value]
    found = [(c.text(g) or "").strip().lower() for g in raw]
    return tuple(g for g in KNOWN_GENDERS if g in found)


def parse_languages(data: Any) -> list[VoiceLanguage]:
    """``data`` of ``GET /voice/lang``: a list of ``{code, country, gender}``."""
    records = data if isinstance(data, list) else (c.mapping(data) or {}).get("data")
    out: list[VoiceLanguage] = []
    for raw in records if isinstance(records, list) else []:
        if not isinstance(raw, dict):
            continue
        code = (c.optional_text(raw.get("code")) or "").strip().lower()
        genders = _genders(raw.get("gender"))
        if code and genders:
            out.append(VoiceLanguage(code, c.text_or_empty(raw.get("country")), genders))
    return out


def parse_channel_history(data: Any, channel: str) -> Page[HistoryMessage]:
    """``/mms/history`` or ``/voice/history``: SMS history records tagged with ``channel``."""
    page = parse_history_page(data)
    items = [replace(m, channel=channel) for m in page.items]
    return Page(items, page.page, page.last_page, page.total, page.per_page)
