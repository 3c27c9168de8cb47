"""The team bench's audit (``team.py``): what each operator asked for and was told, what
the team store's outbox says, and what ClickSend (the sandbox) received and accepted; and
the reply fan-out latency from the operators' events.

Every message goes to a number of its own, so ClickSend accepting a number twice is a
message sent twice (under one token or two). ``lost``: an operator was told a message was
accepted but ClickSend never accepted it; an outbox row that says accepted while ClickSend
accepted its token other than once; a row that says failed although ClickSend accepted it
(the operator would send it again); a row not in a final state.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Any

from team_operator import number

from smstui.core.store.outbox_table import FINAL_STATES, OutboxRow

#: an observer that died this soon after a reply was committed is not blamed for missing it
GRACE = 5.0
#: the Inbox is measured for replies stored while it had this long still to stay on screen
#: (the goal: a reply shows within 1 s); one left sooner may be painted only on the next visit
ROOM = 1.0


def percentiles(samples: list[float]) -> dict[str, Any]:
    if not samples:
        return {"n": 0}
    s = sorted(samples)

    def at(q: float) -> float:
        return round(s[min(len(s) - 1, int(q * len(s)))] * 1000, 1)

    return {"n": len(s), "p50_ms": at(0.5), "p95_ms": at(0.95), "max_ms": round(s[-1] * 1000, 1)}


def audit_sends(
    operators: list[dict[str, Any]],
    events: list[list[dict[str, Any]]],
    rows: list[OutboxRow],
    records: dict[str, list[tuple[str, str]]],
    messages: int,
) -> dict[str, Any]:
    accepted_to = Counter(to for to, _ in records["accepted"])
    accepted_token = Counter(cs for _, cs in records["accepted"])
    received_token = Counter(cs for _, cs in records["received"])
    rows_of: dict[str, list[OutboxRow]] = {}
    for r in rows:
        rows_of.setdefault(r.to, []).append(r)
    lost: list[str] = []
    duplicates: list[str] = []
    per_operator = []
    for op, evs in zip(operators, events, strict=True):
        mine = [number(op["index"], i) for i in range(messages)]
        asked: set[str] = set()
        told: dict[str, str] = {}
        for e in evs:
            if e["e"] == "request":
                asked.update(e["to"])
            elif e["e"] == "told":
                told.update(e["outcomes"])
        for to in mine:
            if accepted_to[to] > 1:
                duplicates.append(f"{op['name']}: {to} accepted {accepted_to[to]}x")
            if told.get(to) == "accepted" and not accepted_to[to]:
                lost.append(f"{op['name']}: {to} told accepted, never accepted by ClickSend")
        never_asked = [to for to in mine if to not in asked]
        unrecorded = [to for to in asked if to not in rows_of]
        per_operator.append(
            {
                "name": op["name"],
                "kind": op["kind"],
                "asked": len(asked),
                "never_asked": len(never_asked),
                "asked_never_recorded": len(unrecorded),
                "told": dict(Counter(told.values())),
                "outbox_rows": sum(len(rows_of.get(to, ())) for to in mine),
                "rows_per_message_max": max((len(rows_of.get(to, ())) for to in mine), default=0),
                "accepted_by_clicksend": sum(1 for to in mine if accepted_to[to]),
            }
        )
    non_final = [r for r in rows if r.state not in FINAL_STATES]
    for r in rows:
        got = accepted_token[r.token]
        if r.state == "accepted" and got != 1:
            lost.append(f"row {r.id} {r.to}: accepted, ClickSend accepted it {got}x")
        if r.state in ("failed", "rejected") and got:
            lost.append(f"row {r.id} {r.to}: {r.state}, yet ClickSend accepted it")
    for r in non_final:
        lost.append(f"row {r.id} {r.to}: not final ({r.state})")
    return {
        "duplicates": len(duplicates),
        "duplicate_examples": duplicates[:10],
        "lost": len(lost),
        "lost_examples": lost[:10],
        "outbox_rows": len(rows),
        "by_state": dict(Counter(r.state for r in rows)),
        "non_final": len(non_final),
        # told "unknown, check before sending again", and ClickSend had it after all
        "failed_unknown_yet_accepted": sum(
            1 for r in rows if r.state == "failed_unknown" and accepted_token[r.token]
        ),
        "tokens_received_twice": sum(1 for n in received_token.values() if n > 1),
        "messages_accepted_by_clicksend": sum(p["accepted_by_clicksend"] for p in per_operator),
        "operators": per_operator,
    }


def incarnations(evs: list[dict[str, Any]], kills: list[float]) -> list[dict[str, Any]]:
    """Each run of one operator: its pid, when its watch listened, and when it ended."""
    runs: list[dict[str, Any]] = []
    for e in evs:
        if e["e"] == "start":
            runs.append({"pid": e["pid"], "start": e["t"], "end": None})
    for run, nxt in pairwise(runs):
        run["end"] = next((k for k in kills if run["start"] < k <= nxt["start"]), nxt["start"])
    return runs


def fan_out(
    operators: list[dict[str, Any]],
    events: list[list[dict[str, Any]]],
    injected: dict[str, float],
    app_via: str,
    stored_read: set[str],
) -> dict[str, Any]:
    """For each injected reply: from the moment the syncing process committed it to the
    moment each other operator process (alive then) read it after its watch's notice.

    ``stored_read``: replies the store holds as read. A sync stores replies from the unread
    list first, then history, which stores the inbound records it meets as read; a reply
    that arrives between the two is stored read by history, and the next sync's unread list
    leaves it read: no process ever learns of it as a new reply, and its "commit" below is
    not when its row appeared. Counted apart, neither measured nor missed."""
    committed: dict[str, tuple[float, int]] = {}
    for evs in events:
        for e in evs:
            if e["e"] == "commit":
                for i in set(e["ids"]) - stored_read:
                    if i not in committed or e["t"] < committed[i][0]:
                        committed[i] = (e["t"], e["pid"])
    from_commit: list[float] = []
    from_inject: list[float] = []
    by_kind: dict[str, list[float]] = {}
    missed: list[str] = []
    for op, evs in zip(operators, events, strict=True):
        seen: dict[tuple[int, str], float] = {}
        for e in evs:
            if e["e"] == "seen" and e.get("via", "watch") == "watch":
                for i in e["ids"]:
                    seen.setdefault((e["pid"], i), e["t"])
        for run in incarnations(evs, op["kills"]):
            for reply, (at, by) in committed.items():
                if by == run["pid"] or run["start"] > at:
                    continue  # the syncing process itself, or not listening yet
                t = seen.get((run["pid"], reply))
                if t is None:
                    if run["end"] is None or run["end"] > at + GRACE:
                        missed.append(f"{op['name']} pid {run['pid']}: {reply}")
                    continue
                from_commit.append(t - at)
                by_kind.setdefault(op["kind"], []).append(t - at)
                if reply in injected:
                    from_inject.append(t - injected[reply])
    inbox, not_shown = inbox_latency(events, committed)
    syncers = Counter(by for _, by in committed.values())
    return {
        "replies_injected": len(injected),
        "replies_committed": len(committed),
        "committing_processes": len(syncers),
        "from_commit": percentiles(from_commit),
        "from_commit_by_kind": {k: percentiles(v) for k, v in sorted(by_kind.items())},
        "from_injection": percentiles(from_inject),
        "replies_stored_read_by_history": len(stored_read & set(injected)),
        "missed": len(missed),
        "missed_examples": missed[:5],
        "app_measured_via": app_via,
        # the app's Inbox: from the commit to the first paint of the reply, for replies
        # stored while the Inbox was the tab on screen (and stayed so ROOM seconds more)
        "app_inbox_from_commit": percentiles(inbox),
        "app_inbox_not_shown_while_open": not_shown,
    }


def inbox_latency(
    events: list[list[dict[str, Any]]], committed: dict[str, tuple[float, int]]
) -> tuple[list[float], int]:
    """Commit to Inbox paint, for replies another process stored while the app's Inbox was
    open with at least ``ROOM`` seconds still to stay; and how many of those replies the
    Inbox did not paint before it was left."""
    samples: list[float] = []
    not_shown = 0
    for evs in events:
        shown: dict[tuple[int, str], float] = {}
        spans: dict[int, list[list[float]]] = {}
        for e in evs:
            if e["e"] == "seen" and e.get("via") == "inbox":
                for i in e["ids"]:
                    shown.setdefault((e["pid"], i), e["t"])
            elif e["e"] == "inbox":
                mine = spans.setdefault(e["pid"], [])
                if e["open"]:
                    mine.append([e["t"], float("inf")])
                elif mine and mine[-1][1] == float("inf"):
                    mine[-1][1] = e["t"]
        for pid, open_spans in spans.items():
            for reply, (at, by) in committed.items():
                span = next((sp for sp in open_spans if sp[0] <= at <= sp[1] - ROOM), None)
                if by == pid or span is None:
                    continue
                t = shown.get((pid, reply))
                if t is not None and t < span[1]:
                    samples.append(t - at)
                else:  # (the app is killed only while it sends: never with the Inbox open)
                    not_shown += 1
    return samples, not_shown
