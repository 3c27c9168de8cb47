"""ClickSend's MMS and voice (text-to-speech) endpoints for the sandbox.

MMS: ``/mms/send`` and ``/mms/price`` take ``media_file`` at the top level; ``/mms/history``
(oldest first, ``date_from``/``date_to`` honoured).
Voice: ``/voice/send|price`` with per-message ``voice``/``lang``; a language without the
asked-for gender gets ``INVALID_VOICE`` inside a 200, as live; ``/voice/lang``,
``/voice/history``, ``/voice/receipts``, ``/voice/{id}/cancel``, ``/voice/cancel-all``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from smstui.core.sms_text import mms_limit, voice_credits

from .envelope import ClickSendProblem, envelope, page_params, paginate
from .http import SandboxResponse
from .pricing import SHARED_NUMBER, TEST_NUMBERS, carrier_for, new_message_id, parse_recipient

if TYPE_CHECKING:
    from .clicksend import SimClickSend

MAX_MESSAGES = 1000
MMS_RATE = Decimal("0.4400")  # AUD per MMS
VOICE_RATE = Decimal("0.0700")  # AUD per voice credit
MAX_SUBJECT = 20

#: ClickSend's documented voice languages (``GET /voice/lang``, legacy shape: str or list)
LANGUAGES: tuple[tuple[str, str, str | list[str]], ...] = (
    ("en-us", "English, US", ["female", "male"]),
    ("en-au", "English, Australia", ["female", "male"]),
    ("en-gb", "English, UK", ["female", "male"]),
    ("en-in", "English, India", "female"),
    ("de-de", "German, Germany", ["female", "male"]),
    ("es-es", "Spanish, Spain", ["female", "male"]),
    ("fr-ca", "French, Canada", "female"),
    ("fr-fr", "French, France", ["female", "male"]),
    ("it-it", "Italian, Italy", ["female", "male"]),
    ("pt-pt", "Portuguese, Portugal", "male"),
    ("sv-se", "Swedish, Sweden", "female"),
)


@dataclass(slots=True)
class ChannelBook:
    mms: list[dict[str, Any]] = field(default_factory=list)
    voice: list[dict[str, Any]] = field(default_factory=list)
    #: every message that reached /mms/send and /voice/send (tests count sends here)
    mms_received: list[dict[str, Any]] = field(default_factory=list)
    voice_received: list[dict[str, Any]] = field(default_factory=list)


def _messages(payload: Any) -> list[dict[str, Any]]:
    messages = payload.get("messages") if isinstance(payload, dict) else None
    if not isinstance(messages, list) or not messages:
        raise ClickSendProblem(
            400, "Invalid input.", {"messages": "The messages field is required."}
        )
    if len(messages) > MAX_MESSAGES:
        raise ClickSendProblem(400, f"Up to {MAX_MESSAGES} messages per request.")
    return [m if isinstance(m, dict) else {} for m in messages]


def _schedule(raw: Any, now: int) -> int:
    try:
        return max(int(raw or now), now)
    except (TypeError, ValueError) as exc:
        raise ClickSendProblem(400, "The schedule must be a Unix timestamp.") from exc


def _base(cs: SimClickSend, msg: dict[str, Any], now: int) -> dict[str, Any]:
    custom = msg.get("custom_string")
    return {
        "message_id": new_message_id(cs.world.rng),
        "to": str(msg.get("to") or ""),
        "body": msg.get("body") if isinstance(msg.get("body"), str) else "",
        "from": str(msg.get("from") or SHARED_NUMBER),
        "custom_string": "" if custom is None else str(custom),
        "schedule": _schedule(msg.get("schedule"), now),
        "date": now,
        "date_added": now,
        "list_id": None,
        "user_id": cs.user["user_id"],
        "subaccount_id": cs.user["subaccount_id"],
    }


def _finish(
    cs: SimClickSend,
    out: list[dict[str, Any]],
    store: list[dict[str, Any]],
    *,
    commit: bool,
    what: str,
) -> SandboxResponse:
    from .clicksend import CURRENCY

    ok = [m for m in out if m["status"] == "SUCCESS"]
    cost = sum((Decimal(m["message_price"]) for m in ok), Decimal(0))
    if commit and cost > cs.world.balance:
        for m in ok:
            m["status"] = "INSUFFICIENT_CREDIT"
        ok, cost = [], Decimal(0)
    if commit:
        cs.world.balance -= cost
        store.extend(ok)
    data = {
        "total_price": float(cost) if cost else 0,
        "total_count": len(out),
        "queued_count": len(ok),
        "messages": [_wire({k: v for k, v in m.items() if not k.startswith("__")}) for m in out],
        "_currency": CURRENCY,
    }
    return envelope(
        200, f"{what} queued for delivery." if commit else "Here is some pricing.", data
    )


# --------------------------------------------------------------------------- MMS


def _mms(cs: SimClickSend, payload: Any, *, commit: bool) -> SandboxResponse:
    messages = _messages(payload)
    media = payload.get("media_file") if isinstance(payload, dict) else None
    now = int(cs.now())
    out = []
    for msg in messages:
        if commit:
            cs.channels.mms_received.append({**msg, "media_file": media})
        record = _base(cs, msg, now)
        record.update({"subject": str(msg.get("subject") or ""), "_media_file_url": media})
        parsed = parse_recipient(msg.get("to"), msg.get("country") or None)
        body = record["body"]
        if parsed is None:
            status = "INVALID_RECIPIENT"
        elif not record["subject"]:
            status = "SUBJECT_REQUIRED"
        elif len(record["subject"]) > MAX_SUBJECT:
            status = "INVALID_SUBJECT"
        elif not isinstance(media, str) or not media.lower().endswith((".jpg", ".gif")):
            status = "INVALID_MEDIA_FILE"
        elif not body.strip() or len(body) > mms_limit(body):
            status = "INVALID_BODY" if body.strip() else "EMPTY_MESSAGE"
        else:
            status = "SUCCESS"
        if parsed is not None:
            record["to"], record["country"] = parsed
            record["carrier"] = carrier_for(parsed[0], parsed[1])
        free = parsed is not None and parsed[0] in TEST_NUMBERS
        record["message_parts"] = 1 if status == "SUCCESS" else 0
        record["message_price"] = f"{Decimal(0) if free or status != 'SUCCESS' else MMS_RATE:.4f}"
        record["status"] = status
        out.append(record)
    return _finish(cs, out, cs.channels.mms, commit=commit, what="Messages")


def mms_send(cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], p: Any) -> SandboxResponse:
    return _mms(cs, p, commit=True)


def mms_price(cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], p: Any) -> SandboxResponse:
    return _mms(cs, p, commit=False)


def _wire(doc: dict[str, Any], *, history: bool = False) -> dict[str, Any]:
    """A record as ClickSend's SDK 6 models type it (records keep ints inside): ``date`` is a
    string (``Mms``, ``VoiceMessage``); MMS ``schedule`` a string, and in MMS history
    ``message_parts`` a decimal string ("1.00"), as in the docs' examples."""
    doc["date"] = str(doc["date"])
    if "_media_file_url" in doc:  # MMS
        doc["schedule"] = str(doc["schedule"])
        if history:
            doc["message_parts"] = f"{doc['message_parts']:.2f}"
    return doc


