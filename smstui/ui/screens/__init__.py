"""Modal screens and dialogs of the terminal app."""
