"""Shown when folio.db turns out to be damaged: what is wrong, where, and what to do.

Nothing behind it can be trusted to read the store any more, so its only key quits; the
command line prints the same words once the terminal is back.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..core.storage.errors import REPAIR_COMMAND, StoreError


class StoreDamagedScreen(ModalScreen[None]):
    """The damaged database, in words; q, Escape or Enter quits with exit status 2."""

    DEFAULT_CSS = """
    StoreDamagedScreen {
        align: center middle;
    }
    StoreDamagedScreen > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        border: round $error;
        border-title-color: $text;
        background: $surface;
        padding: 1 2;
    }
    StoreDamagedScreen .what {
        text-style: bold;
        color: $error;
    }
    StoreDamagedScreen .detail, StoreDamagedScreen .todo {
        margin-top: 1;
    }
    StoreDamagedScreen .keys {
        margin-top: 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape,enter", "quit_damaged", "Quit", priority=True),
    ]

    def __init__(self, problem: StoreError) -> None:
        super().__init__()
        self.problem = problem

    def compose(self) -> ComposeResult:
        path = str(self.problem.path or "folio.db")
        with Vertical() as box:
            box.border_title = "folio cannot go on"
            # The path and SQLite's words are shown as they are, never as markup.
            yield Static(Content("The database is damaged."), classes="what")
            yield Static(
                Content(f"{path}\n({self.problem.detail or self.problem})"), classes="detail"
            )
            yield Static(
                Content(
                    f"Quit, then run '{REPAIR_COMMAND}': it keeps everything that can still be "
                    "read and keeps the damaged file as a dated backup. Your portfolio.toml "
                    "is not affected."
                ),
                classes="todo",
            )
            yield Static(Content("Press q, Escape or Enter to quit."), classes="keys")

    def action_quit_damaged(self) -> None:
        self.app.exit(return_code=2)