def _history_doc(cs: SimClickSend, r: dict[str, Any], kind: str, now: float) -> dict[str, Any]:
    doc = _wire({k: v for k, v in r.items() if not k.startswith("__")}, history=True)
    doc["direction"] = "out"
    if r.get("__cancelled"):
        doc["status"] = "Cancelled"
    elif r["schedule"] > now:  # the record's own int, not the document's string
        doc["status"] = "Scheduled"
    else:
        doc["status"] = "Completed" if now >= r["schedule"] + cs.world.receipt_delay else "Sent"
    if kind == "voice" and doc["status"] == "Completed":
        doc["status_code"], doc["status_text"] = "201", "Delivered"
    return doc


def _history(
    cs: SimClickSend, query: dict[str, str], rows: list[dict[str, Any]], kind: str
) -> dict[str, Any]:
    """One page of a channel's history (``date_from``/``date_to`` as the SDKs send them);
    only that page's documents are built."""
    page, limit = page_params(query)
    try:
        date_from = int(query["date_from"]) if query.get("date_from") else None
        date_to = int(query["date_to"]) if query.get("date_to") else None
    except ValueError as exc:
        raise ClickSendProblem(400, "date_from and date_to must be Unix timestamps.") from exc
    if date_from is not None:
        rows = [r for r in rows if r["date"] >= date_from]
    if date_to is not None:
        rows = [r for r in rows if r["date"] <= date_to]
    now = cs.now()
    data = paginate(rows, page, limit, f"/v3/{kind}/history")
    data["data"] = [_history_doc(cs, r, kind, now) for r in data["data"]]
    return data


def mms_history(
    cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any
) -> SandboxResponse:
    return envelope(200, "Here are your data.", _history(cs, query, cs.channels.mms, "mms"))


# --------------------------------------------------------------------------- voice


def _genders(code: str) -> list[str] | None:
    for lang, _name, gender in LANGUAGES:
        if lang == code:
            return gender if isinstance(gender, list) else [gender]
    return None


def _voice(cs: SimClickSend, payload: Any, *, commit: bool) -> SandboxResponse:
    messages = _messages(payload)
    now = int(cs.now())
    out = []
    for msg in messages:
        if commit:
            cs.channels.voice_received.append(dict(msg))
        record = _base(cs, msg, now)
        voice = str(msg.get("voice") or "female").lower()
        lang = str(msg.get("lang") or "en-us").lower()
        record.update(
            {
                "to_type": "mobile",
                "lang": lang,
                "voice": voice,
                "require_input": 1 if msg.get("require_input") else 0,
                "machine_detection": 1 if msg.get("machine_detection") else 0,
                "machine_detected": 0,
                "digits": None,
            }
        )
        parsed = parse_recipient(msg.get("to"), msg.get("country") or None)
        genders = _genders(lang)
        body = record["body"]
        if parsed is None:
            status = "INVALID_RECIPIENT"
        elif genders is None or voice not in genders:
            status = "INVALID_VOICE"
        elif not body.strip():
            status = "EMPTY_MESSAGE"
        else:
            status = "SUCCESS"
        if parsed is not None:
            record["to"], record["country"] = parsed
            record["carrier"] = carrier_for(parsed[0], parsed[1])
        credits = min(voice_credits(body), 4) if status == "SUCCESS" else 0
        free = parsed is not None and parsed[0] in TEST_NUMBERS
        record["message_parts"] = credits
        record["message_price"] = f"{Decimal(0) if free else VOICE_RATE * credits:.4f}"
        record["status"] = status
        if commit and status == "SUCCESS" and record["require_input"]:
            record["__digits"] = cs.world.rng.randint(1, 9)
        out.append(record)
    return _finish(cs, out, cs.channels.voice, commit=commit, what="Voice messages")


