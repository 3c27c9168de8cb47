"""The Textual terminal app (``smstui`` with no subcommand)."""
