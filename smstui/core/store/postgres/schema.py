"""The PostgreSQL schema of the team store, versioned like the SQLite one.

``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1``; the version lives in the
one-row table ``smstui_schema``. Migrations only go forward and run on start, inside one
transaction holding an advisory lock, so two operators starting at once migrate once; a
database written by a newer smstui is refused rather than silently damaged.

The tables mirror SQLite's (same columns, same meaning, Unix seconds in BIGINT) so that
``store migrate`` copies rows as they are. What differs is how the database does the work:
full-text search is a generated ``tsvector`` with a GIN index (no pending queue: GIN's own
``fastupdate`` list batches index upkeep), number and reference prefixes use
``text_pattern_ops`` indexes, and the stats rollup is kept by a PL/pgSQL trigger.
"""

from __future__ import annotations

import unicodedata

import psycopg

from smstui.core.errors import StoreError
from smstui.core.store.rollup import KNOWN, MICRO, NOT_SENT, SLOT
from smstui.core.store.rows import DELIVERY_COLUMNS


def _fold_table() -> tuple[str, str]:
    """Latin letters with diacritics (U+00C0-U+024F) and their base letters: SQLite's FTS5
    tokenizer removes diacritics ("cafe" finds "café"), and so does the search column here,
    with ``translate`` (immutable, no extension to install on a managed server). Unicode
    fixed these decompositions long ago, so the migration text below does not change."""
    src, dst = [], []
    for code in range(0xC0, 0x250):
        ch = chr(code)
        nfd = unicodedata.normalize("NFD", ch)
        if len(nfd) > 1 and nfd[0].isascii() and nfd[0].isalpha():
            src.append(ch)
            dst.append(nfd[0])
    return "".join(src), "".join(dst)


FOLD_FROM, FOLD_TO = _fold_table()

#: any constant unique to smstui: the advisory lock taken while migrating
MIGRATION_LOCK = 0x736D_7374_7569  # "smstui"


def _lower_list(values: tuple[str, ...]) -> str:
    # constants of rollup.py, never user text
    return ", ".join(f"'{v.lower()}'" for v in values)


def measures(m: str) -> list[str]:
    """The five counted values of row ``m`` as rollup.measures defines them for SQLite: sent,
    delivered, failed, inbound, spend in millionths (status compared case-insensitively)."""
    status = f"lower({m}.status)"
    out = f"{m}.direction = 'out'"
    sent = f"({out} AND {status} NOT IN ({_lower_list(NOT_SENT)}))"
    retry = f"COALESCE({m}.status_code IN ('300', '301', '302'), false)"
    # a price is a decimal string; anything else counts 0, as SQLite's CAST makes it
    price_ok = f"{m}.price ~ '^-?[0-9]+(\\.[0-9]+)?$'"
    return [
        f"({sent})::int",
        f"({out} AND COALESCE({m}.status_code = '201', false))::int",
        f"({out} AND {m}.status_code IS DISTINCT FROM '201' AND ({status} NOT IN "
        f"({_lower_list(KNOWN)}) OR {status} = 'failed' OR {retry}))::int",
        f"({m}.direction = 'in')::int",
        f"(CASE WHEN {sent} AND {price_ok} "
        f"THEN round({m}.price::numeric * {MICRO})::bigint ELSE 0 END)",
    ]


_NAMES = ("sent", "delivered", "failed", "inbound", "spend")


def _add(row: str, sign: str) -> str:
    values = ", ".join(f"{sign}{v}" for v in measures(row))
    updates = ", ".join(f"{n} = stats_slots.{n} + excluded.{n}" for n in _NAMES)
    return (
        "INSERT INTO stats_slots (account, slot, sent, delivered, failed, inbound, spend) "
        f"VALUES ({row}.account, {row}.date / {SLOT}, {values}) "
        f"ON CONFLICT (account, slot) DO UPDATE SET {updates};"
    )


_COUNTED = ("account", "direction", "status", "status_code", "price", "date")

#: rebuilds every slot from the messages (inside the caller's transaction)
REBUILD = (
    "DELETE FROM stats_slots",
    "INSERT INTO stats_slots (account, slot, sent, delivered, failed, inbound, spend) "
    f"SELECT m.account, m.date / {SLOT}, "
    + ", ".join(f"SUM({v})" for v in measures("m"))
    + f" FROM messages m GROUP BY m.account, m.date / {SLOT}",
)

