"""The live limit line under an MMS or voice body (the SMS one is ``SegmentMeter``)."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from smstui.core.sms_text import (
    VOICE_GSM_PER_CREDIT,
    VOICE_UNICODE_PER_CREDIT,
    is_gsm,
    mms_limit,
    normalise_newlines,
    voice_credits,
    voice_limit,
)

ChannelMode = Literal["mms", "voice"]


def channel_meter_text(text: str, mode: ChannelMode) -> tuple[Text, bool]:
    """The meter line for ``text`` and whether it is over the channel's limit."""
    body = normalise_newlines(text)
    encoding = "GSM" if is_gsm(body) else "Unicode"
    line = Text(end="")
    if mode == "mms":
        limit = mms_limit(body)
        line.append("MMS", style="bold")
        line.append(f" · {encoding} · {len(body)}/{limit} chars")
        line.append(" · media up to 250 kB")
    else:
        limit = voice_limit(body)
        per = VOICE_GSM_PER_CREDIT if encoding == "GSM" else VOICE_UNICODE_PER_CREDIT
        credits = voice_credits(body)
        line.append("Voice", style="bold")
        line.append(f" · {encoding} · {len(body)}/{limit} chars")
        line.append(f" · {credits} credit{'s' if credits != 1 else ''} ({per} chars each)")
    over = len(body) > limit
    if over:
        line.append(f" · {len(body) - limit} over the limit: ClickSend would cut the rest")
    return line, over


class ChannelMeter(Static):
    DEFAULT_CSS = """
    ChannelMeter { height: auto; color: $text-muted; padding-left: 1; }
    ChannelMeter.-over { color: $error; }
    """

    text: reactive[str] = reactive("")
    mode: reactive[ChannelMode] = reactive[ChannelMode]("mms")

    def watch_text(self) -> None:
        self._update()

    def watch_mode(self) -> None:
        self._update()

    def _update(self) -> None:
        line, over = channel_meter_text(self.text, self.mode)
        self.set_class(over, "-over")
        self.update(line)
