"""A simulated Membrane workspace with a ClickSend connection (no account, no network).

``SandboxWorld`` holds the state; ``world.transport()`` answers in-process for httpx, and
``serve(world)`` runs it as a loopback HTTP server.
"""

from __future__ import annotations

from .connections import CONNECTOR_ID, DEFAULT_CONNECTION_ID
from .faults import Fault
from .http import SandboxResponse
from .pricing import SHARED_NUMBER, TEST_NUMBERS
from .server import SandboxServer, serve
from .transport import SandboxTransport
from .world import SandboxWorld

__all__ = [
    "CONNECTOR_ID",
    "DEFAULT_CONNECTION_ID",
    "SHARED_NUMBER",
    "TEST_NUMBERS",
    "Fault",
    "SandboxResponse",
    "SandboxServer",
    "SandboxTransport",
    "SandboxWorld",
    "serve",
]