def voice_send(cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], p: Any) -> SandboxResponse:
    return _voice(cs, p, commit=True)


def voice_price(cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], p: Any) -> SandboxResponse:
    return _voice(cs, p, commit=False)


def voice_lang(cs: SimClickSend, *_: Any) -> SandboxResponse:
    data = [{"code": c, "country": n, "gender": g} for c, n, g in LANGUAGES]
    return envelope(200, "Here are the possible languages.", data)


def voice_history(
    cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any
) -> SandboxResponse:
    data = _history(cs, query, cs.channels.voice, "voice")
    return envelope(200, "Here is your history.", data)


def voice_receipts(
    cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any
) -> SandboxResponse:
    page, limit = page_params(query)
    due = [
        r
        for r in cs.channels.voice
        if not r.get("__cancelled") and cs.now() >= r["schedule"] + cs.world.receipt_delay
    ]
    data = paginate(due, page, limit, "/v3/voice/receipts")
    data["data"] = [
        {
            "timestamp_send": str(r["schedule"]),
            "timestamp": str(int(r["schedule"] + cs.world.receipt_delay)),
            "message_id": r["message_id"],
            "status_code": "201",
            "status_text": "Success: Message received on handset.",
            "error_code": None,
            "error_text": None,
            "custom_string": r["custom_string"] or None,
            "message_type": "voice",
            "digits": r.get("__digits"),
        }
        for r in data["data"]
    ]
    return envelope(200, "Here are your delivery receipts.", data)


def _cancel(cs: SimClickSend, record: dict[str, Any]) -> None:
    record["__cancelled"] = True
    cs.world.balance += Decimal(record["message_price"])


def voice_cancel(
    cs: SimClickSend, m: re.Match[str], _q: dict[str, str], _p: Any
) -> SandboxResponse:
    wanted = m["id"].upper()
    record = next((r for r in cs.channels.voice if r["message_id"] == wanted), None)
    if record is None:
        raise ClickSendProblem(404, "Voice message not found.", code="NOT_FOUND")
    if record.get("__cancelled") or record["schedule"] <= cs.now():
        raise ClickSendProblem(400, "Only a scheduled voice message can be cancelled.")
    _cancel(cs, record)
    return envelope(200, "Voice have been cancelled.", [])


def voice_cancel_all(
    cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], _p: Any
) -> SandboxResponse:
    now = cs.now()
    pending = [r for r in cs.channels.voice if not r.get("__cancelled") and r["schedule"] > now]
    for record in pending:
        _cancel(cs, record)
    count = len(pending)
    return envelope(200, f"{count} messages have been cancelled.", {"count": count})


#: how an account that lacks a channel refuses it (``SandboxWorld(refused_channels=...)``);
#: the exact live answers are unverified, so the sandbox offers the three shapes seen in
#: ClickSend's error catalogue and smstui must treat all of them as "not available"
REFUSALS: dict[str, tuple[int, str]] = {
    "403": (403, "You do not have access to this resource."),
    "404": (404, "Resource not found."),
    "not_enabled": (400, "{channel} is not enabled on this account. Please contact support."),
}
_CHANNEL_PATH = re.compile(r"/v3/(?P<channel>mms|voice)(/|$)")


def refusal(refused: dict[str, str], path: str) -> SandboxResponse | None:
    """The answer for a path of a channel the account refuses, else None."""
    match = _CHANNEL_PATH.match(path)
    if match is None or match["channel"] not in refused:
        return None
    status, text = REFUSALS[refused[match["channel"]]]
    name = "MMS" if match["channel"] == "mms" else "Voice"
    return envelope(status, text.format(channel=name), None)


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", "/v3/mms/send", mms_send),
    ("POST", "/v3/mms/price", mms_price),
    ("GET", "/v3/mms/history", mms_history),
    ("POST", "/v3/voice/send", voice_send),
    ("POST", "/v3/voice/price", voice_price),
    ("GET", "/v3/voice/lang", voice_lang),
    ("GET", "/v3/voice/history", voice_history),
    ("GET", "/v3/voice/receipts", voice_receipts),
    ("PUT", "/v3/voice/cancel-all", voice_cancel_all),
    ("PUT", r"/v3/voice/(?P<id>[^/]+)/cancel", voice_cancel),
]
