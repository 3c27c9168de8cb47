"""A field's problem, shown under the field; it takes no room while there is none.

Compose stacks five of them (recipients, sender, channel fields, body, schedule): blank,
they cost five rows, enough to push Send and the schedule below an 80x24 screen in the MMS
and voice modes.
"""

from __future__ import annotations

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static


class FieldError(Static):
    DEFAULT_CSS = """
    FieldError { display: none; }
    """

    def __init__(self, *, id: str) -> None:
        super().__init__("", id=id, classes="field-error")

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = bool(content.plain if isinstance(content, Text) else content)
