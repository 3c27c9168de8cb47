"""The action and request explorer: forms built from JSON Schema, validation, the raw request console."""
