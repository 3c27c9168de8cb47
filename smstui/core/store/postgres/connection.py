"""Connections to the team database: a small pool, clean errors, retries on lock conflicts.

Synchronous on purpose (see ``store.contract``): psycopg's ``ConnectionPool`` hands a thread
its own connection, so the sync writer thread, the outbox and the list widgets painting a page
never share one, and a connection that died (the server restarted) is checked and replaced
when it is taken from the pool (``check``) instead of failing the next query.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from smstui.core.database_url import mask_text, mask_url
from smstui.core.errors import StoreError, StoreUnreachable
from smstui.core.store.postgres.schema import migrate

T = TypeVar("T")
Conn = psycopg.Connection[tuple[Any, ...]]

#: seconds to wait for the server when opening and when taking a pooled connection
CONNECT_TIMEOUT = 5
#: connections per process: the UI, the sync writer, the outbox and a spare
POOL_MAX = 4
#: a deadlock or serialization failure is retried this many times (the database chose a loser)
CONFLICT_RETRIES = 5
#: seconds a call waits for a pooled connection while the database is away (it failed to
#: answer and has not answered since): the UI reads the store on its loop, and waiting the
#: full pool timeout on every tab switch of a long outage froze the screen 10 s each time.
#: The pool keeps reconnecting in the background, so a short wait misses nothing: the first
#: call after a connection is back in the pool gets it at once.
AWAY_WAIT = 1.0

#: seconds the screen's loop waits for a pooled connection while the database answers (see
#: ``wait_briefly_on``): with four connections and the others' work a page write long, a
#: healthy pool hands one over at once, so this is only ever waited out when the server has
#: gone, and the first read to meet an outage froze the screen for the full pool timeout.
#: Not 1 s like ``AWAY_WAIT``: timing out here marks the database away (the banner), which
#: a busy moment of a healthy pool must not do.
SCREEN_WAIT = 2.0

#: pools whose database is away (see ``AWAY_WAIT``); one entry per pool at most
_away: weakref.WeakSet[ConnectionPool[Any]] = weakref.WeakSet()
#: the thread of each pool whose calls wait at most ``SCREEN_WAIT`` (the screen's loop)
_screen: weakref.WeakKeyDictionary[ConnectionPool[Any], int] = weakref.WeakKeyDictionary()


def wait_briefly_on(pool: ConnectionPool[Any], thread: int) -> None:
    """Calls made on ``thread`` (the app's loop, which draws the screen) wait at most
    ``SCREEN_WAIT`` for a connection, even the first to meet an outage."""
    _screen[pool] = thread


def _wait(pool: ConnectionPool[Any]) -> float:
    if pool in _away:
        return AWAY_WAIT
    if _screen.get(pool) == threading.get_ident():
        return SCREEN_WAIT
    return float(CONNECT_TIMEOUT * 2)


def _answered(pool: ConnectionPool[Any], err: BaseException | None) -> None:
    """Note whether the database answered (``err`` None) or stopped answering."""
    if err is None:
        _away.discard(pool)
    elif isinstance(err, psycopg.OperationalError | PoolTimeout | OSError):
        _away.add(pool)


def is_away(pool: ConnectionPool[Any]) -> bool:
    """The database failed to answer and has not answered since."""
    return pool in _away


def unreachable(url: str, err: BaseException) -> StoreUnreachable:
    """One clear line naming the database (password masked) and what the server said."""
    said = mask_text(str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__)
    return StoreUnreachable(
        f"Cannot use the team database {mask_url(url)}: {said}",
        hint="Check database_url (or SMSTUI_DATABASE_URL), the server, and the password "
        "(in the URL, PGPASSWORD or ~/.pgpass).",
        path=mask_url(url),
        problem="unreachable",
    )


def failed(url: str, err: BaseException) -> StoreError:
    """A query the database refused: the message masked, never a traceback."""
    if isinstance(err, psycopg.OperationalError | PoolTimeout):
        return unreachable(url, err)
    said = mask_text(str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__)
    return StoreError(
        f"The team database {mask_url(url)} refused a request: {said}",
        hint="Run 'smstui doctor'; if it persists, ask whoever runs the database server.",
        path=mask_url(url),
    )


#: connections say whose smstui they are (``team status`` reads it in pg_stat_activity)
APPLICATION_PREFIX = "smstui "


def application_name(operator: str) -> str:
    # PostgreSQL keeps 63 bytes of it
    return (APPLICATION_PREFIX + operator).encode()[:63].decode(errors="ignore")


def open_pool(url: str, operator: str = "") -> ConnectionPool[Conn]:
    """Connect once to migrate (a clear error if the server is not there), then the pool."""
    app = application_name(operator)
    try:
        with psycopg.connect(
            url, connect_timeout=CONNECT_TIMEOUT, autocommit=True, application_name=app
        ) as conn:
            migrate(conn)
    except StoreError:
        raise
    except (psycopg.Error, OSError) as err:
        raise unreachable(url, err) from None
    pool: ConnectionPool[Conn] = ConnectionPool(
        url,
        min_size=1,
        max_size=POOL_MAX,
        kwargs={
            "autocommit": True,
            "connect_timeout": CONNECT_TIMEOUT,
            "application_name": app,
        },
        # whose connection it is, for the queries reading per-operator state (dialect.py)
        configure=lambda conn: set_operator(conn, operator),
        check=ConnectionPool.check_connection,
        # a connection goes back to the pool without any advisory lock, whatever happened
        reset=_release_locks,
        timeout=CONNECT_TIMEOUT * 2,
        open=False,
        name="smstui",
    )
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT * 2)
    except (PoolTimeout, psycopg.Error) as err:
        pool.close()
        raise unreachable(url, err) from None
    return pool


#: the connection setting naming its operator (reads are per operator: schema V3)
OPERATOR_SETTING = "smstui.operator"


def set_operator(conn: Conn, operator: str) -> None:
    """Name this connection's operator for its whole session (a bound value: any name)."""
    conn.execute("SELECT set_config(%s, %s, false)", (OPERATOR_SETTING, operator))


def _release_locks(conn: Conn) -> None:
    conn.execute("SELECT pg_advisory_unlock_all()")


def run_in_transaction(pool: ConnectionPool[Conn], url: str, fn: Callable[[Conn], T]) -> T:
    """``fn`` in one transaction (committed when it returns), again if the database picked it
    as the loser of a deadlock or a serialization conflict (nothing of it was committed)."""
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            with pool.connection(timeout=_wait(pool)) as conn, conn.transaction():
                result = fn(conn)
            _answered(pool, None)
            return result
        except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure) as err:
            if attempt == CONFLICT_RETRIES:
                raise failed(url, err) from None
            time.sleep(0.01 * (attempt + 1))
        except StoreError:
            raise
        except (psycopg.Error, PoolTimeout, OSError) as err:
            _answered(pool, err)
            raise failed(url, err) from None
    raise AssertionError("unreachable: the loop returns or raises")


@contextmanager
def lock_connection(pool: ConnectionPool[Conn], url: str) -> Iterator[Conn]:
    """A pooled connection kept for a block that holds a session-level advisory lock."""
    try:
        cm = pool.connection(timeout=_wait(pool))
        conn = cm.__enter__()
    except (psycopg.Error, PoolTimeout, OSError) as err:
        _answered(pool, err)
        raise failed(url, err) from None
    _answered(pool, None)
    try:
        yield conn
    finally:
        cm.__exit__(None, None, None)


def try_lock(conn: Conn, url: str, name: str) -> bool:
    """Take the advisory lock ``name`` now if nobody holds it (never waits)."""
    try:
        row = conn.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (name,))
        got = row.fetchone()
    except psycopg.Error as err:
        raise failed(url, err) from None
    return bool(got and got[0])


def unlock(conn: Conn, name: str) -> None:
    # a connection that died released its locks with it: nothing left to undo
    with contextlib.suppress(psycopg.Error):
        conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (name,))
