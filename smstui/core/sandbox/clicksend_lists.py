"""ClickSend's list and read endpoints: history, receipts, inbound, templates.

Every listing pages the records first and builds JSON only for the page it answers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from .envelope import ClickSendProblem, envelope, page_params, paginate
from .history_index import Row, history_index
from .http import SandboxResponse
from .records import InboundRecord, SmsRecord

if TYPE_CHECKING:
    from .clicksend import SimClickSend

T = TypeVar("T")

_HISTORY_FIELDS = frozenset({"status", "to", "from", "message_id", "custom_string"})
_ORDER_FIELDS = frozenset({"date", "from", "to", "status", "body", "message_id"})


def history(cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any) -> SandboxResponse:
    """Filter and sort the records themselves and serialise only the page asked for: building
    every row's JSON made each request cost tens of ms at a few thousand messages."""
    page, limit = page_params(query)
    terms = _search_terms(query.get("q", ""))
    try:
        date_from = int(query["date_from"]) if query.get("date_from") else None
        date_to = int(query["date_to"]) if query.get("date_to") else None
    except ValueError as exc:
        raise ClickSendProblem(400, "date_from and date_to must be Unix timestamps.") from exc
    field, descending = _order(query.get("order_by", ""))
    now = cs.now()
    listed_before = now - cs.world.history_lag
    if field == "date":
        # the usual order: the date window of the records kept sorted between calls
        cs.history_index = history_index(cs.history_index, cs.messages, cs.inbound)
        rows = cs.history_index.window(listed_before, now, date_from, date_to)
    else:
        rows = _listed(cs, listed_before, now, date_from, date_to)
    if terms:
        rows = [t for t in rows if _matches(t[2], terms, now)]
    if field != "date":
        # a stable sort on (key, message_id) keeps pages consistent between calls
        rows.sort(key=lambda t: (str(t[2].history_value(field, now) or ""), t[1]))
    if descending:
        rows.reverse()
    data = paginate(rows, page, limit, "/v3/sms/history")  # the page's rows, not all records
    data["data"] = [
        r.history_json(now, cs.user) if isinstance(r, SmsRecord) else r.history_json(cs.user)
        for _, _, r in data["data"]
    ]
    return envelope(200, "Here are your history.", data)


def _listed(
    cs: SimClickSend, listed_before: float, now: float, date_from: int | None, date_to: int | None
) -> list[Row]:
    """(date, message_id, record) of every record listed now within the date window."""
    rows: list[Row] = [(m.date, m.message_id, m) for m in cs.messages if m.date <= listed_before]
    rows += [(r.timestamp, r.message_id, r) for r in cs.visible_inbound()]
    if date_from is not None:
        rows = [t for t in rows if t[0] >= date_from]
    if date_to is not None:
        rows = [t for t in rows if t[0] <= date_to]
    return rows


def _search_terms(q: str) -> list[tuple[str, str]]:
    terms = []
    for part in filter(None, (p.strip() for p in q.split(","))):
        field, sep, value = part.partition(":")
        if not sep or field not in _HISTORY_FIELDS:
            raise ClickSendProblem(400, f"Invalid search field in q: {part!r}.")
        terms.append((field, value.strip()))
    return terms


def _matches(row: SmsRecord | InboundRecord, terms: list[tuple[str, str]], now: float) -> bool:
    return all(str(row.history_value(f, now) or "").lower() == v.lower() for f, v in terms)


def _order(raw: str) -> tuple[str, bool]:
    if not raw:
        return "date", False
    field, _, direction = raw.partition(":")
    direction = direction.lower() or "asc"
    if field not in _ORDER_FIELDS or direction not in ("asc", "desc"):
        raise ClickSendProblem(400, f"Invalid order_by: {raw!r}.")
    return field, direction == "desc"


# --------------------------------------------------------------------------- receipts


def _per_poll_rule(cs: SimClickSend, kind: str, rows: list[T]) -> list[T]:
    """What ClickSend lists for polling: nothing without an enabled POLL rule, and each
    message once per enabled POLL rule when there are several (clicksend-api.md §7.4)."""
    copies = cs.automations.poll_copies(kind)
    return [row for row in rows for _ in range(copies)]


def receipts(
    cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any
) -> SandboxResponse:
    page, limit = page_params(query)
    now = cs.now()
    unread = [m for m in cs.messages if m.receipt_visible(now) and not m.receipt_read]
    unread.sort(key=lambda m: (m.receipt_due or 0, m.message_id))
    data = paginate(_per_poll_rule(cs, "receipt", unread), page, limit, "/v3/sms/receipts")
    data["data"] = [m.receipt_json(cs.user["subaccount_id"]) for m in data["data"]]
    return envelope(200, "Here are your delivery receipts.", data)


