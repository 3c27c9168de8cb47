"""campaign: an SMS campaign to a contact list (priced and confirmed first; never repeated)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smstui.cli.argtree import actions, command, yes_flag
from smstui.cli.commands.optouts import include_opted_out_arg
from smstui.cli.draft_args import read_text
from smstui.cli.runtime import Runtime
from smstui.core.when import WHEN_HELP, parse_when

if TYPE_CHECKING:
    from smstui.core.models import Campaign
    from smstui.core.service.campaigns import NewCampaign


def _campaign_doc(c: Campaign) -> dict[str, Any]:
    return {
        "campaign_id": c.campaign_id,
        "name": c.name,
        "list_id": c.list_id,
        "status": c.status,
        "schedule": c.schedule,
        "recipients": c.total_count,
        "body": c.body,
    }


def _campaign_rows(items: list[Campaign]) -> list[list[Any]]:
    return [[c.campaign_id, c.name, c.list_id, c.status, c.total_count, c.schedule] for c in items]


_CAMPAIGN_HEADERS = ["ID", "NAME", "LIST", "STATUS", "RECIPIENTS", "SCHEDULE"]


def _campaign_from_args(rt: Runtime) -> NewCampaign:
    from smstui.core.service.campaigns import OPT_OUT_WARNING, needs_opt_out

    a = rt.args
    when = parse_when(a.schedule, future=True) if a.schedule else None
    campaign = rt.ws.campaigns.new(
        a.list_id, a.name, read_text(a.body), sender=a.sender, schedule=when
    )
    if needs_opt_out(campaign.body):
        rt.out.note("smstui: warning: " + OPT_OUT_WARNING)
    return campaign


async def campaign_price(rt: Runtime) -> int:
    from smstui.core.service.campaigns import needs_opt_out

    campaign = _campaign_from_args(rt)
    await rt.ws.campaigns.check_size(campaign.list_id)
    quote = await rt.ws.campaigns.price(campaign)
    opted_out = await rt.ws.campaigns.opted_out_members(campaign.list_id)
    if opted_out:
        rt.out.note(_opted_out_note(opted_out) + ": 'campaign send' refuses the list")
    currency = quote.currency.code if quote.currency else None
    doc = {
        "recipients": quote.total_count,
        "total_price": quote.total_price,
        "currency": currency,
        "needs_opt_out": needs_opt_out(campaign.body),
        "opted_out": len(opted_out),
    }
    rt.emit(
        doc,
        ["RECIPIENTS", "PRICE", "CURRENCY"],
        [[quote.total_count, quote.total_price, currency]],
    )
    return 0


async def campaign_send(rt: Runtime) -> int:
    campaign = _campaign_from_args(rt)
    await rt.ws.campaigns.check_size(campaign.list_id)
    include = rt.args.include_opted_out
    # refused before the price and the question: ClickSend cannot leave them out
    opted_out = await rt.ws.campaigns.check_opt_outs(campaign.list_id, include_opted_out=include)
    quote = await rt.ws.campaigns.price(campaign)
    currency = quote.currency.code if quote.currency else ""
    rt.out.note(f"{quote.total_count} recipient(s), total {quote.total_price} {currency}".rstrip())
    if opted_out:
        rt.out.note(_opted_out_note(opted_out) + ": they are included (--include-opted-out)")
    if not rt.confirm("Send this campaign now? [y/N] ", what="send"):
        rt.out.note("nothing sent")
        return 1
    sent = await rt.ws.campaigns.send(campaign, include_opted_out=include)
    rt.emit(_campaign_doc(sent), _CAMPAIGN_HEADERS, _campaign_rows([sent]))
    return 0


def _opted_out_note(numbers: list[str]) -> str:
    shown = ", ".join(numbers[:5]) + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")
    return (
        f"smstui: warning: {len(numbers)} list member(s) opted out ({shown}); ClickSend sends "
        "a campaign to the whole list, so they would get it"
    )


async def campaign_list(rt: Runtime) -> int:
    items = await rt.ws.campaigns.all()
    rt.emit([_campaign_doc(c) for c in items], _CAMPAIGN_HEADERS, _campaign_rows(items))
    return 0


async def campaign_show(rt: Runtime) -> int:
    found = await rt.ws.campaigns.get(rt.args.campaign_id)
    rt.emit(_campaign_doc(found), _CAMPAIGN_HEADERS, _campaign_rows([found]))
    return 0


async def campaign_cancel(rt: Runtime) -> int:
    found = await rt.ws.campaigns.cancel(rt.args.campaign_id)
    rt.emit(_campaign_doc(found), _CAMPAIGN_HEADERS, _campaign_rows([found]))
    return 0


def _campaign_args(p: Any) -> None:
    p.add_argument("--list", dest="list_id", required=True, metavar="LIST")
    p.add_argument("--name", required=True)
    p.add_argument(
        "--body", required=True, help="text with merge fields like (First Name); '-' reads stdin"
    )
    p.add_argument("--from", dest="sender", metavar="SENDER")
    p.add_argument("--schedule", metavar="WHEN", help="send later. " + WHEN_HELP)


def register(sub: Any) -> None:
    top = command(
        sub,
        "campaign",
        "SMS campaigns to a contact list (up to 20,000 recipients)",
        "  smstui campaign price --list 428 --name Promo --body 'Hi (First Name)! Reply STOP to opt out'\n"
        "  smstui campaign send --list 428 --name Promo --body - --yes\n"
        "  smstui campaign list\n  smstui campaign cancel 2145880",
    )
    acts = actions(top)
    p = command(
        acts,
        "price",
        "price a campaign (sends nothing)",
        "  smstui campaign price --list 428 --name Promo --body 'Hi (First Name)'",
        handler=campaign_price,
    )
    _campaign_args(p)
    p = command(
        acts,
        "send",
        "price, confirm and send a campaign",
        "  smstui campaign send --list 428 --name Promo --body 'Hi (First Name). Reply STOP to opt out' --yes",
        handler=campaign_send,
    )
    _campaign_args(p)
    yes_flag(p, "send without asking")
    include_opted_out_arg(p)
    command(
        acts,
        "list",
        "list campaigns with their status",
        "  smstui --json campaign list",
        handler=campaign_list,
    )
    p = command(
        acts, "show", "show one campaign", "  smstui campaign show 2145880", handler=campaign_show
    )
    p.add_argument("campaign_id", metavar="CAMPAIGN")
    p = command(
        acts,
        "cancel",
        "cancel a scheduled campaign",
        "  smstui campaign cancel 2145880",
        handler=campaign_cancel,
    )
    p.add_argument("campaign_id", metavar="CAMPAIGN")
