"""Membrane connection and connection-request records of the sandbox workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CONNECTOR_ID = "cnr_clicksend_sms"
CONNECTOR_KEY = "clicksend-sms"
CONNECTOR = {
    "id": CONNECTOR_ID,
    "key": CONNECTOR_KEY,
    "uuid": "5d1c2f9e-6a0b-4f7e-9c55-2e8a1b7c3d40",
    "name": "ClickSend SMS",
    "logoUri": "https://static.integration.app/connectors/clicksend-sms/logo.png",
    "categories": ["Communication", "SMS"],
    "isPublic": True,
}
DEFAULT_CONNECTION_ID = "conn_sandbox_clicksend"
STATES = ("READY", "BUILDING", "CLIENT_ACTION_REQUIRED", "CONFIGURATION_ERROR", "SETUP_FAILED")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class ConnectionRecord:
    id: str
    name: str
    state: str
    created_at: float
    updated_at: float
    key: str | None = None
    archived: bool = False
    #: world time when a BUILDING connection becomes READY (None: at the next long poll)
    ready_at: float | None = None

    def json(self, ui_base: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "userId": "usr_sandbox",
            "tenantId": "tnt_sandbox",
            "connectorId": CONNECTOR_ID,
            "state": self.state,
            "connected": self.state in ("READY", "CONFIGURATION_ERROR"),
            "disconnected": self.state not in ("READY", "CONFIGURATION_ERROR"),
            "isDefunct": self.state in ("CLIENT_ACTION_REQUIRED", "SETUP_FAILED"),
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        }
        if self.key is not None:
            out["key"] = self.key
        if self.state == "CLIENT_ACTION_REQUIRED":
            out["clientAction"] = {
                "type": "connect",
                "description": "ClickSend rejected the saved API key. Reconnect to continue.",
                "uiUrl": f"{ui_base}/connections/{self.id}/reconnect",
            }
        elif self.state == "SETUP_FAILED":
            out["errors"] = [
                {"type": "connection", "message": "Could not verify the ClickSend credentials."}
            ]
        elif self.state == "CONFIGURATION_ERROR":
            out["errors"] = [
                {"type": "configuration", "message": "The connector configuration is invalid."}
            ]
        if self.archived:
            out["archivedAt"] = iso(self.updated_at)
        return out


@dataclass(slots=True)
class ConnectionRequestRecord:
    request_id: str
    connector_id: str
    created_at: float
    connection_id: str | None = None  # set when reconnecting an existing connection
    status: str = "pending"
    polls: int = 0
    result_connection_id: str | None = None
    result_error: dict[str, str] | None = None

    def json(self, ui_base: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "requestId": self.request_id,
            "tenantId": "tnt_sandbox",
            "status": self.status,
            "url": f"{ui_base}/screens/connections?connectionRequestId={self.request_id}",
            "connectorId": self.connector_id,
            "createdAt": iso(self.created_at),
        }
        if self.connection_id is not None:
            out["connectionId"] = self.connection_id
        if self.result_connection_id is not None:
            out["resultConnectionId"] = self.result_connection_id
        if self.result_error is not None:
            out["resultError"] = self.result_error
        return out
