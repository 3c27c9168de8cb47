"""Shared set-up for the tests (and ``make screenshots``): apps, worlds and clients on the
sandbox, stores to damage, staged screens. Never imported by smstui itself.

Tests import it as ``support`` (pytest puts ``tests/`` on ``sys.path``); ``make screenshots``
runs ``python -m tests.support.screenshots`` from the repository root. Modules here import
each other relatively so both ways work.
"""
