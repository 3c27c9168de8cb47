"""Shared test support (fixtures and helpers imported by conftest and test modules)."""