def receipt(cs: SimClickSend, match: re.Match[str], _q: dict[str, str], _p: Any) -> SandboxResponse:
    record = cs.by_id.get(match["id"].upper())
    if record is None or not record.receipt_visible(cs.now()):
        raise ClickSendProblem(404, "Receipt record not found.")
    return envelope(200, "Your receipt.", record.receipt_json(cs.user["subaccount_id"]))


def receipts_read(
    cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], payload: Any
) -> SandboxResponse:
    before = _date_before(payload)
    now = cs.now()
    for m in cs.messages:
        if m.receipt_visible(now) and (before is None or (m.receipt_due or 0) < before):
            m.receipt_read = True
    # the docs' example has data "{}" (a string); the SDK's model wants an object or null
    return envelope(200, "Receipts have been marked as read.", {})


def _date_before(payload: Any) -> int | None:
    raw = payload.get("date_before") if isinstance(payload, dict) else None
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise ClickSendProblem(400, "date_before must be a Unix timestamp.") from exc


# --------------------------------------------------------------------------- inbound


def inbound(cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any) -> SandboxResponse:
    page, limit = page_params(query)
    unread = sorted(
        (r for r in cs.visible_inbound() if not r.read), key=lambda r: (r.timestamp, r.message_id)
    )
    data = paginate(_per_poll_rule(cs, "inbound", unread), page, limit, "/v3/sms/inbound")
    data["data"] = [r.json() for r in data["data"]]
    return envelope(200, "Here are your data.", data)


def inbound_one(
    cs: SimClickSend, match: re.Match[str], _q: dict[str, str], _p: Any
) -> SandboxResponse:
    wanted = match["id"].upper()
    for r in cs.visible_inbound():
        if (r.original_message_id or "").upper() == wanted:
            return envelope(200, "Here are your result.", r.json())
    raise ClickSendProblem(404, "Inbound message not found.")


def inbound_read(
    cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], payload: Any
) -> SandboxResponse:
    before = _date_before(payload)
    for r in cs.visible_inbound():
        if not r.read and (before is None or r.timestamp < before):
            r.read = True
    # no count here (unlike read-one): the SDK's model has a deprecated object-or-null data
    return envelope(200, "Inbound messages have been marked as read.", {})


def inbound_read_one(
    cs: SimClickSend, match: re.Match[str], _q: dict[str, str], _p: Any
) -> SandboxResponse:
    wanted = match["id"].upper()
    for r in cs.visible_inbound():
        if r.message_id.upper() == wanted:
            count = 0 if r.read else 1
            r.read = True
            return envelope(200, "Inbound message has been marked as read.", count)
    raise ClickSendProblem(404, "Inbound message not found.")


# --------------------------------------------------------------------------- templates


def templates(
    cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any
) -> SandboxResponse:
    page, limit = page_params(query)
    rows = sorted(cs.templates.values(), key=lambda t: t.template_id)
    data = paginate(rows, page, limit, "/v3/sms/templates")
    data["data"] = [t.json() for t in data["data"]]
    return envelope(200, "Here are your templates.", data)


def template_create(
    cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], payload: Any
) -> SandboxResponse:
    fields = payload if isinstance(payload, dict) else {}
    missing = {
        key: f"The {key} field is required."
        for key in ("template_name", "body")
        if not isinstance(fields.get(key), str) or not fields[key].strip()
    }
    if missing:
        raise ClickSendProblem(400, "Invalid input.", missing)
    template = cs.add_template(fields["template_name"], fields["body"])
    return envelope(200, "New template has been saved.", template.json())


def template_get(
    cs: SimClickSend, match: re.Match[str], _q: dict[str, str], _p: Any
) -> SandboxResponse:
    template = cs.templates.get(int(match["id"]))
    if template is None:
        raise ClickSendProblem(404, "Template not found.")
    return envelope(200, "Here is your template.", template.json())


def template_update(
    cs: SimClickSend, match: re.Match[str], _q: dict[str, str], payload: Any
) -> SandboxResponse:
    template = cs.templates.get(int(match["id"]))
    if template is None:
        raise ClickSendProblem(404, "Template not found.")
    fields = payload if isinstance(payload, dict) else {}
    for key in ("template_name", "body"):
        if key in fields and (not isinstance(fields[key], str) or not fields[key].strip()):
            raise ClickSendProblem(
                400, "Invalid input.", {key: f"The {key} must be a non-empty string."}
            )
    if isinstance(fields.get("template_name"), str):
        template.name = fields["template_name"]
    if isinstance(fields.get("body"), str):
        template.body = fields["body"]
    return envelope(200, "Your template has been updated.", template.json())


def template_delete(
    cs: SimClickSend, match: re.Match[str], _q: dict[str, str], _p: Any
) -> SandboxResponse:
    if cs.templates.pop(int(match["id"]), None) is None:
        raise ClickSendProblem(404, "Template not found.")
    return envelope(200, "Your template has been deleted.", None)
