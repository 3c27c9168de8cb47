"""bulk send | resume | list: a CSV to many numbers, validated first, resumable, exactly once."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smstui.cli.argtree import actions, command, yes_flag
from smstui.cli.draft_args import template_body
from smstui.cli.runtime import Runtime
from smstui.core.errors import NotFoundError, UsageError, ValidationError
from smstui.core.safe_text import printable
from smstui.core.when import WHEN_HELP

if TYPE_CHECKING:
    from smstui.core.service.bulk import BulkJob, RowProblem


class Progress:
    """A progress bar on stderr (a bar on a terminal, a line per step otherwise)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.tty = rt.out.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        if self.tty:
            bar = "#" * (pct // 4)
            self.rt.out.stderr.write(f"\r[{bar:<25}] {done}/{total} sent ")
            if done >= total:
                self.rt.out.stderr.write("\n")
            self.rt.out.stderr.flush()
        else:
            self.rt.out.note(f"progress: {done}/{total} ({pct}%)")


class Countdown:
    """Shows, on stderr, how long until a batch whose answer was lost is checked."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.tty = rt.out.stderr.isatty()
        self._shown: tuple[int, int] | None = None  # (batch, seconds) last shown

    def __call__(self, batch: int, left: float) -> None:
        seconds = math.ceil(left)
        if seconds <= 0:
            if self._shown is not None and self.tty:
                self.rt.out.stderr.write("\n")
            if self._shown is not None:
                self.rt.out.note(f"checking ClickSend history for batch {batch + 1}")
            self._shown = None
            return
        first = self._shown is None or self._shown[0] != batch
        # a terminal line is redrawn every second; a log gets a line every 10 seconds
        if not first and (self._shown == (batch, seconds) or (not self.tty and seconds % 10)):
            return
        self._shown = (batch, seconds)
        text = (
            f"batch {batch + 1}: its answer was lost; checking ClickSend history "
            f"in {seconds} s (history can lag; nothing is resent before that)"
        )
        if self.tty:
            self.rt.out.stderr.write(f"\r{text} ")
            self.rt.out.stderr.flush()
        else:
            self.rt.out.note(text)


def _settle(rt: Runtime) -> float:
    settle: float = rt.args.settle
    if not settle >= 0:  # also refuses NaN
        raise UsageError("--settle must be 0 or more seconds")
    return settle


async def send(rt: Runtime) -> int:
    from smstui.core.models import OutgoingSms
    from smstui.core.service import bulk, drafts

    a = rt.args
    _settle(rt)
    path = Path(a.file)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {printable(str(path))}: {err.strerror}") from None
    region = rt.settings.default_region
    sender = drafts.sender(a.sender, region)
    when = drafts.schedule(a.schedule)
    if a.body is not None:
        template = a.body
    else:
        template = await template_body(rt, a.template)
    plan = bulk.plan(data, template, default_region=region)
    for d in plan.duplicates:
        rt.out.note(f"line {d.line}: {d.to} repeats line {d.first_line}: skipped")
    for w in plan.warnings:
        rt.out.note(f"line {w.line}: warning: {printable(w.reason)}")
    if plan.problems:
        for p in plan.problems:
            rt.out.note(f"line {p.line}: {printable(p.reason)}")
        raise ValidationError(
            f"{len(plan.problems)} bad row(s) in {printable(str(path))}; nothing was sent",
            field="file",
            hint="Fix those lines and run the command again.",
        )
    if not plan.rows:
        raise ValidationError("the CSV has no rows to send", field="file")
    opted_out = set(rt.ws.optouts.among([r.to for r in plan.rows]))
    for r in plan.rows:
        if r.to in opted_out:
            rt.out.note(f"line {r.line}: {r.to} opted out: skipped (listed in the results)")
    to_send = [r for r in plan.rows if r.to not in opted_out]
    if not to_send:
        raise ValidationError("every number in the CSV opted out; nothing to send", field="file")
    quote = await rt.ws.messages.price_each(
        [OutgoingSms(to=r.to, body=r.body, sender=sender, schedule=when) for r in to_send]
    )
    currency = quote.currency.code if quote.currency else ""
    rt.out.note(
        f"{len(to_send)} message(s), {sum(m.parts for m in quote.messages)} part(s), "
        f"total {quote.total_price} {currency}".rstrip()
        + (f"; {len(opted_out)} opted-out number(s) skipped" if opted_out else "")
        + (f"; {len(plan.warnings)} warning(s) above" if plan.warnings else "")
    )
    if not a.yes:
        if not rt.stdin_is_tty:
            raise UsageError(
                "refusing to send without confirmation: standard input is not a terminal",
                hint="Add --yes to send without asking.",
            )
        if rt.ask("Send now? [y/N] ").lower() not in ("y", "yes"):
            rt.out.note("nothing sent")
            return 1
    job = bulk.create_job(plan.rows, sender=sender, schedule=when, source=str(path))
    rt.out.note(f"bulk job {job.job_id} (resume with 'smstui bulk resume {job.job_id}')")
    results = Path(a.results) if a.results else path.with_suffix(".results.csv")
    return await _run(rt, job, results, plan.warnings)


async def _run(
    rt: Runtime, job: BulkJob, results_path: Path, warnings: Sequence[RowProblem] = ()
) -> int:
    from smstui.core.service.bulk import write_results

    requests = await rt.ws.bulk.run(
        job, progress=Progress(rt), settle=_settle(rt), on_wait=Countdown(rt)
    )
    write_results(job, results_path)  # 0600: the results list customers' numbers
    accepted = sum(1 for r in job.results.values() if r.accepted)
    unconfirmed = job.unconfirmed
    opted_out = job.opted_out
    for i in unconfirmed:
        row = job.rows[i]
        rt.out.note(
            f"line {row.line}: {row.to}: not found in ClickSend history after one automatic "
            "resend; check before sending it again"
        )
    total = sum((r.price or Decimal(0) for r in job.results.values()), Decimal(0))
    summary = {
        "job_id": job.job_id,
        "rows": len(job.rows),
        "accepted": accepted,
        "rejected": len(job.results) - accepted - len(unconfirmed) - len(opted_out),
        "opted_out": [{"line": job.rows[i].line, "to": job.rows[i].to} for i in opted_out],
        "unconfirmed": len(unconfirmed),
        "send_requests": requests,
        "total_price": total,
        "results_csv": str(results_path),
        "warnings": [{"line": w.line, "reason": w.reason} for w in warnings],
    }
    if rt.out.json_mode:
        rt.out.emit_json(summary)
    else:
        rt.out.line(
            f"{accepted} of {len(job.rows)} accepted in {requests} request(s); "
            f"results in {results_path}"
            + (f"; {len(opted_out)} opted-out number(s) skipped" if opted_out else "")
            + (f"; {len(warnings)} row(s) sent with a warning" if warnings else "")
        )
    # a skipped opt-out is the job done right, not a failure
    return 0 if accepted + len(opted_out) == len(job.rows) else 1


async def resume(rt: Runtime) -> int:
    from smstui.core.service import bulk

    _settle(rt)
    if rt.args.job_id:
        job = bulk.load_job(rt.args.job_id)
    else:
        todo = bulk.unfinished()
        if not todo:
            raise NotFoundError("no unfinished bulk job", hint="'smstui bulk list' shows them all.")
        if len(todo) > 1:
            ids = ", ".join(j.job_id for j in todo)
            raise UsageError(f"several unfinished bulk jobs ({ids}): name one")
        job = todo[0]
    results = Path(rt.args.results) if rt.args.results else job.path / "results.csv"
    if job.source and not rt.args.results:
        results = Path(job.source).with_suffix(".results.csv")
    return await _run(rt, job, results)


async def list_(rt: Runtime) -> int:
    from smstui.core.service import bulk

    jobs = bulk.jobs()
    docs = [
        {
            "job_id": j.job_id,
            "source": j.source,
            "rows": len(j.rows),
            "done": j.done_rows,
            "finished": j.finished,
        }
        for j in jobs
    ]
    if rt.out.json_mode:
        rt.out.emit_json(docs)
    else:
        rt.out.table(
            ["JOB", "ROWS", "DONE", "FINISHED", "SOURCE"],
            [[d["job_id"], d["rows"], d["done"], d["finished"], d["source"]] for d in docs],
        )
    return 0


def _settle_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--settle",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="before checking a batch whose answer was lost, give ClickSend's history this "
        "long to show it (default 120; 0 checks at once)",
    )


def register(sub: Any) -> None:
    b = command(
        sub,
        "bulk",
        "send one message to many numbers from a CSV file",
        "  smstui bulk send customers.csv --body 'Hi {name}, your order shipped'\n"
        "  smstui bulk send list.csv --template Reminder --yes\n  smstui bulk resume",
    )
    bs = actions(b)
    p = command(
        bs,
        "send",
        "validate a CSV, show the price, confirm, send in batches",
        "  smstui bulk send customers.csv --body 'Hi {name}'\n"
        "  smstui bulk send customers.csv --template 7 --from ACME --yes\n\n"
        "The CSV needs a header row with a phone column (phone, mobile, number or to).\n"
        "{column} in the message is replaced by that row's value; {{ and }} are braces.\n"
        "Every row is checked first: with any bad row, nothing is sent.",
        handler=send,
    )
    p.add_argument("file", metavar="FILE.csv")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--body", metavar="TEXT", help="message text with {column} placeholders")
    g.add_argument("--template", metavar="ID|NAME", help="use a saved template")
    p.add_argument("--from", dest="sender", metavar="SENDER")
    p.add_argument("--schedule", metavar="WHEN", help=WHEN_HELP)
    yes_flag(p, "do not ask for confirmation")
    p.add_argument("--results", metavar="FILE", help="results CSV (default: FILE.results.csv)")
    _settle_arg(p)
    p = command(
        bs,
        "resume",
        "continue an interrupted bulk send (nobody gets it twice)",
        "  smstui bulk resume\n  smstui bulk resume 20240501T093000-a1b2c3\n"
        "  smstui bulk resume --settle 300\n\n"
        "A batch that may have reached ClickSend is looked up in its history first (after\n"
        "--settle seconds: history can lag); only numbers not found there are sent, once.",
        handler=resume,
    )
    p.add_argument("job_id", nargs="?", metavar="JOB_ID", help="default: the only unfinished job")
    p.add_argument("--results", metavar="FILE", help="results CSV")
    _settle_arg(p)
    command(
        bs,
        "list",
        "list bulk jobs and their progress",
        "  smstui bulk list",
        handler=list_,
        needs_credentials=False,
    )
