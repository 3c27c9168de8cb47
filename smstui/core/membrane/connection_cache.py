"""``connections.json``: the Membrane connection found for ClickSend, remembered between runs.

With it a normal start costs zero resolution requests. Each entry (per API URL and credential
identity hash) also keeps what was learnt about that connection: the ClickSend path prefix,
which Membrane route carries raw requests, and account facts (POLL rules, refused channels).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smstui.core.clicksend.account_facts import fresh
from smstui.core.config import config_dir, write_private

log = logging.getLogger("smstui.connection")

#: connections whose raw-request route is remembered per cache entry (the oldest is dropped)
MAX_REQUEST_ROUTES = 16


@dataclass(frozen=True, slots=True)
class CachedConnection:
    connection_id: str
    path_prefix: str | None = None


class ConnectionCache:
    """``connections.json`` (0600): per api_url + identity hash, the connection id, the
    ClickSend path prefix learnt for it, and per connection which Membrane route carries raw
    requests. A damaged file is treated as empty: it is a cache."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "connections.json"

    @staticmethod
    def _key(api_url: str, identity: str) -> str:
        return f"{api_url.rstrip('/')}|{identity}"

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, UnicodeDecodeError):
            log.warning("ignoring unreadable connection cache %s", self.path)
            return {}
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            return {}
        return {k: v for k, v in entries.items() if isinstance(v, dict)}

    def _save(self, entries: dict[str, dict[str, Any]]) -> None:
        write_private(self.path, json.dumps({"version": 1, "entries": entries}, indent=2))

    def _entry(self, api_url: str, identity: str) -> dict[str, Any]:
        return self._load().get(self._key(api_url, identity), {})

    def get(self, api_url: str, identity: str) -> CachedConnection | None:
        entry = self._entry(api_url, identity)
        connection_id = entry.get("connection_id")
        if not isinstance(connection_id, str) or not connection_id:
            return None
        prefix = entry.get("path_prefix")
        return CachedConnection(connection_id, prefix if isinstance(prefix, str) else None)

    def put(
        self, api_url: str, identity: str, connection_id: str, path_prefix: str | None = None
    ) -> None:
        entries = self._load()
        key = self._key(api_url, identity)
        old = entries.get(key, {})
        # A new connection to the same ClickSend API keeps the learnt prefix (and the request
        # routes learnt per connection).
        prefix = path_prefix if path_prefix is not None else old.get("path_prefix")
        entries[key] = {**old, "connection_id": connection_id, "path_prefix": prefix}
        if old.get("connection_id") != connection_id:
            # facts describe the account behind this connection: another one starts afresh
            entries[key].pop("facts", None)
        self._save(entries)

    def get_prefix(self, api_url: str, identity: str) -> str | None:
        prefix = self._entry(api_url, identity).get("path_prefix")
        return prefix if isinstance(prefix, str) else None

    def set_prefix(self, api_url: str, identity: str, prefix: str) -> None:
        entries = self._load()
        entry = entries.setdefault(self._key(api_url, identity), {"connection_id": None})
        entry["path_prefix"] = prefix
        self._save(entries)

    def forget(self, api_url: str, identity: str) -> None:
        entries = self._load()
        if entries.pop(self._key(api_url, identity), None) is not None:
            self._save(entries)

    def prefix_memory(self, api_url: str, identity: str) -> PrefixMemory:
        return PrefixMemory(self, api_url, identity)

    def get_request_route(self, api_url: str, identity: str, connection_id: str) -> str | None:
        routes = self._entry(api_url, identity).get("request_routes")
        route = routes.get(connection_id) if isinstance(routes, dict) else None
        return route if isinstance(route, str) else None

    def set_request_route(
        self, api_url: str, identity: str, connection_id: str, route: str
    ) -> None:
        entries = self._load()
        entry = entries.setdefault(self._key(api_url, identity), {"connection_id": None})
        routes = entry.get("request_routes")
        routes = dict(routes) if isinstance(routes, dict) else {}
        routes.pop(connection_id, None)
        routes[connection_id] = route  # newest last, so the bound drops the oldest
        entry["request_routes"] = dict(list(routes.items())[-MAX_REQUEST_ROUTES:])
        self._save(entries)

    def route_memory(self, api_url: str, identity: str) -> RouteMemory:
        return RouteMemory(self, api_url, identity)

    def facts(
        self, api_url: str, identity: str, clock: Callable[[], float] = time.time
    ) -> CachedFacts:
        """Account facts (POLL rules, refused channels) kept with this connection."""
        return CachedFacts(self, self._key(api_url, identity), clock)

    def _update_facts(self, key: str, change: Callable[[dict[str, Any]], None]) -> None:
        entries = self._load()
        entry = entries.setdefault(key, {"connection_id": None})
        raw = entry.get("facts")
        facts: dict[str, Any] = raw if isinstance(raw, dict) else {}
        change(facts)
        entry["facts"] = facts
        self._save(entries)

    def _facts(self, key: str) -> dict[str, Any]:
        facts = self._load().get(key, {}).get("facts")
        return facts if isinstance(facts, dict) else {}


class CachedFacts:
    """``smstui.core.clicksend.account_facts.Facts`` stored in ``connections.json`` (0600)."""

    def __init__(self, cache: ConnectionCache, key: str, clock: Callable[[], float]) -> None:
        self._cache = cache
        self._key = key
        self._clock = clock

    def recall(self, name: str) -> Any | None:
        return fresh(self._cache._facts(self._key).get(name), self._clock())

    def remember(self, name: str, value: Any, *, ttl: float) -> None:
        record = {"value": value, "until": self._clock() + ttl}
        self._cache._update_facts(self._key, lambda facts: facts.__setitem__(name, record))

    def forget(self, name: str) -> None:
        self._cache._update_facts(self._key, lambda facts: facts.pop(name, None))


class PrefixMemory:
    """What SmsService needs: remember whether ClickSend paths want the "/v3" prefix."""

    def __init__(self, cache: ConnectionCache, api_url: str, identity: str) -> None:
        self._cache = cache
        self._api_url = api_url
        self._identity = identity

    def get_prefix(self) -> str | None:
        return self._cache.get_prefix(self._api_url, self._identity)

    def set_prefix(self, prefix: str) -> None:
        self._cache.set_prefix(self._api_url, self._identity, prefix)


class RouteMemory:
    """Which Membrane route carries raw requests, per connection (``smstui.core.membrane.request_route``)."""

    def __init__(self, cache: ConnectionCache, api_url: str, identity: str) -> None:
        self._cache = cache
        self._api_url = api_url
        self._identity = identity

    def route_for(self, connection_id: str) -> str | None:
        return self._cache.get_request_route(self._api_url, self._identity, connection_id)

    def remember_route(self, connection_id: str, route: str) -> None:
        self._cache.set_request_route(self._api_url, self._identity, connection_id, route)