_CHANGED = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in _COUNTED)

_V1 = f"""
CREATE TABLE messages (
    message_id    TEXT PRIMARY KEY,
    account       TEXT NOT NULL DEFAULT '',
    direction     TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    "to"          TEXT NOT NULL DEFAULT '',
    "from"        TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT '',
    date          BIGINT NOT NULL DEFAULT 0,
    schedule      BIGINT,
    parts         INTEGER NOT NULL DEFAULT 0,
    price         TEXT,
    status_code   TEXT,
    status_text   TEXT,
    error_code    TEXT,
    error_text    TEXT,
    receipt_at    BIGINT,
    custom_string TEXT,
    reply_to      TEXT,
    read          INTEGER NOT NULL DEFAULT 1,
    updated_at    BIGINT NOT NULL,
    channel       TEXT NOT NULL DEFAULT 'sms',
    -- words only (what query.fts_words splits a search into), numbers without their '+'
    search        TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', translate(
        regexp_replace(body || ' ' || "to" || ' ' || "from", '[^[:alnum:]]+', ' ', 'g'),
        '{FOLD_FROM}', '{FOLD_TO}'
    ))) STORED
);
CREATE INDEX messages_by_date ON messages (account, date, message_id);
CREATE INDEX messages_by_to ON messages (account, "to", date);
CREATE INDEX messages_by_from ON messages (account, "from", date);
CREATE INDEX messages_by_status ON messages (account, lower(status), date);
CREATE INDEX messages_unread ON messages (account, read, direction, date);
CREATE INDEX messages_by_custom ON messages (custom_string);
CREATE INDEX messages_search ON messages USING GIN (search);
-- the fast path of a search for a number or a reference: a prefix walk of a b-tree
CREATE INDEX messages_to_prefix ON messages ("to" text_pattern_ops);
CREATE INDEX messages_from_prefix ON messages ("from" text_pattern_ops);
CREATE INDEX messages_id_prefix ON messages (message_id text_pattern_ops);

CREATE TABLE receipts_pending (
    message_id    TEXT PRIMARY KEY,
    status_code   TEXT,
    status_text   TEXT,
    error_code    TEXT,
    error_text    TEXT,
    receipt_at    BIGINT,
    custom_string TEXT
);
CREATE TABLE templates (
    template_id TEXT PRIMARY KEY,
    account     TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    position    INTEGER NOT NULL
);
-- what an operator was writing is theirs: two operators composing at once never overwrite
-- each other's draft (the SQLite store is one person's, keyed by key alone)
CREATE TABLE drafts (
    operator   TEXT NOT NULL DEFAULT '',
    key        TEXT NOT NULL,
    text       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (operator, key)
);
CREATE TABLE sync_cursors (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE outbox (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    token         TEXT NOT NULL UNIQUE,
    account       TEXT NOT NULL DEFAULT '',
    "to"          TEXT NOT NULL,
    sender        TEXT,
    body          TEXT NOT NULL,
    schedule      BIGINT,
    country       TEXT,
    user_custom_string TEXT,
    state         TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    attempted_at  BIGINT,
    message_id    TEXT,
    status        TEXT,
    reason        TEXT,
    updated_at    BIGINT NOT NULL,
    kind          TEXT NOT NULL DEFAULT 'sms',
    extra         TEXT
);
CREATE INDEX outbox_by_state ON outbox (state, attempted_at);

-- who works in this store (``team status``); ``name`` is the operator setting
CREATE TABLE operators (
    name       TEXT PRIMARY KEY,
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL
);

CREATE TABLE stats_slots (
    account   TEXT NOT NULL,
    slot      BIGINT NOT NULL,
    sent      BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    failed    BIGINT NOT NULL DEFAULT 0,
    inbound   BIGINT NOT NULL DEFAULT 0,
    spend     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, slot)
);
CREATE FUNCTION smstui_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NOT ({_CHANGED}) THEN
        RETURN NULL;  -- a history page synced again changes nothing counted
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_add("OLD", "-")}
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_add("NEW", "+")}
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_stats AFTER INSERT OR UPDATE OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION smstui_stats();

-- live across operators (postgres/listen.py): one notice per changing statement, delivered
-- at commit, repeats within a transaction folded into one by the server
CREATE FUNCTION smstui_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('smstui_changes', TG_TABLE_NAME);
    RETURN NULL;
END $$;
CREATE TRIGGER messages_notify AFTER INSERT OR UPDATE OR DELETE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION smstui_notify();
CREATE TRIGGER outbox_notify AFTER INSERT OR UPDATE OR DELETE ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION smstui_notify();
"""

