"""The live "how many SMS is this" line under a message body."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from smstui.core.sms_text import segments_for
from smstui.ui.safe_text import visible


class SegmentMeter(Static):
    """Encoding, characters, parts, characters left in the part; warns above the part cap."""

    DEFAULT_CSS = """
    SegmentMeter { height: auto; color: $text-muted; }
    SegmentMeter.-over-cap { color: $error; }
    SegmentMeter.-unicode { color: $warning; }
    """

    text: reactive[str] = reactive("", layout=True)
    part_cap: reactive[int] = reactive(6)

    def watch_text(self) -> None:
        self._update()

    def watch_part_cap(self) -> None:
        self._update()

    def _update(self) -> None:
        info = segments_for(self.text, part_cap=self.part_cap)
        line = Text(end="")
        line.append(f"{info.encoding}", style="bold")
        line.append(f" · {info.chars} chars · {info.parts} part{'s' if info.parts != 1 else ''}")
        line.append(f" · {info.left_in_part} left in part")
        if info.unicode_chars:
            shown = " ".join(visible(ch) for ch in info.unicode_chars[:8])
            more = "…" if len(info.unicode_chars) > 8 else ""
            line.append(f" · Unicode because of: {shown}{more}")
        if info.over_cap:
            line.append(f" · over the account's {info.part_cap}-part limit", style="bold")
        self.set_class(info.over_cap, "-over-cap")
        self.set_class(bool(info.unicode_chars) and not info.over_cap, "-unicode")
        self.update(line)
