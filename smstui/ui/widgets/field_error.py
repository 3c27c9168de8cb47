"""A field's problem, shown under the field; it takes no room while there is none.

Compose stacks five of them (recipients, sender, channel fields, body, schedule): blank,
they cost five rows, enough to push Send and the schedule below an 80x24 screen in the MMS
and voice modes. Compose mounts each only when it first has something to say
(``show_field_error``).
"""

from __future__ import annotations

from rich.text import Text
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static


class FieldError(Static):
    DEFAULT_CSS = """
    FieldError { display: none; }
    """

    def __init__(self, *, id: str) -> None:
        super().__init__("", id=id, classes="field-error")

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = _says_something(content)


def _says_something(content: VisualType) -> bool:
    return bool(content.plain if isinstance(content, Text) else content)


def show_field_error(
    host: Widget,
    error_id: str,
    content: VisualType,
    *,
    after: Widget | None = None,
    before: Widget | None = None,
) -> None:
    """Show ``content`` on ``host``'s error line ``error_id`` ("" clears it).

    The line is mounted the first time it has something to say, beside ``after`` or
    ``before`` (in their container; at the end of ``host`` without either), and stays,
    blank and taking no room, once an error has been shown. A form that never shows an
    error never carries its error lines: each widget on a screen costs on every key driven
    by Textual's Pilot (it visits them all: the History bench, the tests)."""
    found = host.query(f"#{error_id}")
    if found:
        found.first(FieldError).update(content)
        return
    if not _says_something(content):
        return
    line = FieldError(id=error_id)
    line.update(content)
    anchor = after or before
    if anchor is None:
        host.mount(line)
    else:
        # mount registers the line at once: an update before it is mounted finds it
        parent = anchor.parent
        assert isinstance(parent, Widget)
        parent.mount(line, after=after, before=before)
