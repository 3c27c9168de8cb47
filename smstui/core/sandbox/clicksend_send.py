"""``POST /v3/sms/send`` and ``/v3/sms/price``: per-message checks, pricing, balance, outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .envelope import ClickSendProblem, envelope
from .http import SandboxResponse
from .pricing import (
    SHARED_NUMBER,
    TEST_NUMBERS,
    billed_parts,
    carrier_for,
    new_message_id,
    parse_recipient,
    rate_for,
    valid_sender,
)
from .records import FAILURES, InboundRecord, SmsRecord
from .seed import REPLIES

if TYPE_CHECKING:
    from .clicksend import SimClickSend

MAX_MESSAGES = 1000
_CENT = Decimal("0.0001")


@dataclass(slots=True)
class _Candidate:
    """A message that passed every check and would be queued (if the balance allows)."""

    index: int
    record: SmsRecord


def send_or_price(cs: SimClickSend, payload: Any, *, commit: bool) -> SandboxResponse:
    messages = payload.get("messages") if isinstance(payload, dict) else None
    if not isinstance(messages, list) or not messages:
        raise ClickSendProblem(
            400, "Invalid input.", {"messages": "The messages field is required."}
        )
    if len(messages) > MAX_MESSAGES:
        raise ClickSendProblem(
            400,
            f"Too many recipients: up to {MAX_MESSAGES} messages per request.",
            code="TOO_MANY_RECIPIENTS",
        )
    from .clicksend import CURRENCY

    now = int(cs.now())
    out: list[dict[str, Any]] = []
    candidates: list[_Candidate] = []
    blocked = 0
    for raw in messages:
        msg: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if commit:
            cs.received.append(dict(msg))
        result, candidate = _check(cs, msg, now, commit=commit)
        if candidate is not None:
            candidates.append(_Candidate(len(out), candidate))
        elif result["status"] == "COUNTRY_NOT_ENABLED":
            blocked += 1
        out.append(result)

    cost = sum((c.record.price for c in candidates), Decimal(0))
    if commit and cost > cs.world.balance:
        # ClickSend refuses the whole batch rather than sending part of it
        for c in candidates:
            out[c.index]["status"] = "INSUFFICIENT_CREDIT"
        candidates, cost = [], Decimal(0)
    if commit:
        cs.world.balance -= cost
        for c in candidates:
            _accept(cs, c.record)

    data = {
        "total_price": float(cost) if cost else 0,
        "total_count": len(messages),
        "queued_count": len(candidates),
        "messages": out,
        "_currency": CURRENCY,
        "blocked_count": blocked,
    }
    message = "Messages queued for delivery." if commit else "Here is some pricing."
    return envelope(200, message, data)


def _check(
    cs: SimClickSend, msg: dict[str, Any], now: int, *, commit: bool
) -> tuple[dict[str, Any], SmsRecord | None]:
    message_id = new_message_id(cs.world.rng)
    raw_body = msg.get("body")
    body = raw_body if isinstance(raw_body, str) else ""
    sender_raw = msg.get("from")
    sender = sender_raw.strip() if isinstance(sender_raw, str) and sender_raw.strip() else None
    custom = msg.get("custom_string")
    custom_string = str(custom) if custom is not None else None

    def minimal(status: str) -> dict[str, Any]:
        # rejected messages come back without date, country, carrier, parts or price
        return {
            "to": str(msg.get("to") or ""),
            "body": body,
            "from": sender or "",
            "schedule": "",
            "message_id": message_id,
            "custom_string": custom_string or "",
            "is_shared_system_number": sender is None,
            "status": status,
        }

    hint = msg.get("country") if isinstance(msg.get("country"), str) else None
    parsed = parse_recipient(msg.get("to"), hint)
    if parsed is None:
        return minimal("INVALID_RECIPIENT"), None
    if not body.strip():
        return minimal("EMPTY_MESSAGE"), None
    if sender is not None and not valid_sender(sender):
        return minimal("INVALID_SENDER_ID"), None
    send_at = _schedule(msg.get("schedule"), now)
    if send_at is None:
        return minimal("INVALID_SCHEDULE"), None

    to, country = parsed
    test = to in TEST_NUMBERS
    enabled = country in cs.world.enabled_countries
    parts = billed_parts(body, cs.part_cap) if enabled and not test else 0
    price = (rate_for(country) * parts).quantize(_CENT)
    status = "SUCCESS" if enabled else "COUNTRY_NOT_ENABLED"
    common = {
        "to": to,
        "body": body,
        "from": sender or SHARED_NUMBER,
        "message_id": message_id,
        "message_parts": parts,
        "message_price": f"{price:.4f}",
        "custom_string": custom_string or "",
        "is_shared_system_number": sender is None,
        "country": country,
        "status": status,
    }
    if commit:
        result = {
            "direction": "out",
            "date": now,
            **common,
            "schedule": send_at,
            "from_email": None,
            "list_id": None,
            "contact_id": None,
            "user_id": cs.user["user_id"],
            "subaccount_id": cs.user["subaccount_id"],
            "carrier": carrier_for(to, country),
        }
    else:
        result = {**common, "schedule": "" if send_at == now else str(send_at)}
    if not enabled:
        return result, None
    record = SmsRecord(
        message_id=message_id,
        to=to,
        sender=sender or SHARED_NUMBER,
        body=body,
        date=now,
        send_at=send_at,
        parts=parts,
        price=price,
        country=country,
        carrier=carrier_for(to, country),
        custom_string=custom_string,
        is_shared=sender is None,
        test_number=test,
        receipt_due=None,
        scheduled=send_at > now,
    )
    return result, record


def _schedule(raw: Any, now: int) -> int | None:
    """The send time: ``now`` when absent or past; ``None`` when not a Unix timestamp."""
    if raw is None or raw == "" or raw == 0:
        return now
    if isinstance(raw, bool):
        return None
    try:
        when = int(raw)
    except (TypeError, ValueError):
        return None
    return max(when, now)


def _accept(cs: SimClickSend, record: SmsRecord) -> None:
    """Queue it and draw its fate now, so the outcome is fixed by the seed."""
    world = cs.world
    if not record.test_number:
        record.receipt_due = record.send_at + world.receipt_delay
        record.delivered = world.rng.random() >= world.failure_rate
        if not record.delivered:
            record.failure = world.rng.choice(FAILURES)
        # an alphanumeric sender cannot be replied to
        can_reply = not record.sender.isalnum()
        if record.delivered and can_reply and world.rng.random() < world.reply_rate:
            cs.inbound.append(
                InboundRecord(
                    message_id=new_message_id(world.rng),
                    sender=record.to,
                    to=record.sender,
                    body=world.rng.choice(REPLIES),
                    timestamp=int(record.send_at + world.reply_delay),
                    original_message_id=record.message_id,
                    original_body=record.body,
                    custom_string=record.custom_string or "",
                )
            )
    cs.store(record)
