"""Mask credential-like fields in raw API answers before anything shows or stores them.

``GET /v3/account`` returns the account's live ClickSend ``api_key`` (in ``_subaccount``).
``SmsService.account`` never reads it, but the raw passthroughs (``smstui request``,
``smstui actions run``) hand a whole answer to the user; they mask it here first.
"""

from __future__ import annotations

from typing import Any

MASK = "***"
#: keys (compared case-insensitively, ignoring ``_``/``-``) whose values are credentials
SECRET_KEYS = frozenset({"apikey", "password", "secret", "clientsecret", "accesstoken", "token"})


def _is_secret(key: object) -> bool:
    return isinstance(key, str) and key.lower().replace("_", "").replace("-", "") in SECRET_KEYS


def mask_secret_fields(value: Any) -> Any:
    """A copy of ``value`` (any JSON) with every credential field's value replaced by ``***``."""
    if isinstance(value, dict):
        return {
            k: (MASK if _is_secret(k) and v not in (None, "") else mask_secret_fields(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_secret_fields(v) for v in value]
    return value
