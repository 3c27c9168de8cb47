"""Getting messages out exactly once and bringing history in: outbox, sync and bulk jobs."""