#: any constant unique to smstui: the lock every statement inserting messages takes first
INSERT_LOCK = 0x736D_7374_7569_01

# The operator's desk (issue 14), as SQLite's V6: the opt-out list (an undone opt-out keeps
# its row with ``removed_at`` set, so that a STOP older than the START that undid it never
# wins) and the replies handed to a command. Scans of new rows need what SQLite's rowid
# gives: a number per message row, in the order rows became visible. An identity column
# alone is not that: two transactions take their numbers, then commit in either order, and a
# scan that read up to 6 would never see the 5 committed after it. So every statement
# inserting into messages first takes one transaction-scoped advisory lock (a BEFORE
# STATEMENT trigger: it fires before any row's default, its number, is computed): inserts
# of messages commit one after the other, in ``seq`` order. Updates are not affected (an
# upsert turned update keeps its row's number, as SQLite's rowid does); inserts were
# serialised per account already by the sync lock, this extends it to the whole database.
_V2 = f"""
ALTER TABLE messages ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX messages_by_seq ON messages (seq);

CREATE FUNCTION smstui_insert_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({INSERT_LOCK});
    RETURN NULL;
END $$;
CREATE TRIGGER messages_in_order BEFORE INSERT ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION smstui_insert_in_order();

CREATE TABLE optouts (
    account    TEXT NOT NULL DEFAULT '',
    number     TEXT NOT NULL,
    date       BIGINT NOT NULL,
    reply_id   TEXT,
    source     TEXT NOT NULL,
    removed_at BIGINT,
    removed_by TEXT,
    PRIMARY KEY (account, number)
);
CREATE TABLE replies_handed (
    account    TEXT NOT NULL DEFAULT '',
    consumer   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    handed_at  BIGINT NOT NULL,
    PRIMARY KEY (account, consumer, message_id)
);
"""

# Who did what (issue 13), as SQLite's V7: ``sent_by`` on outgoing messages and outbox rows,
# the conversations marked handled (a new reply clears the mark), and reads per operator:
# one operator reading a reply must not make it read for the others. ``messages.read`` keeps
# meaning what it did before the team: 1 is read for everyone (history's backlog, and what
# was read before this version, whoever read it), 0 a reply that came in as new; a 0 row is
# read for an operator once ``reads`` holds (account, operator, message id). Each pooled
# connection says whose it is in the setting ``smstui.operator`` (connection.py), so that
# the queries of every operator are the same text (see ``dialect.POSTGRES``).
_V3 = """
ALTER TABLE messages ADD COLUMN sent_by TEXT;
ALTER TABLE outbox ADD COLUMN sent_by TEXT;
CREATE TABLE reads (
    account    TEXT NOT NULL DEFAULT '',
    operator   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (account, operator, message_id)
);
CREATE TABLE handled (
    account  TEXT NOT NULL DEFAULT '',
    number   TEXT NOT NULL,
    operator TEXT NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (account, number)
);
CREATE TABLE senders (
    custom_string TEXT PRIMARY KEY,
    operator      TEXT NOT NULL
);
CREATE FUNCTION smstui_reply_unhandles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM handled WHERE account = NEW.account AND number = NEW."from";
    RETURN NULL;
END $$;
-- an upsert that turns into an update fires no AFTER INSERT row trigger: a reply listed
-- again (not new) leaves the mark alone
CREATE TRIGGER messages_reply_unhandles AFTER INSERT ON messages
    FOR EACH ROW WHEN (NEW.direction = 'in' AND NEW.read = 0)
    EXECUTE FUNCTION smstui_reply_unhandles();
-- every operator's Inbox shows who handled what: a mark is news for the team
CREATE TRIGGER handled_notify AFTER INSERT OR UPDATE OR DELETE ON handled
    FOR EACH STATEMENT EXECUTE FUNCTION smstui_notify();
"""

