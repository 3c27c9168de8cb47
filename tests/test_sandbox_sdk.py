"""ClickSend's own SDK (``clicksend-client``, pydantic models with strict types) as a judge of
the sandbox: every call smstui relies on, made by the SDK through the sandbox's Membrane
proxy on a loopback server, must come back in a shape the SDK's model accepts.

The SDK is generated from ClickSend's current OpenAPI description; where it and
clicksend-api.md disagree the sandbox follows the SDK (and smstui's parsers read both).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import clicksend  # clicksend-client, a test extra (pyproject.toml)
import pytest
from clicksend import models as m

from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxServer, SandboxWorld, serve

TOKEN = "sdk-judge-token-789"
TEST_NUMBER = "+61411111111"  # a ClickSend test number: accepted, free
PHONE = "+61412345678"  # a real-looking number: test numbers never get receipts


@dataclass
class Sdk:
    world: SandboxWorld
    client: Any

    def api(self, name: str) -> Any:
        return getattr(clicksend, name)(self.client)


#: one worker runs the module, so its module-scoped fixture is built once
pytestmark = pytest.mark.xdist_group("sandbox-sdk")


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    world = SandboxWorld(seed=13, history_size=20)
    world.failure_rate = 0.0
    world.receipt_delay = 0.0
    with serve(world) as running:
        yield running


@pytest.fixture
def sdk(server: SandboxServer) -> Sdk:
    config = clicksend.Configuration(host=f"{server.url}/connections/{DEFAULT_CONNECTION_ID}/proxy")
    client = clicksend.ApiClient(config, "Authorization", f"Bearer {TOKEN}")
    return Sdk(server.world, client)


def _sms(to: str = TEST_NUMBER, **extra: Any) -> Any:
    return m.SendSmsRequestMessagesInner(to=to, body="judged by the SDK", **extra)


def _scheduled(sdk: Sdk) -> str:
    later = int(sdk.world.clock()) + 86_400
    sent = sdk.api("SmsApi").send_sms(
        send_sms_request=m.SendSmsRequest(messages=[_sms(schedule=later)])
    )
    return str(sent.data.messages[0].message_id)


def _a_list(sdk: Sdk) -> str:
    created = sdk.api("ListsApi").create_list(
        create_list_request=m.CreateListRequest(list_name="SDK")
    )
    return str(created.data.list_id)


def _a_contact(sdk: Sdk, list_id: str) -> str:
    request = m.CreateNewContactRequest(phone_number="+61412345678", first_name="Ada")
    created = sdk.api("ListsApi").create_new_contact(list_id, create_new_contact_request=request)
    return str(created.data.contact_id)


def _a_rule(sdk: Sdk, kind: str) -> str:
    if kind == "inbound":
        request = m.CreateSmsInboundAutomationRequest(
            dedicated_number="*",
            rule_name="sdk",
            message_search_type=0,
            action="POLL",
            action_address="",
            enabled=1,
        )
        rule = sdk.api("SmsApi").create_sms_inbound_automation(
            create_sms_inbound_automation_request=request
        )
        return str(rule.data.inbound_rule_id)
    receipt = m.CreateSmsDeliveryReceiptRuleRequest(
        rule_name="sdk", match_type=0, action="POLL", action_address="", enabled=1
    )
    rule = sdk.api("SmsApi").create_sms_delivery_receipt_rule(
        create_sms_delivery_receipt_rule_request=receipt
    )
    return str(rule.data.receipt_rule_id)


def _template(sdk: Sdk) -> str:
    request = m.CreateSmsTemplateRequest(template_name="SDK", body="Hello {First Name}")
    return str(
        sdk.api("SmsApi").create_sms_template(create_sms_template_request=request).data.template_id
    )


def _replied(sdk: Sdk) -> tuple[str, str]:
    """An outbound message and a reply to it: (original id, inbound id)."""
    sent = sdk.api("SmsApi").send_sms(send_sms_request=m.SendSmsRequest(messages=[_sms(to=PHONE)]))
    original = str(sent.data.messages[0].message_id)
    reply = sdk.world.add_inbound(PHONE, "yes", original_message_id=original)
    return original, reply


def _mms(**kw: Any) -> Any:
    return m.SendMmsRequestMessagesInner(to=TEST_NUMBER, body="pic", subject="Hi", **kw)


def _voice(**kw: Any) -> Any:
    return m.SendVoiceMessageRequestMessagesInner(
        to=TEST_NUMBER, body="your table is ready", voice="female", lang="en-au", **kw
    )


MEDIA = "https://example.com/p.jpg"

#: (name, call) for every SDK call smstui relies on; each returns the SDK's parsed model
CALLS: list[tuple[str, Callable[[Sdk], Any]]] = [
    (
        "send_sms",
        lambda s: s.api("SmsApi").send_sms(send_sms_request=m.SendSmsRequest(messages=[_sms()])),
    ),
    (
        "calculate_sms_price",
        lambda s: s.api("SmsApi").calculate_sms_price(
            calculate_sms_price_request=m.CalculateSmsPriceRequest(
                messages=[m.CalculateSmsPriceRequestMessagesInner(to=TEST_NUMBER, body="price")]
            )
        ),
    ),
    ("view_sms_history", lambda s: s.api("SmsApi").view_sms_history(page=1, limit=100)),
    ("view_inbound_sms", lambda s: (_replied(s), s.api("SmsApi").view_inbound_sms(limit=100))[1]),
    (
        "view_a_specific_inbound_sms_message",
        lambda s: s.api("SmsApi").view_a_specific_inbound_sms_message(_replied(s)[0]),
    ),
    (
        "mark_inbound_sms_as_read",
        lambda s: s.api("SmsApi").mark_inbound_sms_as_read(
            mark_sms_receipt_as_read_request=m.MarkSmsReceiptAsReadRequest(
                date_before=int(s.world.clock())
            )
        ),
    ),
    (
        "mark_specific_inbound_sms_message_as_read",
        lambda s: s.api("SmsApi").mark_specific_inbound_sms_message_as_read(_replied(s)[1]),
    ),
    (
        "view_sms_receipts",
        lambda s: (_replied(s), s.world.advance(120), s.api("SmsApi").view_sms_receipts(limit=100))[
            2
        ],
    ),
    (
        "view_specific_sms_receipt",
        lambda s: (
            o := _replied(s)[0],
            s.world.advance(120),
            s.api("SmsApi").view_specific_sms_receipt(o),
        )[2],
    ),
    (
        "mark_sms_receipt_as_read",
        lambda s: s.api("SmsApi").mark_sms_receipt_as_read(
            mark_sms_receipt_as_read_request=m.MarkSmsReceiptAsReadRequest(
                date_before=int(s.world.clock())
            )
        ),
    ),
    ("cancel_sms", lambda s: s.api("SmsApi").cancel_sms(_scheduled(s))),
    (
        "cancel_all_sms",
        lambda s: (
            _scheduled(s),
            s.api("SmsApi").cancel_all_sms(cancel_all_sms_request=m.CancelAllSmsRequest()),
        )[1],
    ),
    ("view_sms_templates", lambda s: s.api("SmsApi").view_sms_templates(page=1, limit=100)),
    ("create_sms_template", lambda s: s.api("SmsApi").view_a_specific_sms_template(_template(s))),
    (
        "update_sms_template",
        lambda s: s.api("SmsApi").update_sms_template(
            _template(s),
            create_sms_template_request=m.CreateSmsTemplateRequest(template_name="New", body="B"),
        ),
    ),
    ("delete_sms_template", lambda s: s.api("SmsApi").delete_sms_template(_template(s))),
    ("view_sms_inbound_automations", lambda s: s.api("SmsApi").view_sms_inbound_automations()),
    (
        "view_sms_inbound_automation",
        lambda s: s.api("SmsApi").view_sms_inbound_automation(_a_rule(s, "inbound")),
    ),
    (
        "update_sms_inbound_automation",
        lambda s: s.api("SmsApi").update_sms_inbound_automation(
            _a_rule(s, "inbound"),
            update_sms_inbound_automation_request=m.UpdateSmsInboundAutomationRequest(enabled=0),
        ),
    ),
    (
        "delete_sms_inbound_automation",
        lambda s: s.api("SmsApi").delete_sms_inbound_automation(_a_rule(s, "inbound")),
    ),
    (
        "view_sms_delivery_receipt_rules",
        lambda s: s.api("SmsApi").view_sms_delivery_receipt_rules(),
    ),
    (
        "view_sms_delivery_receipt_rule",
        lambda s: s.api("SmsApi").view_sms_delivery_receipt_rule(_a_rule(s, "receipt")),
    ),
    (
        "update_sms_delivery_receipt_rule",
        lambda s: s.api("SmsApi").update_sms_delivery_receipt_rule(
            _a_rule(s, "receipt"),
            create_sms_delivery_receipt_rule_request=m.CreateSmsDeliveryReceiptRuleRequest(
                enabled=0
            ),
        ),
    ),
    (
        "delete_sms_delivery_receipt_rule",
        lambda s: s.api("SmsApi").delete_sms_delivery_receipt_rule(_a_rule(s, "receipt")),
    ),
    ("view_account_details", lambda s: s.api("ManagementApi").view_account_details()),
    ("view_lists", lambda s: s.api("ListsApi").view_lists()),
    ("view_specific_list", lambda s: s.api("ListsApi").view_specific_list(_a_list(s))),
    (
        "update_list",
        lambda s: s.api("ListsApi").update_list(
            _a_list(s), create_list_request=m.CreateListRequest(list_name="Renamed")
        ),
    ),
    ("delete_list", lambda s: s.api("ListsApi").delete_list(_a_list(s))),
    (
        "view_list_contacts",
        lambda s: (
            lid := _a_list(s),
            _a_contact(s, lid),
            s.api("ListsApi").view_list_contacts(lid),
        )[2],
    ),
    (
        "get_specific_contact",
        lambda s: (
            lid := _a_list(s),
            s.api("ContactsApi").get_specific_contact(lid, _a_contact(s, lid)),
        )[1],
    ),
    (
        "update_contact",
        lambda s: (
            lid := _a_list(s),
            s.api("ContactsApi").update_contact(
                lid,
                _a_contact(s, lid),
                create_new_contact_request=m.CreateNewContactRequest(first_name="Bo"),
            ),
        )[1],
    ),
    (
        "delete_contact",
        lambda s: (lid := _a_list(s), s.api("ContactsApi").delete_contact(lid, _a_contact(s, lid)))[
            1
        ],
    ),
    ("view_contact_lists", lambda s: s.api("ListsApi").view_contact_lists(q="Ada")),
    (
        "send_mms",
        lambda s: s.api("MmsApi").send_mms(
            send_mms_request=m.SendMmsRequest(media_file=MEDIA, messages=[_mms()])
        ),
    ),
    (
        "calculate_mms_price",
        lambda s: s.api("MmsApi").calculate_mms_price(
            calculate_mms_price_request=m.CalculateMmsPriceRequest(
                media_file=MEDIA,
                messages=[
                    m.CalculateMmsPriceRequestMessagesInner(to=TEST_NUMBER, body="p", subject="S")
                ],
            )
        ),
    ),
    ("view_mms_history", lambda s: s.api("MmsApi").view_mms_history(limit=100)),
    (
        "send_voice_message",
        lambda s: s.api("VoiceMessagingApi").send_voice_message(
            send_voice_message_request=m.SendVoiceMessageRequest(messages=[_voice()])
        ),
    ),
    (
        "calculate_voice_price",
        lambda s: s.api("VoiceMessagingApi").calculate_voice_price(
            calculate_voice_price_request=m.CalculateVoicePriceRequest(
                messages=[
                    m.CalculateVoicePriceRequestMessagesInner(
                        to=TEST_NUMBER, body="hi", voice="female", lang="en-au"
                    )
                ]
            )
        ),
    ),
    ("get_voice_history", lambda s: s.api("VoiceMessagingApi").get_voice_history(limit=100)),
    ("view_voice_receipts", lambda s: s.api("VoiceMessagingApi").view_voice_receipts()),
    ("view_voice_languages", lambda s: s.api("VoiceMessagingApi").view_voice_languages()),
    (
        "cancel_voice_message",
        lambda s: s.api("VoiceMessagingApi").cancel_voice_message(_scheduled_voice(s)),
    ),
    ("cancel_all_voice_messages", lambda s: s.api("VoiceMessagingApi").cancel_all_voice_messages()),
    (
        "calculate_sms_campaign_price",
        lambda s: s.api("SmsCampaignsApi").calculate_sms_campaign_price(
            calculate_sms_campaign_price_request=m.CalculateSmsCampaignPriceRequest(
                list_id=_listed(s), name="Sale", body="20% off today"
            )
        ),
    ),
    ("send_sms_campaign", lambda s: _campaign(s)),
    (
        "view_sms_campaigns",
        lambda s: (_campaign(s), s.api("SmsCampaignsApi").view_sms_campaigns())[1],
    ),
    (
        "view_specific_sms_campaign",
        lambda s: s.api("SmsCampaignsApi").view_specific_sms_campaign(
            str(_campaign(s).data.sms_campaign_id)
        ),
    ),
    (
        "cancel_sms_campaign",
        lambda s: s.api("SmsCampaignsApi").cancel_sms_campaign(
            str(_campaign(s, later=True).data.sms_campaign_id)
        ),
    ),
]

#: calls whose SDK method declares no answer model (it returns None): they must still succeed
NO_MODEL = frozenset({"view_contact_lists"})


def _scheduled_voice(sdk: Sdk) -> str:
    # the SDK's voice message model has no ``schedule`` (smstui sends one): schedule it here
    later = int(sdk.world.clock()) + 86_400
    body = {
        "messages": [{"to": TEST_NUMBER, "body": "later", "voice": "female", "schedule": later}]
    }
    with sdk.world.lock:
        answer = sdk.world.clicksend.handle("POST", "/v3/voice/send", {}, json.dumps(body).encode())
    return str(json.loads(answer.body)["data"]["messages"][0]["message_id"])


def _listed(sdk: Sdk) -> str:
    list_id = _a_list(sdk)
    _a_contact(sdk, list_id)
    return list_id


def _campaign(sdk: Sdk, *, later: bool = False) -> Any:
    request = m.SendSmsCampaignRequest(
        list_id=int(_listed(sdk)),
        name="Sale",
        var_from="Shop",
        body="20% off today",
        schedule=int(sdk.world.clock()) + 86_400 if later else None,
        senders=[m.SendersInner(recipient_country_code="AU", sender_id="Shop")],
    )
    return sdk.api("SmsCampaignsApi").send_sms_campaign(send_sms_campaign_request=request)


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_the_sdk_reads_the_sandbox_answer_into_its_model(
    sdk: Sdk, name: str, call: Callable[[Sdk], Any]
) -> None:
    answer = call(sdk)  # a ValidationError or ApiException here is the failure
    if name in NO_MODEL:
        assert answer is None
        return
    assert answer.http_code == 200
    assert answer.response_code == "SUCCESS"
