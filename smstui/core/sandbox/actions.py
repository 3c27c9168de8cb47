"""The ten ClickSend actions of the sandbox connector: JSON Schemas, ranking, validation.

Each action maps its input to one ClickSend v3 call; ``membrane_routes`` runs it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_PAGE: dict[str, Any] = {
    "page": {"type": "integer", "minimum": 1, "default": 1, "description": "Page number."},
    "limit": {
        "type": "integer",
        "minimum": 15,
        "maximum": 100,
        "default": 15,
        "description": "Records per page (15-100).",
    },
}
_MESSAGE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "to": {"type": "string", "description": "Recipient in E.164 format, e.g. +61411111111."},
        "body": {"type": "string", "description": "Message text."},
        "from": {"type": "string", "description": "Sender id: a number or a 3-11 char alpha tag."},
        "schedule": {"type": "integer", "description": "Unix time to send at; omit to send now."},
        "custom_string": {"type": "string", "description": "Your reference, echoed back."},
        "country": {"type": "string", "description": "ISO country code to parse local numbers."},
    },
    "required": ["to", "body"],
}
_MESSAGES: dict[str, Any] = {
    "type": "object",
    "properties": {
        "messages": {"type": "array", "items": _MESSAGE, "minItems": 1, "maxItems": 1000},
        "shorten_urls": {"type": "boolean", "default": False},
    },
    "required": ["messages"],
}
_TEMPLATE_ID = {"type": "integer", "description": "Template id."}
_HISTORY_STATUSES = [
    "Queued",
    "Completed",
    "Scheduled",
    "WaitApproval",
    "Failed",
    "Cancelled",
    "Received",
    "Sent",
]

Call = tuple[str, str, dict[str, str], Any]  # method, ClickSend path, query, body


@dataclass(frozen=True, slots=True)
class ActionSpec:
    key: str
    name: str
    description: str
    input_schema: dict[str, Any]
    call: Callable[[dict[str, Any]], Call]

    @property
    def id(self) -> str:
        # stable across seeds and runs, shaped like Membrane's 24-hex ids
        return hashlib.sha256(self.key.encode()).hexdigest()[:24]

    def json(self, connection_id: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "type": "api-request-to-external-app",
            "state": "READY",
            "inputSchema": self.input_schema,
        }
        if connection_id is not None:
            out["connectionId"] = connection_id
        return out


def _paged(path: str) -> Callable[[dict[str, Any]], Call]:
    def call(i: dict[str, Any]) -> Call:
        return "GET", path, {"page": str(i["page"]), "limit": str(i["limit"])}, None

    return call


def _history(i: dict[str, Any]) -> Call:
    query = {"page": str(i["page"]), "limit": str(i["limit"])}
    terms = [f"status:{i['status']}"] if "status" in i else []
    if "q" in i:
        terms.append(i["q"])
    if terms:
        query["q"] = ",".join(terms)
    query["order_by"] = f"date:{i['order']}"
    for key in ("date_from", "date_to"):
        if key in i:
            query[key] = str(i[key])
    return "GET", "/v3/sms/history", query, None


def _template_body(i: dict[str, Any]) -> dict[str, Any]:
    return {k: i[k] for k in ("template_name", "body") if k in i}


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "send-sms",
        "Send SMS",
        "Send one or more SMS messages.",
        _MESSAGES,
        lambda i: ("POST", "/v3/sms/send", {}, {"messages": i["messages"]}),
    ),
    ActionSpec(
        "get-inbound-sms",
        "Get Inbound SMS",
        "Get all inbound (received) SMS messages.",
        {"type": "object", "properties": dict(_PAGE)},
        _paged("/v3/sms/inbound"),
    ),
    ActionSpec(
        "get-delivery-receipts",
        "Get Delivery Receipts",
        "Get all delivery receipts for sent SMS messages.",
        {"type": "object", "properties": dict(_PAGE)},
        _paged("/v3/sms/receipts"),
    ),
    ActionSpec(
        "get-sms-history",
        "Get SMS History",
        "Get the history of sent SMS messages.",
        {
            "type": "object",
            "properties": {
                **_PAGE,
                "status": {"type": "string", "enum": _HISTORY_STATUSES},
                "q": {"type": "string", "description": "Search, e.g. to:+61411111111."},
                "order": {"type": "string", "enum": ["asc", "desc"], "default": "asc"},
                "date_from": {"type": "integer", "description": "Unix time, inclusive."},
                "date_to": {"type": "integer", "description": "Unix time, inclusive."},
            },
        },
        _history,
    ),
    ActionSpec(
        "cancel-scheduled-sms",
        "Cancel Scheduled SMS",
        "Cancel a scheduled SMS message that has not been sent yet.",
        {
            "type": "object",
            "properties": {"message_id": {"type": "string", "description": "Message id."}},
            "required": ["message_id"],
        },
        lambda i: ("PUT", f"/v3/sms/{i['message_id']}/cancel", {}, None),
    ),
    ActionSpec(
        "get-sms-price",
        "Get SMS Price",
        "Calculate the price for sending SMS messages before actually sending them.",
        _MESSAGES,
        lambda i: ("POST", "/v3/sms/price", {}, {"messages": i["messages"]}),
    ),
    ActionSpec(
        "list-sms-templates",
        "List SMS Templates",
        "Get a list of all SMS templates.",
        {"type": "object", "properties": dict(_PAGE)},
        _paged("/v3/sms/templates"),
    ),
    ActionSpec(
        "create-sms-template",
        "Create SMS Template",
        "Create a new SMS template for reuse.",
        {
            "type": "object",
            "properties": {"template_name": {"type": "string"}, "body": {"type": "string"}},
            "required": ["template_name", "body"],
        },
        lambda i: ("POST", "/v3/sms/templates", {}, _template_body(i)),
    ),
    ActionSpec(
        "update-sms-template",
        "Update SMS Template",
        "Update an existing SMS template.",
        {
            "type": "object",
            "properties": {
                "template_id": _TEMPLATE_ID,
                "template_name": {"type": "string"},
                "body": {"type": "string"},
            },
            "required": ["template_id"],
        },
        lambda i: ("PUT", f"/v3/sms/templates/{i['template_id']}", {}, _template_body(i)),
    ),
    ActionSpec(
        "delete-sms-template",
        "Delete SMS Template",
        "Delete an SMS template.",
        {
            "type": "object",
            "properties": {"template_id": _TEMPLATE_ID},
            "required": ["template_id"],
        },
        lambda i: ("DELETE", f"/v3/sms/templates/{i['template_id']}", {}, None),
    ),
)


def find_action(id_or_key: str) -> ActionSpec | None:
    return next((a for a in ACTIONS if id_or_key in (a.key, a.id)), None)


def _words(text: str) -> set[str]:
    # crude stemming so "receipts" meets "receipt" and "messages" meets "message"
    return {w.removesuffix("s") for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1}


def rank(intent: str | None) -> list[ActionSpec]:
    """All actions, the best word overlap with ``intent`` first (ties keep their order)."""
    if not intent:
        return list(ACTIONS)
    wanted = _words(intent)

    def score(a: ActionSpec) -> int:
        return len(wanted & _words(f"{a.key} {a.name} {a.description}"))

    return sorted(ACTIONS, key=lambda a: -score(a))


# --------------------------------------------------------------------------- validation

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def validate(schema: dict[str, Any], value: Any, where: str = "input") -> list[str]:
    """Problems with ``value`` against the subset of JSON Schema the actions use."""
    expected = schema.get("type")
    if expected:
        ok = isinstance(value, _TYPES[expected])
        if expected in ("integer", "number") and isinstance(value, bool):
            ok = False
        if not ok:
            return [f"{where} must be of type {expected}"]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where} must be one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{where} must be >= {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{where} must be <= {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            problems.append(f"{where} must have at least {schema['minItems']} item(s)")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{where} must have at most {schema['maxItems']} items")
        for n, item in enumerate(value):
            problems += validate(schema.get("items", {}), item, f"{where}[{n}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}.{name} is required")
        for name, sub in props.items():
            if name in value:
                problems += validate(sub, value[name], f"{where}.{name}")
    return problems


def with_defaults(schema: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """The input plus top-level defaults; extra properties are ignored, as Membrane does."""
    props = schema.get("properties", {})
    out = {k: v for k, v in value.items() if k in props}
    for name, sub in props.items():
        if name not in out and "default" in sub:
            out[name] = sub["default"]
    return out
