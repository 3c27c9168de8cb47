"""account: the ClickSend account and its balance."""

from __future__ import annotations

from typing import Any

from smstui.cli.argtree import command
from smstui.cli.runtime import Runtime


async def account(rt: Runtime) -> int:
    acc = await rt.ws.account()
    doc = {
        "user_id": acc.user_id,
        "username": acc.username,
        "account_name": acc.account_name,
        "email": acc.email,
        "country": acc.country,
        "balance": acc.balance,
        "currency": acc.currency.code if acc.currency else None,
        "part_cap": acc.part_cap,
        "unicode_enabled": acc.unicode_enabled,
    }
    if rt.out.json_mode:
        rt.out.emit_json(doc)
        return 0
    for key, value in doc.items():
        rt.out.field(key.replace("_", " "), value)
    return 0


def register(sub: Any) -> None:
    command(
        sub,
        "account",
        "show the account and its balance",
        "  smstui account\n  smstui --json account",
        handler=account,
    )
