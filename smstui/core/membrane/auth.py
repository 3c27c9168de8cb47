"""Membrane bearer tokens: a fixed token, or an HS256 tenant JWT minted from the workspace secret."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import jwt

from smstui.core.config import Settings
from smstui.core.errors import ConfigError

#: the SDK's TOKEN_TTL_SECONDS and TOKEN_MINT_THRESHOLD_SECONDS (membrane-api §2.3)
DEFAULT_TTL = 3600
REMINT_MARGIN = 60


class TokenProvider(Protocol):
    async def token(self) -> str: ...

    def invalidate(self) -> None:
        """Forget the current token (after a 401) so the next call gets a fresh one."""


class StaticToken:
    """A token given by the user (Console client token, ``membrane token`` output...)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ConfigError("The Membrane token is empty")
        self._token = token

    async def token(self) -> str:
        return self._token

    def invalidate(self) -> None:
        # Nothing to refresh: a rejected static token stays rejected until the user changes it.
        return None

    def __repr__(self) -> str:
        return "StaticToken(***)"


class MintedToken:
    """Mints a tenant JWT with the workspace secret, and mints again shortly before expiry."""

    def __init__(
        self,
        workspace_key: str,
        workspace_secret: str,
        tenant_key: str,
        ttl: int = DEFAULT_TTL,
        clock: Callable[[], float] = time.time,
        *,
        name: str | None = None,
    ) -> None:
        if not workspace_key or not workspace_secret:
            raise ConfigError("Both the Membrane workspace key and secret are needed")
        self._key = workspace_key
        self._secret = workspace_secret
        self._tenant = tenant_key
        self._name = name or tenant_key
        self._ttl = ttl
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self.mint_count = 0

    async def token(self) -> str:
        now = self._clock()
        if self._token is None or self._expires - now < REMINT_MARGIN:
            self._token = self._mint(now)
        return self._token

    def invalidate(self) -> None:
        self._token = None

    def _mint(self, now: float) -> str:
        exp = int(now) + self._ttl
        # Both claim styles of membrane-api §2.3 in one token: the current docs read
        # workspaceKey/tenantKey, the SDK (and older servers) read iss/id. Carrying both lets
        # either server reading accept it; the extra claims are ignored by the other reader.
        claims = {
            "workspaceKey": self._key,
            "tenantKey": self._tenant,
            "name": self._name,
            "iss": self._key,
            "id": self._tenant,
            "exp": exp,
        }
        self._expires = float(exp)
        self.mint_count += 1
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def __repr__(self) -> str:
        return f"MintedToken(workspace_key={self._key!r}, tenant_key={self._tenant!r})"


def token_provider_for(settings: Settings) -> TokenProvider:
    """The provider the settings call for: an explicit token wins over the workspace secret."""
    if settings.token:
        return StaticToken(settings.token)
    if settings.workspace_key and settings.workspace_secret:
        return MintedToken(
            settings.workspace_key,
            settings.workspace_secret,
            settings.tenant_key or "smstui",
        )
    raise ConfigError(
        "No Membrane credentials configured",
        hint="Set MEMBRANE_TOKEN, or MEMBRANE_WORKSPACE_KEY and MEMBRANE_WORKSPACE_SECRET.",
    )
