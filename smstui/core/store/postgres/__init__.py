"""The team store on PostgreSQL (``database_url``); needs the ``team`` extra (psycopg 3)."""

from smstui.core.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
