"""ClickSend's SMS campaigns (``/sms-campaigns``) for the sandbox.

A campaign sends one message per contact of one list, merge fields filled per contact. Its
messages land in SMS history like any other, tagged with the campaign's ``custom_string``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .envelope import ClickSendProblem, envelope, page_params, paginate
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
from .records import SmsRecord

if TYPE_CHECKING:
    from .clicksend import SimClickSend

MAX_RECIPIENTS = 20_000
_CENT = Decimal("0.0001")
_MERGE = {
    "(First Name)": "first_name",
    "(Last Name)": "last_name",
    "(Custom 1)": "custom_1",
    "(Custom 2)": "custom_2",
    "(Custom 3)": "custom_3",
    "(Custom 4)": "custom_4",
}


@dataclass(slots=True)
class CampaignBook:
    campaigns: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: message ids each campaign queued (for cancel)
    messages: dict[int, list[str]] = field(default_factory=dict)
    next_id: int = 2145880
    #: every campaign request that reached /sms-campaigns/send (tests count sends here)
    received: list[dict[str, Any]] = field(default_factory=list)


def merge(body: str, contact: dict[str, Any]) -> str:
    for tag, key in _MERGE.items():
        body = body.replace(tag, str(contact.get(key) or ""))
    return body


def _request(cs: SimClickSend, payload: Any) -> tuple[dict[str, Any], int, list[dict[str, Any]]]:
    if not isinstance(payload, dict):
        raise ClickSendProblem(400, "Invalid input.")
    errors = {
        k: f"The {k} field is required."
        for k in ("list_id", "name", "body")
        if payload.get(k) in (None, "")
    }
    if errors:
        raise ClickSendProblem(400, "Invalid input.", errors)
    raw_list = str(payload["list_id"])
    if not raw_list.isdigit() or int(raw_list) not in cs.contacts.lists:
        raise ClickSendProblem(404, "List not found.", code="NOT_FOUND")
    sender = payload.get("from")
    if sender not in (None, "") and not valid_sender(str(sender)):
        raise ClickSendProblem(400, "Invalid sender id.", {"from": "Invalid sender id."})
    members = [c for c in cs.contacts.members(int(raw_list)) if c.get("phone_number")]
    if len(members) > MAX_RECIPIENTS:
        raise ClickSendProblem(400, f"A campaign can have at most {MAX_RECIPIENTS} recipients.")
    return payload, int(raw_list), members


def _priced(cs: SimClickSend, body: str, contact: dict[str, Any]) -> tuple[str, str, int, Decimal]:
    parsed = parse_recipient(contact["phone_number"], None) or (contact["phone_number"], "AU")
    to, country = parsed
    text = merge(body, contact)
    enabled = country in cs.world.enabled_countries and to not in TEST_NUMBERS
    parts = billed_parts(text, cs.part_cap) if enabled else 0
    return to, country, parts, (rate_for(country) * parts).quantize(_CENT)


def _at(cs: SimClickSend, req: dict[str, Any]) -> int:
    now = int(cs.now())
    try:
        return max(int(req.get("schedule") or now), now)
    except (TypeError, ValueError) as exc:
        raise ClickSendProblem(400, "The schedule must be a Unix timestamp.") from exc


def price(cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], payload: Any) -> SandboxResponse:
    from .clicksend import CURRENCY

    req, _list_id, members = _request(cs, payload)
    total = sum((_priced(cs, str(req["body"]), c)[3] for c in members), Decimal(0))
    data = {
        "total_count": len(members),
        "total_price": f"{total:.4f}",
        # an integer, as in the docs' example and the SDK's model (the send time it would take)
        "data": {
            "from": req.get("from") or SHARED_NUMBER,
            "body": req["body"],
            "schedule": _at(cs, req),
        },
        "_currency": CURRENCY,
    }
    return envelope(200, "Here is your price for your SMS Campaign.", data)


def send(cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], payload: Any) -> SandboxResponse:
    req, list_id, members = _request(cs, payload)
    cs.campaigns.received.append(dict(req))
    now = int(cs.now())
    send_at = _at(cs, req)
    priced = [(c, *_priced(cs, str(req["body"]), c)) for c in members]
    cost = sum((p[4] for p in priced), Decimal(0))
    if cost > cs.world.balance:
        raise ClickSendProblem(400, "Not enough credit to send this campaign.")
    campaign_id = cs.campaigns.next_id
    cs.campaigns.next_id += 1
    custom = f"campaign-{campaign_id}"
    sender = str(req.get("from") or SHARED_NUMBER)
    ids: list[str] = []
    for contact, to, country, parts, cost_one in priced:
        record = SmsRecord(
            message_id=new_message_id(cs.world.rng),
            to=to,
            sender=sender,
            body=merge(str(req["body"]), contact),
            date=now,
            send_at=send_at,
            parts=parts,
            price=cost_one,
            country=country,
            carrier=carrier_for(to, country),
            custom_string=custom,
            is_shared=not req.get("from"),
            test_number=to in TEST_NUMBERS,
            receipt_due=None if to in TEST_NUMBERS else send_at + cs.world.receipt_delay,
            scheduled=send_at > now,
        )
        cs.store(record)
        ids.append(record.message_id)
    cs.world.balance -= cost
    campaign = {
        "sms_campaign_id": campaign_id,
        "name": str(req["name"]),
        "user_id": cs.user["user_id"],
        "subaccount_id": cs.user["subaccount_id"],
        "list_id": list_id,
        "from": sender,
        "body": str(req["body"]),
        "schedule": send_at,
        "date_added": now,
        "custom_string": custom,
        "url_to_shorten": "",
        "unsubscribe_link": 0,
        "source": str(req.get("source") or ""),
        "senders": [],
        "_total_count": len(members),
        "_list_name": cs.contacts.lists[list_id]["list_name"],
        "_cancelled": False,
    }
    cs.campaigns.campaigns[campaign_id] = campaign
    cs.campaigns.messages[campaign_id] = ids
    return envelope(200, "Your new campaign has been added.", _json(cs, campaign))


def _json(cs: SimClickSend, campaign: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in campaign.items() if k != "_cancelled"}
    now = cs.now()
    if campaign["_cancelled"]:
        doc["status"] = "Cancelled"
    elif campaign["schedule"] > now:
        doc["status"] = "Scheduled"
    else:
        doc["status"] = "Sent" if now >= campaign["schedule"] + 1 else "Queued"
    return doc


def _campaign(cs: SimClickSend, raw: str) -> dict[str, Any]:
    found = cs.campaigns.campaigns.get(int(raw)) if raw.isdigit() else None
    if found is None:
        raise ClickSendProblem(404, "SMS campaign not found.", code="NOT_FOUND")
    return found


def campaigns(
    cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any
) -> SandboxResponse:
    page, limit = page_params(query)
    rows = [_json(cs, c) for _, c in sorted(cs.campaigns.campaigns.items())]
    data = paginate(rows, page, limit, "/v3/sms-campaigns")
    return envelope(200, "Here are your SMS campaign(s) (shared included).", data)


def get(cs: SimClickSend, m: re.Match[str], _q: dict[str, str], _p: Any) -> SandboxResponse:
    return envelope(200, "Your SMS Campaign.", _json(cs, _campaign(cs, m["id"])))


def cancel(cs: SimClickSend, m: re.Match[str], _q: dict[str, str], _p: Any) -> SandboxResponse:
    campaign = _campaign(cs, m["id"])
    if _json(cs, campaign)["status"] != "Scheduled":
        raise ClickSendProblem(400, "Only a scheduled campaign can be cancelled.")
    campaign["_cancelled"] = True
    for message_id in cs.campaigns.messages.get(campaign["sms_campaign_id"], []):
        record = cs.by_id.get(message_id)
        if record is not None and not record.cancelled:
            cs._cancel(record)  # refunds it, like ClickSend
    return envelope(200, "Your SMS Campaign has been cancelled.", _json(cs, campaign))


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", "/v3/sms-campaigns/send", send),
    ("POST", "/v3/sms-campaigns/price", price),
    ("GET", "/v3/sms-campaigns", campaigns),
    ("GET", r"/v3/sms-campaigns/(?P<id>[^/]+)", get),
    ("PUT", r"/v3/sms-campaigns/(?P<id>[^/]+)/cancel", cancel),
]
