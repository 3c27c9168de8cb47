"""What front-ends hold but the service's parts do not define: types, and the few rules that
go with them (a campaign's merge fields, a POLL rule's effect), re-exported so the UI and the
CLI never import the layers below.

Importing this module loads those layers; front-ends import it under ``TYPE_CHECKING`` or
inside the code that needs a value (a tab that is not shown costs nothing at start-up).
"""

from smstui.core.clicksend.campaigns import (
    MERGE_FIELDS,
    OPT_OUT_WARNING,
    NewCampaign,
    needs_opt_out,
    new_campaign,
)
from smstui.core.clicksend.contacts import ImportReport
from smstui.core.clicksend.contacts_csv import ImportPlan
from smstui.core.clicksend.poll_rules import WHAT as POLL_RULE_EFFECTS
from smstui.core.clicksend.poll_rules import PollRules
from smstui.core.doctor import CheckResult
from smstui.core.membrane.action_runs import ActionRun
from smstui.core.membrane.connection import ConnectUI
from smstui.core.store.contract import Watching
from smstui.core.store.marks import HandledMark

__all__ = [
    "MERGE_FIELDS",
    "OPT_OUT_WARNING",
    "POLL_RULE_EFFECTS",
    "ActionRun",
    "CheckResult",
    "ConnectUI",
    "HandledMark",
    "ImportPlan",
    "ImportReport",
    "NewCampaign",
    "PollRules",
    "Watching",
    "needs_opt_out",
    "new_campaign",
]
