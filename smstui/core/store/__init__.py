"""smstui's own durable record: the SQLite message store, its schema, queries, search and outbox table."""
