"""What the contacts, campaign, MMS and voice services need from ``SmsService``.

They all go through one ``SmsService`` (its ``read``/``write``), so the ``/v3`` prefix is
learnt once, by the same mechanism, whichever service makes the first call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from smstui.core.clicksend.envelope import Envelope
from smstui.core.models import SendResult

__all__ = ["ClickSendApi"]


class ClickSendApi(Protocol):
    async def read(self, path: str, params: Mapping[str, Any] | None = None) -> Envelope: ...

    async def ready_to_write(self) -> None: ...

    async def write(self, method: str, path: str, body: Any = None) -> Envelope: ...

    async def post_batches(
        self, path: str, bodies: Iterable[Any], *, is_send: bool
    ) -> SendResult: ...
