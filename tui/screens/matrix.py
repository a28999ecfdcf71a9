"""The priority matrix (key 2): platforms and sources by value and effort, edited in place.

Every edit is saved to portfolio.toml at once through the session, which re-ranks the
Inbox; the grid redraws from ``matrix_view`` after each change, wherever it came from.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label, Static

from .. import keys
from ..core.planning.rules import entry_sources, quadrant, quadrant_label
from ..core.planning.views import (
    EntryView,
    attention_summary,
    clamp_score,
    entry_attention_text,
    matrix_figures,
    matrix_order,
    neighbour_after_delete,
    new_matrix_entry,
    slug_id,
    with_output,
)
from ..core.session import Session
from ..core.storage.portfolio import MatrixAxes, MatrixEntry, Portfolio
from ..messages import RefreshFinished, SessionChanged
from ..widgets.footer import Footer
from ..widgets.matrix_grid import MatrixGrid
from ..widgets.status import StatusBar
from .planning_forms import (
    ConfirmDialog,
    MatrixEntryForm,
    refuse_if_read_only,
    show_read_only_banner,
    try_edit,
    try_undo,
)

REDRAW_AREAS = {"matrix", "sources", "items", "portfolio"}
"""Changes that alter what the matrix shows: entries, what they match, unread counts."""


class MatrixScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.MATRIX
    DEFAULT_CSS = """
    MatrixScreen {
        #read-only { background: $error-muted; color: $text; padding: 0 1; height: auto; }
        .axis { height: 1; padding: 0 1; }
        #value-axis { width: 1fr; text-style: bold; }
        #matrix-title { width: auto; color: $text-muted; }
        #effort-axis { width: 1fr; text-align: right; text-style: bold; }
        #attention {
            height: 1;
            padding: 0 1;
            color: $text-muted;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        #matrix-detail {
            height: 2;
            padding: 0 1;
            background: $boost;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        MatrixGrid { margin: 0 1; }
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._stale = False

    def compose(self) -> ComposeResult:
        # Shown when portfolio.toml is broken, at start or later (see reload).
        banner = Static(id="read-only")
        banner.display = self.session.read_only
        yield banner
        with Horizontal(classes="axis"):
            yield Label(id="value-axis")
            yield Label("Priority matrix · the Inbox follows it", id="matrix-title")
        yield MatrixGrid(self.session.portfolio.matrix_axes, id="matrix-grid")
        yield Label(id="effort-axis", classes="axis")
        yield Static(id="attention")
        yield Static(id="matrix-detail")
        yield StatusBar(self.session)
        yield Footer()

    @property
    def grid(self) -> MatrixGrid:
        return self.query_one(MatrixGrid)

    def on_mount(self) -> None:
        self.reload()
        self.set_focus(self.grid)

    # -- showing -----------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        session = self.session
        show_read_only_banner(self.query_one("#read-only", Static), session)
        now = session.now()
        window = dt.timedelta(seconds=session.workspace.settings.output.window_seconds)
        figures = matrix_figures(session.portfolio, session.store, now)
        view = with_output(figures.quadrants, session.portfolio, session.store, now, window)
        self.query_one("#attention", Static).update(
            Content(attention_summary(figures, session.portfolio.matrix_axes))
        )
        axes = session.portfolio.matrix_axes or MatrixAxes()
        # Content, not markup: axis names come from portfolio.toml and are shown as written.
        self.query_one("#value-axis", Label).update(Content(f"{axes.value} ↑"))
        self.query_one("#effort-axis", Label).update(Content(f"{axes.effort} →"))
        self.grid.set_axes(session.portfolio.matrix_axes)
        self.grid.show(view, select)
        self._stale = False

    def on_session_changed(self, message: SessionChanged) -> None:
        if message.change.area in REDRAW_AREAS:
            # A hidden screen redraws when it is next shown rather than on every change.
            if self.is_current:
                self.reload()
            else:
                self._stale = True

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self._stale = True
        if self.is_current:
            self.reload()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if self._stale:
            self.reload()

    def on_matrix_grid_selection_changed(self, message: MatrixGrid.SelectionChanged) -> None:
        self.query_one("#matrix-detail", Static).update(self._detail(message.entry))

    def _detail(self, entry: EntryView | None) -> Content:
        if entry is None:
            if self.session.read_only:
                return Content("Nothing to show until portfolio.toml is fixed.")
            return Content("No entries yet. Press n to add a platform, technology or source.")
        stored = self._stored(entry.id)
        specs = ", ".join(stored.sources) if stored and stored.sources else "no sources linked"
        names = [source.title for url in entry.source_urls if (source := self.session.source(url))]
        matched = f" → {len(names)} source{'s' * (len(names) != 1)}: {', '.join(names)}"
        if entry.elsewhere:
            shared = "; ".join(
                f"{source.title if (source := self.session.source(url)) else url} counts in {other}"
                for url, other in entry.elsewhere
            )
            matched += f" (also matched: {shared})"
        label = quadrant_label(self.session.portfolio.matrix_axes, entry.quadrant)
        return Content.assemble(
            (entry.name, "bold"),
            (f"  {label} · value {entry.value} · effort {entry.effort}", "$text-muted"),
            (f"  {entry_attention_text(entry)}", "$text-muted"),
            f"  {entry.notes.splitlines()[0] if entry.notes.strip() else ''}",
            "\n",
            (specs, "$text-accent"),
            (
                matched if names or entry.elsewhere else "  (matches no followed source)",
                "$text-muted",
            ),
            (f"  · {entry.output}" if entry.output else "", "$text-muted"),
        )

    # -- editing -----------------------------------------------------------------------

    def _stored(self, entry_id: str | None) -> MatrixEntry | None:
        return next((e for e in self.session.portfolio.matrix if e.id == entry_id), None)

    def _selected(self) -> MatrixEntry | None:
        """The entry under the cursor, or None (after saying why) when nothing can be edited."""
        if refuse_if_read_only(self, self.session):
            return None
        entry = self._stored(self.grid.selected)
        if entry is None:
            self.notify("No entry selected. Press n to add one.", timeout=3)
        return entry

    def _edit(self, label: str, edit_one: MatrixEntry, select: str | None = None) -> bool:
        """Replace the entry with ``edit_one.id`` (appending it when new) and save."""

        def edit(portfolio: Portfolio) -> None:
            for index, entry in enumerate(portfolio.matrix):
                if entry.id == edit_one.id:
                    portfolio.matrix[index] = edit_one
                    return
            portfolio.matrix.append(edit_one)

        if not try_edit(self, self.session, "matrix", label, edit):
            return False
        self.reload(select or edit_one.id)
        return True

    def action_score(self, axis: str, delta: int) -> None:
        entry = self._selected()
        if entry is None:
            return
        old = getattr(entry, axis)
        new = clamp_score(old + delta)
        if new == old:
            self.notify(f"{axis.capitalize()} is already {old}, the limit.", timeout=2)
            return
        moved = copy.deepcopy(entry)
        setattr(moved, axis, new)
        if self._edit(f"{entry.name}: {axis} {old} → {new}", moved) and quadrant(moved) != quadrant(
            entry
        ):
            label = quadrant_label(self.session.portfolio.matrix_axes, quadrant(moved))
            self.notify(f"{moved.name} moved to {label}.", timeout=3, markup=False)

    def action_edit(self) -> None:
        entry = self._selected()
        if entry is None:
            return

        def done(result: MatrixEntry | None) -> None:
            if result is not None and result != entry:
                self._edit(f"Edited {result.name}", result)

        self.app.push_screen(MatrixEntryForm(entry, self.session.sources), done)

    def action_new(self) -> None:
        if refuse_if_read_only(self, self.session):
            return

        def done(result: MatrixEntry | None) -> None:
            if result is None:
                return
            taken = {e.id for e in self.session.portfolio.matrix}
            result.id = slug_id(result.name, taken)
            self._edit(f"Added {result.name}", result)

        self.app.push_screen(
            MatrixEntryForm(new_matrix_entry(), self.session.sources, new=True), done
        )

    def action_delete(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        urls = entry_sources(entry, self.session.sources)
        question = Content.assemble(
            "Delete ",
            (entry.name or entry.id, "bold"),
            " from the matrix?\n",
            (
                f"Its {len(urls)} source{'s' * (len(urls) != 1)} stay followed, "
                "but drop to the unranked part of the Inbox. u undoes this.",
                "$text-muted",
            ),
        )

        def done(confirmed: bool | None) -> None:
            if not confirmed:
                return
            after = neighbour_after_delete(matrix_order(self.grid.view), entry.id)

            def edit(portfolio: Portfolio) -> None:
                portfolio.matrix = [e for e in portfolio.matrix if e.id != entry.id]

            if try_edit(self, self.session, "matrix", f"Deleted {entry.name}", edit):
                self.reload(after)

        self.app.push_screen(ConfirmDialog(question), done)

    def action_undo(self) -> None:
        if refuse_if_read_only(self, self.session):
            return
        if try_undo(self, self.session, "matrix", "matrix") is not None:
            self.reload()