# Receipts move the change mark, as SQLite's V8: a count per account of the message updates
# that changed a delivery state. Here several operators' processes write at once, and a row
# they all update is a lock they queue on: taken mid-transaction, a process holding it could
# wait for a message row another process holds while that one waits for the count, a
# deadlock. So the trigger is deferred to commit (a constraint trigger, INITIALLY DEFERRED),
# where the count is the last row a transaction locks: held only while it commits, never
# while waiting for anything else. The count moves once per transaction and account (a
# setting local to the transaction remembers it moved), not once per message: a sync storing
# a hundred receipts updates the row once. Every commit that changed a state moves the
# count, so the mark never misses one committed out of order (a stamp taken from a sequence
# and read as a maximum would).
_V4 = f"""
CREATE TABLE delivery_changes (
    account TEXT PRIMARY KEY,
    changes BIGINT NOT NULL
);
CREATE FUNCTION smstui_delivery_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    counted TEXT := txid_current()::text || ' ' || NEW.account;
BEGIN
    IF current_setting('smstui.delivery_counted', true) IS NOT DISTINCT FROM counted THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('smstui.delivery_counted', counted, true);
    INSERT INTO delivery_changes (account, changes) VALUES (NEW.account, 1)
        ON CONFLICT (account) DO UPDATE SET changes = delivery_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER messages_delivery_changed AFTER UPDATE ON messages
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in DELIVERY_COLUMNS)})
    EXECUTE FUNCTION smstui_delivery_changed();
"""

# Unread again, per operator. V3 had no way to say "read for everyone but Ana": Ana making a
# flag-1 reply unread again turned the flag to 0 and gave every other operator seen so far a
# row of ``reads``, so an operator who joined later found that reply unread. Now such a reply
# gets the flag 2, "read for everyone but the operators in ``unreads``", and Ana's row there;
# her reading it again deletes the row (the flag stays 2: read for all without a row). So
# ``reads`` only ever holds flag-0 replies and ``unreads`` flag-2 ones, and the unread count
# stays a sum of index-only counts (postgres/store.py). The flag, not only the table, marks
# them so that an unread list still walks one index in date order and stops at a page: the
# partial index below holds the replies that can be unread for someone (flags 0 and 2), as
# ``messages_unread`` held the flag-0 ones (an OR of "flag 0" and "in unreads" made
# PostgreSQL fetch every flag-0 reply and sort them: a first unread page went from 2 to
# 50 ms at 300,000 messages). Rows the V3 way (flag 0 and reads for the others) are left as
# they are: they still say who read what, for the operators they name.
_V5 = """
CREATE TABLE unreads (
    account    TEXT NOT NULL DEFAULT '',
    operator   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (account, operator, message_id)
);
CREATE INDEX messages_unread_for_some ON messages (account, date, message_id)
    WHERE direction = 'in' AND read <> 1;
"""

#: MIGRATIONS[i] upgrades a database at version i to i + 1
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: psycopg.Connection[tuple[object, ...]], *, target: int = SCHEMA_VERSION) -> int:
    """Apply pending migrations up to ``target`` in one transaction; return the version."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS smstui_schema (version INTEGER NOT NULL)")
        row = conn.execute("SELECT version FROM smstui_schema").fetchone()
        if row is None:
            conn.execute("INSERT INTO smstui_schema (version) VALUES (0)")
            version = 0
        else:
            version = int(str(row[0]))
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The team database is from a newer smstui (schema {version}, "
                f"this version knows {SCHEMA_VERSION}).",
                hint="Upgrade smstui on this machine to the version the team uses.",
                problem="newer",
            )
        while version < target:
            conn.execute(MIGRATIONS[version].encode())
            version += 1
            conn.execute("UPDATE smstui_schema SET version = %s", (version,))
    return version


def schema_version(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    row = conn.execute("SELECT version FROM smstui_schema").fetchone()
    return 0 if row is None else int(str(row[0]))
