"""Realistic starting data: a fortnight of business SMS, a few replies waiting, templates."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import TYPE_CHECKING

from .pricing import (
    SHARED_NUMBER,
    billed_parts,
    carrier_for,
    new_message_id,
    parse_recipient,
    rate_for,
)
from .records import FAILURES, InboundRecord, SmsRecord

if TYPE_CHECKING:
    from .clicksend import SimClickSend

CONTACTS: tuple[tuple[str, str], ...] = (
    ("Olivia", "+61412345678"),
    ("Jack", "+61423456789"),
    ("Mia", "+61434567890"),
    ("Noah", "+61456789012"),
    ("Charlotte", "+61467890123"),
    ("William", "+61478901234"),
    ("Amelia", "+61491570156"),
    ("Ethan", "+14155552671"),
    ("Sophie", "+447400123456"),
    ("Liam", "+64211234567"),
    ("Emma", "+16135550123"),
)

BODIES: tuple[str, ...] = (
    "Hi {name}, your appointment with Dr Patel is confirmed for {day} at {time}. Reply C to cancel.",
    "Hi {name}, your order #{n} has shipped and should arrive within 2 business days.",
    "Reminder: your table for 4 at Harbour Kitchen is booked for {day} 7:30pm. See you then!",
    "{name}, your verification code is {code}. It expires in 10 minutes.",
    "Hi {name}, thanks for visiting! How did we go? Reply with a score from 1 to 5.",
    "Your technician is on the way and will arrive in about 30 minutes 🚐",
    "Hi {name}, invoice INV-{n} for $240.00 is now due. Pay online at example.com/pay or call 1300 555 123.",
    "Hi {name}, a quick update on your renovation: the plasterers finish on {day}, painting starts "
    "the following Monday and the kitchen benchtops are due to be installed the week after. We "
    "will send a reminder the day before each trade arrives. Reply with any questions.",
    "Café Lumière: your coffee order is ready for pick-up at the counter ☕",
)

REPLIES: tuple[str, ...] = (
    "Thanks!",
    "Yes, see you then",
    "C",
    "Can we make it 3pm instead?",
    "Great, thank you 👍",
    "Who is this?",
    "5 - excellent service",
    "Running 10 min late, sorry",
    "Got it, cheers",
)

TEMPLATES: tuple[tuple[str, str], ...] = (
    (
        "Appointment reminder",
        "Hi [First Name], a reminder of your appointment on [Date]. Reply C to cancel.",
    ),
    (
        "Order shipped",
        "Good news! Your order has shipped and should arrive within 2 business days.",
    ),
    ("Feedback request", "Thanks for choosing us. How did we go? Reply with a score from 1 to 5."),
)

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_TIMES = ("9:00am", "10:30am", "1:15pm", "3:45pm")


def fill_body(rng: random.Random, name: str) -> str:
    return rng.choice(BODIES).format(
        name=name,
        day=rng.choice(_DAYS),
        time=rng.choice(_TIMES),
        n=rng.randint(10000, 99999),
        code=rng.randint(100000, 999999),
    )


def seed_account(cs: SimClickSend, rng: random.Random, now: int, size: int) -> None:
    """Fill ``cs`` with ``size`` past messages (the last one scheduled for tomorrow)."""
    for name, body in TEMPLATES:
        cs.add_template(name, body)
    if size <= 0:
        return
    span = 14 * 86400
    step = span // size
    replies: list[InboundRecord] = []
    for i in range(size):
        name, number = rng.choice(CONTACTS)
        parsed = parse_recipient(number, None)
        assert parsed is not None  # the contact pool holds valid numbers only
        to, country = parsed
        body = fill_body(rng, name)
        parts = billed_parts(body, cs.part_cap)
        date = now - span + i * step + rng.randint(0, max(step // 2, 1))
        scheduled = i == size - 1
        send_at = now + 86400 if scheduled else date
        delivered = rng.random() > 0.12
        record = SmsRecord(
            message_id=new_message_id(rng),
            to=to,
            sender=SHARED_NUMBER,
            body=body,
            date=date,
            send_at=send_at,
            parts=parts,
            price=(rate_for(country) * parts).quantize(Decimal("0.0001")),
            country=country,
            carrier=carrier_for(to, country),
            custom_string=f"seed-{i + 1}",
            is_shared=True,
            test_number=False,
            receipt_due=send_at + rng.randint(3, 40),
            delivered=delivered,
            failure=None if delivered else rng.choice(FAILURES),
            scheduled=scheduled,
            # the three newest receipts are left unread so a first sync has something to show
            receipt_read=i < size - 4,
        )
        cs.store(record)
        reply_at = date + rng.randint(60, 3600)
        if delivered and not scheduled and reply_at < now and rng.random() < 0.3:
            replies.append(
                InboundRecord(
                    message_id=new_message_id(rng),
                    sender=to,
                    to=SHARED_NUMBER,
                    body=rng.choice(REPLIES),
                    timestamp=reply_at,
                    original_message_id=record.message_id,
                    original_body=record.body,
                    custom_string=record.custom_string or "",
                    read=True,
                )
            )
    for reply in replies[-3:]:
        reply.read = False
    cs.inbound.extend(sorted(replies, key=lambda r: r.timestamp))
