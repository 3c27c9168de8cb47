"""``database_url``: which store smstui uses, and how it is shown without its password.

Unset means the embedded SQLite store (one person). ``postgresql://user[:password]@host[:port]/db``
means the shared PostgreSQL store of team mode. The password may be in the URL, in
``PGPASSWORD`` or in ``~/.pgpass`` (libpq reads both); wherever it is, it is never printed,
logged or written to a crash log: everything shown goes through ``mask_url``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from smstui.core.errors import ConfigError

SCHEMES = ("postgresql", "postgres")
MASK = "********"
#: query parameters of a libpq URL that carry a secret
_SECRET_PARAMS = frozenset({"password", "sslpassword"})
#: ``scheme://user:password@`` anywhere in a text (an error message, a traceback)
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]*@")


def backend_of(url: str | None) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return "postgresql" if url else "sqlite"


def check_url(url: str, *, source: str = "database_url") -> str:
    """``url`` if it names a PostgreSQL database; a ``ConfigError`` (masked) otherwise."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ConfigError(
            f"{source} is not a valid URL: {mask_url(url)}",
            hint="Write it as postgresql://USER@HOST:5432/DATABASE",
        ) from None
    if parts.scheme.lower() not in SCHEMES:
        raise ConfigError(
            f"{source} must be a postgresql:// URL, not {parts.scheme or 'no scheme'}:// "
            f"({mask_url(url)})",
            hint="Unset it to use the local SQLite store, or write "
            "postgresql://USER@HOST:5432/DATABASE",
        )
    return url.strip()


def mask_url(url: str) -> str:
    """``url`` with its password (in the user part or the query) replaced by ``MASK``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return mask_text(url)
    netloc = parts.netloc
    if password is not None:
        user, _, host = netloc.rpartition("@")
        name = user.split(":", 1)[0]
        netloc = f"{name}:{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, MASK if k.lower() in _SECRET_PARAMS else v) for k, v in pairs], safe="*/"
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def mask_text(text: str) -> str:
    """``text`` with the password of any ``scheme://user:password@`` in it masked (error
    messages from drivers may quote the URL they were given)."""
    return _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
