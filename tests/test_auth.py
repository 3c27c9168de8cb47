"""Membrane tokens: static, or minted HS256 JWTs that are re-minted before expiry."""

from __future__ import annotations

import jwt
import pytest

from smstui.core.config import Settings
from smstui.core.errors import ConfigError
from smstui.core.membrane.auth import MintedToken, StaticToken, token_provider_for

SECRET = "workspace-secret-0123456789abcdef"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_static_token_returns_it_and_hides_it() -> None:
    provider = StaticToken("pat-abc123456")
    assert await provider.token() == "pat-abc123456"
    provider.invalidate()
    assert await provider.token() == "pat-abc123456"
    assert "pat-abc123456" not in repr(provider)


async def test_minted_token_carries_both_claim_styles() -> None:
    clock = Clock()
    provider = MintedToken("wk", SECRET, "tenant-1", clock=clock)
    token = await provider.token()
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims == {
        "workspaceKey": "wk",
        "tenantKey": "tenant-1",
        "name": "tenant-1",
        "iss": "wk",
        "id": "tenant-1",
        "exp": int(clock.now) + 3600,
    }
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert SECRET not in repr(provider)


async def test_minted_token_reused_until_60s_before_expiry() -> None:
    clock = Clock()
    provider = MintedToken("wk", SECRET, "t", clock=clock)
    first = await provider.token()
    clock.now += 3600 - 61
    assert await provider.token() == first
    assert provider.mint_count == 1
    clock.now += 2  # now 59 s left
    second = await provider.token()
    assert second != first
    assert provider.mint_count == 2


async def test_invalidate_forces_a_new_mint() -> None:
    provider = MintedToken("wk", SECRET, "t", clock=Clock())
    await provider.token()
    provider.invalidate()
    await provider.token()
    assert provider.mint_count == 2


def test_token_provider_for_prefers_token() -> None:
    both = Settings(token="pat-xyz12345", workspace_key="wk", workspace_secret=SECRET)
    assert isinstance(token_provider_for(both), StaticToken)
    ws = Settings(workspace_key="wk", workspace_secret=SECRET, tenant_key="t")
    assert isinstance(token_provider_for(ws), MintedToken)
    with pytest.raises(ConfigError):
        token_provider_for(Settings())
    with pytest.raises(ConfigError):
        token_provider_for(Settings(workspace_key="wk"))
