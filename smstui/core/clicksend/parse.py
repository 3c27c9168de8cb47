"""Lenient, typed parsers: ClickSend JSON -> the models in ``smstui.core.models``.

Each ``parse_*`` function takes the ``data`` member of an envelope (see
``parse_envelope``) and returns a model. Any JSON at all yields either a model or one of the
core's typed errors: the doc examples disagree with each other and with the live API (see
clicksend-api.md §10), so nothing here trusts a key to exist or a value to have one type.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from smstui.core.clicksend import coerce as c
from smstui.core.clicksend.envelope import (
    Envelope,
    is_invalid_endpoint,
    parse_envelope,
    retry_after_seconds,
)
from smstui.core.errors import MalformedResponseError
from smstui.core.models import (
    Account,
    Currency,
    DeliveryReceipt,
    Direction,
    HistoryMessage,
    InboundMessage,
    Page,
    SendResult,
    SentMessage,
    Template,
)

__all__ = [
    "Envelope",
    "is_invalid_endpoint",
    "parse_account",
    "parse_count",
    "parse_currency",
    "parse_envelope",
    "parse_history_page",
    "parse_inbound",
    "parse_inbound_page",
    "parse_one",
    "parse_page",
    "parse_receipt",
    "parse_receipts_page",
    "parse_send_result",
    "parse_template",
    "parse_templates_page",
    "retry_after_seconds",
]

T = TypeVar("T")

_DEFAULT_PER_PAGE = 15
_PAGINATOR_KEYS = ("current_page", "last_page", "per_page", "total", "totlal")


# --------------------------------------------------------------------------- shared pieces


def _currency(data: dict[str, Any]) -> Currency | None:
    # Current docs and live answers say ``_currency``; the legacy docs say ``currency``.
    raw = c.mapping(data.get("_currency")) or c.mapping(data.get("currency"))
    if raw is None:
        return None
    code = c.optional_text(raw.get("currency_name_short"))
    if not code:
        return None
    return Currency(
        code=code.strip().upper(),
        symbol=c.text_or_empty(raw.get("currency_prefix_d")),
        name=c.text_or_empty(raw.get("currency_name_long")),
    )


def _is_paginator(value: Any) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("data"), list) or any(k in value for k in _PAGINATOR_KEYS)
    )


def _page(data: Any, item: Callable[[dict[str, Any]], T | None]) -> Page[T]:
    """Read a list answer in any of its shapes into one ``Page``.

    Shapes seen: a Laravel paginator (``data.data[]``), a bare list of records, a list
    wrapping a paginator (templates, current docs), ``null``, ``[]`` and the string ``"{}"``.
    Records that are not objects, or lack what ``item`` needs, are skipped.
    """
    if isinstance(data, str):
        data = c.mapping(data)
    if isinstance(data, list) and len(data) == 1 and _is_paginator(data[0]):
        data = data[0]

    if isinstance(data, dict):
        raw_items = data.get("data")
        records = raw_items if isinstance(raw_items, list) else []
        items = [m for m in (item(r) for r in records if isinstance(r, dict)) if m is not None]
        page = max(1, c.integer(data.get("current_page"), default=1))
        # ``last_page: 0`` with ``total: 0`` is ClickSend's empty list: one empty page.
        last_page = max(1, c.integer(data.get("last_page"), default=page))
        total_raw = data.get("total", data.get("totlal"))
        total = max(0, c.integer(total_raw, default=len(items)))
        per_page = c.integer(data.get("per_page"), default=_DEFAULT_PER_PAGE)
        return Page(items, page=page, last_page=last_page, total=total, per_page=max(1, per_page))

    records = data if isinstance(data, list) else []
    items = [m for m in (item(r) for r in records if isinstance(r, dict)) if m is not None]
    return Page(items, page=1, last_page=1, total=len(items), per_page=_DEFAULT_PER_PAGE)


#: public names for the other ClickSend parsers (contacts, campaigns, rules, MMS, voice)
parse_page = _page
parse_currency = _currency


def _object(data: Any, what: str) -> dict[str, Any]:
    obj = c.mapping(data)
    if obj is None:
        raise MalformedResponseError(f"ClickSend sent no {what} in its answer.")
    return obj


def parse_one(data: Any, item: Callable[[dict[str, Any]], T | None], what: str, key: str) -> T:
    """One record (the ``data`` of a read, create or update) read by ``item``; a typed error
    naming what is missing when it is not an object or ``item`` finds no ``key`` in it."""
    found = item(_object(data, what))
    if found is None:
        raise MalformedResponseError(f"ClickSend's {what} has no {key}.")
    return found


# --------------------------------------------------------------------------- send / price


def _sent_message(raw: dict[str, Any]) -> SentMessage:
    # A rejected message has a minimal shape (no date, parts, price, country, carrier);
    # a message with no status at all is treated as not accepted.
    return SentMessage(
        to=c.text_or_empty(raw.get("to")),
        body=c.text_or_empty(raw.get("body")),
        status=(c.optional_text(raw.get("status")) or "UNKNOWN").strip().upper(),
        message_id=c.message_id(raw.get("message_id")),
        sender=c.optional_text(raw.get("from")),
        parts=max(0, c.integer(raw.get("message_parts"))),
        price=c.decimal(raw.get("message_price")),
        date=c.timestamp(raw.get("date")),
        schedule=c.timestamp(raw.get("schedule")),
        custom_string=c.optional_text(raw.get("custom_string")),
        country=c.optional_text(raw.get("country")),
        carrier=c.optional_text(raw.get("carrier")),
    )


def parse_send_result(data: Any) -> SendResult:
    """``data`` of ``/sms/send`` or ``/sms/price``. A 200 may carry failed messages."""
    obj = _object(data, "send result")
    raw_messages = obj.get("messages")
    if not isinstance(raw_messages, list):
        raise MalformedResponseError("ClickSend's send result has no message list.")
    messages = [_sent_message(m) for m in raw_messages if isinstance(m, dict)]
    total_price = c.decimal(obj.get("total_price"))
    if total_price is None:
        total_price = sum((m.price for m in messages if m.price is not None), Decimal(0))
    return SendResult(
        messages=messages,
        total_price=total_price,
        currency=_currency(obj),
        total_count=max(0, c.integer(obj.get("total_count"), default=len(messages))),
        queued_count=max(0, c.integer(obj.get("queued_count"))),
        blocked_count=max(0, c.integer(obj.get("blocked_count"))),
    )


# --------------------------------------------------------------------------- history


def _direction(value: Any) -> Direction:
    return "in" if (c.text(value) or "").strip().lower() == "in" else "out"


def _history_message(raw: dict[str, Any]) -> HistoryMessage | None:
    mid = c.message_id(raw.get("message_id"))
    if mid is None:
        return None
    return HistoryMessage(
        message_id=mid,
        direction=_direction(raw.get("direction")),
        to=c.text_or_empty(raw.get("to")),
        sender=c.text_or_empty(raw.get("from")),
        body=c.text_or_empty(raw.get("body")),
        status=c.text_or_empty(raw.get("status")),
        date=c.timestamp(raw.get("date")),
        schedule=c.timestamp(raw.get("schedule")),
        parts=max(0, c.integer(raw.get("message_parts"))),
        price=c.decimal(raw.get("message_price")),
        status_code=c.status_code(raw.get("status_code")),
        status_text=c.optional_text(raw.get("status_text")),
        error_code=c.status_code(raw.get("error_code")),
        error_text=c.optional_text(raw.get("error_text")),
        custom_string=c.optional_text(raw.get("custom_string")),
        country=c.optional_text(raw.get("country")),
        carrier=c.optional_text(raw.get("carrier")),
        list_id=c.optional_text(raw.get("list_id")),
    )


def parse_history_page(data: Any) -> Page[HistoryMessage]:
    return _page(data, _history_message)


def parse_history_record(raw: dict[str, Any]) -> HistoryMessage | None:
    """One history record, or ``None`` when it lacks a message id."""
    return _history_message(raw)


# --------------------------------------------------------------------------- inbound


def _inbound(raw: dict[str, Any]) -> InboundMessage | None:
    mid = c.message_id(raw.get("message_id"))
    if mid is None:
        return None
    # The schema says ``timestamp``; list examples say ``timestamp_send``.
    when = c.timestamp(raw.get("timestamp")) or c.timestamp(raw.get("timestamp_send"))
    return InboundMessage(
        message_id=mid,
        sender=c.text_or_empty(raw.get("from")),
        to=c.text_or_empty(raw.get("to")),
        body=c.text_or_empty(raw.get("body")),
        date=when,
        original_message_id=c.message_id(raw.get("original_message_id")),
        original_body=c.optional_text(raw.get("original_body")),
        custom_string=c.optional_text(raw.get("custom_string")),
    )


def parse_inbound_page(data: Any) -> Page[InboundMessage]:
    return _page(data, _inbound)


def parse_inbound(data: Any) -> InboundMessage:
    """``data`` of ``GET /sms/inbound/{original_message_id}``."""
    return parse_one(data, _inbound, "inbound message", "message id")


# --------------------------------------------------------------------------- receipts


def _receipt(raw: dict[str, Any]) -> DeliveryReceipt | None:
    mid = c.message_id(raw.get("message_id"))
    if mid is None:
        return None
    kind = c.optional_text(raw.get("message_type")) or c.optional_text(raw.get("_message_type"))
    return DeliveryReceipt(
        message_id=mid,
        status_code=c.status_code(raw.get("status_code")),
        status_text=c.optional_text(raw.get("status_text")),
        date=c.timestamp(raw.get("timestamp")),
        sent_at=c.timestamp(raw.get("timestamp_send")),
        error_code=c.status_code(raw.get("error_code")),
        error_text=c.optional_text(raw.get("error_text")),
        custom_string=c.optional_text(raw.get("custom_string")),
        message_type=(kind or "sms").strip().lower(),
    )


def parse_receipts_page(data: Any) -> Page[DeliveryReceipt]:
    return _page(data, _receipt)


def parse_receipt(data: Any) -> DeliveryReceipt:
    """``data`` of ``GET /sms/receipts/{message_id}``."""
    return parse_one(data, _receipt, "delivery receipt", "message id")


# --------------------------------------------------------------------------- templates


def _template(raw: dict[str, Any]) -> Template | None:
    tid = c.optional_text(raw.get("template_id"))
    if tid is None:
        return None
    return Template(
        template_id=tid.strip(),
        name=c.text_or_empty(raw.get("template_name")),
        body=c.text_or_empty(raw.get("body")),
    )


def parse_templates_page(data: Any) -> Page[Template]:
    return _page(data, _template)


def parse_template(data: Any) -> Template:
    return parse_one(data, _template, "template", "template id")


# --------------------------------------------------------------------------- account / counts


def parse_account(data: Any) -> Account:
    """``data`` of ``GET /account``. ``_subaccount`` (it holds a live API key) is never read."""
    obj = _object(data, "account")
    part_cap = c.integer(obj.get("setting_sms_message_char_limit"), default=6)
    return Account(
        user_id=c.text_or_empty(obj.get("user_id")),
        username=c.text_or_empty(obj.get("username")),
        balance=c.decimal(obj.get("balance")) or Decimal(0),
        currency=_currency(obj),
        account_name=c.text_or_empty(obj.get("account_name")),
        email=c.text_or_empty(obj.get("user_email")),
        country=c.text_or_empty(obj.get("country")),
        default_country_sms=c.text_or_empty(obj.get("default_country_sms")),
        timezone=c.text_or_empty(obj.get("timezone")),
        part_cap=part_cap if 1 <= part_cap <= 100 else 6,
        unicode_enabled=c.flag(obj.get("setting_unicode_sms")),
    )


def parse_count(envelope: Envelope) -> int:
    """How many items a mark-read or cancel-all touched.

    ``data`` may be the int count (read-one), ``{"count": N}`` (cancel-all), or carry nothing
    (``"{}"``, ``[]``, ``null``); then the number in ``response_msg`` ("2 sms messages have
    been cancelled.") is used, else 0.
    """
    data = envelope.data
    if isinstance(data, int | float | str) and not isinstance(data, bool):
        found = c.optional_integer(data)
        if found is not None:
            return max(0, found)
    obj = c.mapping(data)
    if obj is not None and "count" in obj:
        return max(0, c.integer(obj.get("count")))
    first_word = envelope.response_msg.strip().split(" ", 1)[0]
    return max(0, c.integer(first_word)) if first_word.isdigit() else 0
