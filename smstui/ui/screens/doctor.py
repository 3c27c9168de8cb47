"""Doctor: the same checks as ``smstui doctor``, shown as inert plain text."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import getters, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import LoadingIndicator, Static

from smstui.ui.safe_text import plain
from smstui.ui.shell import SmsShell

if TYPE_CHECKING:
    from smstui.core.service.types import CheckResult


def results_text(results: list[CheckResult]) -> Text:
    """One line per check (and its fix under a failure); server text stays plain text."""
    text = Text(end="")
    width = max((len(r.check) for r in results), default=0)
    for r in results:
        text.append("✔ " if r.ok else "✖ ", style="bold green" if r.ok else "bold red")
        text.append(f"{r.check:<{width}}  ", style="bold")
        text.append_text(plain(r.detail))
        text.append("\n")
        if not r.ok and r.fix:
            text.append(" " * (width + 4) + "fix: ", style="dim")
            text.append_text(plain(r.fix))
            text.append("\n")
    failed = sum(not r.ok for r in results)
    text.append(
        f"\n{failed} of {len(results)} check(s) failed. Repairs: run `smstui doctor --fix`."
        if failed
        else f"\nAll {len(results)} checks passed."
    )
    return text


class DoctorScreen(ModalScreen[None]):
    #: the app, typed (the backend, guarded calls)
    app = getters.app(SmsShell)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Close", id="doctor.close"),
        Binding("r", "run", "Check again", id="doctor.run"),
    ]
    DEFAULT_CSS = """
    DoctorScreen { align: center middle; }
    DoctorScreen > VerticalScroll {
        width: 110; max-width: 98%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    DoctorScreen .title { text-style: bold; margin-bottom: 1; }
    DoctorScreen #doctor-spinner { height: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.results: list[CheckResult] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Doctor: is this setup ready to send and receive?", classes="title")
            yield LoadingIndicator(id="doctor-spinner")
            yield Static("", id="doctor-results")
            yield Static(Text("r checks again, Esc closes.", style="dim"))

    def on_mount(self) -> None:
        self.action_run()

    def action_run(self) -> None:
        self.query_one("#doctor-spinner").display = True
        self.query_one("#doctor-results", Static).update("Checking…")
        self._run()

    @work(exclusive=True, group="doctor", exit_on_error=False)
    async def _run(self) -> None:
        app = self.app
        try:
            results = await app.ws.doctor()
        except Exception as err:  # shown on the screen, never as a traceback
            from smstui.ui.shell import describe_error

            self.query_one("#doctor-results", Static).update(
                plain(f"The checks stopped: {describe_error(err)}")
            )
        else:
            self.results = results
            self.query_one("#doctor-results", Static).update(results_text(results))
        finally:
            self.query_one("#doctor-spinner").display = False
