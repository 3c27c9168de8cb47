"""What the Contacts tab, the campaign screens and MMS/voice Compose need from the core.

A small Protocol (``BeyondBackend``) so widgets never see ClickSend or Membrane, and one
implementation (``CoreBeyond``) over the app's ``Backend.session``: the contacts, campaign
and MMS/voice services all wrap the session's one ``SmsService``, so the ``/v3``
prefix is learnt once. Every method that may touch the network is ``async`` and is awaited in
a worker only; ``plan_import`` is local and fast.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from smstui.core.clicksend.contacts_csv import ImportPlan, plan_import
from smstui.core.models import (
    Campaign,
    CampaignPrice,
    Contact,
    ContactList,
    NewContact,
    OutgoingMms,
    OutgoingVoice,
    Page,
    SearchHit,
    SendResult,
    VoiceLanguage,
)
from smstui.ui.backend import Backend, Quote, RecipientResult
from smstui.ui.core_backend import recipient_result

if TYPE_CHECKING:
    from smstui.core.clicksend.campaigns import CampaignService, NewCampaign
    from smstui.core.clicksend.contacts import ContactsService, ImportReport
    from smstui.core.clicksend.mms_voice import MmsVoiceService
    from smstui.core.clicksend.sms import SmsService
    from smstui.core.delivery.outbox_channels import ChannelKind, ChannelOutbox


class BeyondBackend(Protocol):
    """Contacts, lists, campaigns, MMS and voice as the UI uses them."""

    # -- lists and contacts
    async def lists(self) -> list[ContactList]: ...
    async def create_list(self, name: str) -> ContactList: ...
    async def rename_list(self, list_id: str, name: str) -> ContactList: ...
    async def delete_list(self, list_id: str) -> None: ...
    async def contacts_page(self, list_id: str, page: int, limit: int) -> Page[Contact]: ...
    async def add_contact(self, list_id: str, contact: NewContact) -> Contact: ...
    async def edit_contact(self, list_id: str, contact_id: str, changes: NewContact) -> Contact: ...
    async def delete_contact(self, list_id: str, contact_id: str) -> None: ...
    async def search(self, q: str) -> list[SearchHit]: ...
    async def member_numbers(self, list_id: str) -> list[str]: ...
    def plan_import(self, data: bytes) -> ImportPlan: ...
    async def import_csv(self, list_id: str, data: bytes) -> ImportReport: ...

    # -- campaigns
    async def price_campaign(self, campaign: NewCampaign) -> CampaignPrice: ...
    async def send_campaign(self, campaign: NewCampaign) -> Campaign: ...
    async def campaigns(self) -> list[Campaign]: ...
    async def cancel_campaign(self, campaign_id: str) -> Campaign: ...

    # -- MMS and voice
    async def languages(self) -> list[VoiceLanguage]: ...
    async def price_mms(self, messages: Sequence[OutgoingMms]) -> Quote: ...
    async def send_mms(self, messages: Sequence[OutgoingMms]) -> list[RecipientResult]: ...
    async def price_voice(self, messages: Sequence[OutgoingVoice]) -> Quote: ...
    async def send_voice(self, messages: Sequence[OutgoingVoice]) -> list[RecipientResult]: ...


def quote_of(result: SendResult) -> Quote:
    currency = result.currency.code if result.currency else ""
    parts = sum(m.parts for m in result.messages)
    return Quote(total=result.total_price, currency=currency, parts=parts)


class CoreBeyond:
    """``BeyondBackend`` on the app's ``Backend`` (its session, or its connected service)."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._languages: list[VoiceLanguage] | None = None
        # one outbox per channel and service: an Outbox knows which rows it is sending now

    async def _service(self) -> SmsService:
        return await self._backend.session.service()

    async def _contacts(self) -> ContactsService:
        from smstui.core.clicksend.contacts import ContactsService

        return ContactsService(await self._service())

    async def _campaigns(self) -> CampaignService:
        from smstui.core.clicksend.campaigns import CampaignService

        return CampaignService(await self._service())

    async def _channels(self) -> MmsVoiceService:
        from smstui.core.clicksend.mms_voice import MmsVoiceService

        return MmsVoiceService(await self._service())

    async def _outbox(self, kind: ChannelKind) -> ChannelOutbox:
        # the session's own: the sync worker reconciles these same instances, which know
        # which rows they are sending right now
        return await self._backend.session.channel_outbox(kind)

    # ------------------------------------------------------------------ lists and contacts

    async def lists(self) -> list[ContactList]:
        return await (await self._contacts()).all_lists()

    async def create_list(self, name: str) -> ContactList:
        return await (await self._contacts()).create_list(name)

    async def rename_list(self, list_id: str, name: str) -> ContactList:
        return await (await self._contacts()).rename_list(list_id, name)

    async def delete_list(self, list_id: str) -> None:
        await (await self._contacts()).delete_list(list_id)

    async def contacts_page(self, list_id: str, page: int, limit: int) -> Page[Contact]:
        return await (await self._contacts()).contacts(list_id, page, limit)

    async def add_contact(self, list_id: str, contact: NewContact) -> Contact:
        return await (await self._contacts()).add_contact(list_id, contact)

    async def edit_contact(self, list_id: str, contact_id: str, changes: NewContact) -> Contact:
        return await (await self._contacts()).edit_contact(list_id, contact_id, changes)

    async def delete_contact(self, list_id: str, contact_id: str) -> None:
        await (await self._contacts()).delete_contact(list_id, contact_id)

    async def search(self, q: str) -> list[SearchHit]:
        page: Page[SearchHit] = await (await self._contacts()).search(q)
        return page.items

    async def member_numbers(self, list_id: str) -> list[str]:
        return await (await self._contacts()).member_numbers(list_id)

    def plan_import(self, data: bytes) -> ImportPlan:
        return plan_import(data, default_region=self._backend.default_region)

    async def import_csv(self, list_id: str, data: bytes) -> ImportReport:
        service = await self._contacts()
        report: ImportReport = await service.import_csv(
            list_id, data, default_region=self._backend.default_region
        )
        return report

    # ------------------------------------------------------------------ campaigns

    async def price_campaign(self, campaign: NewCampaign) -> CampaignPrice:
        return await (await self._campaigns()).price(campaign)

    async def send_campaign(self, campaign: NewCampaign) -> Campaign:
        return await (await self._campaigns()).send(campaign)

    async def campaigns(self) -> list[Campaign]:
        page: Page[Campaign] = await (await self._campaigns()).list()
        return page.items

    async def cancel_campaign(self, campaign_id: str) -> Campaign:
        return await (await self._campaigns()).cancel(campaign_id)

    # ------------------------------------------------------------------ MMS and voice

    async def languages(self) -> list[VoiceLanguage]:
        # the language list changes rarely: asked once per connection
        if self._languages is None:
            self._languages = list(await (await self._channels()).languages())
        return self._languages

    async def price_mms(self, messages: Sequence[OutgoingMms]) -> Quote:
        return quote_of(await (await self._channels()).price_mms(messages))

    async def send_mms(self, messages: Sequence[OutgoingMms]) -> list[RecipientResult]:
        outbox = await self._outbox("mms")
        return [recipient_result(r) for r in await outbox.send_mms(messages)]

    async def price_voice(self, messages: Sequence[OutgoingVoice]) -> Quote:
        return quote_of(await (await self._channels()).price_voice(messages))

    async def send_voice(self, messages: Sequence[OutgoingVoice]) -> list[RecipientResult]:
        outbox = await self._outbox("voice")
        return [recipient_result(r) for r in await outbox.send_voice(messages)]


_BY_BACKEND: weakref.WeakKeyDictionary[Any, CoreBeyond] = weakref.WeakKeyDictionary()


def beyond_of(backend: Backend) -> BeyondBackend:
    """The ``BeyondBackend`` for ``backend`` (one per backend: a switched connection gets a
    fresh one with its own caches)."""
    found = _BY_BACKEND.get(backend)
    if found is None:
        found = _BY_BACKEND[backend] = CoreBeyond(backend)
    return found
