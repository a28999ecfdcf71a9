"""The roadmap (key 3): the vision, then experiments in lanes or on a month timeline.

Each edit is saved to portfolio.toml at once through the session; the board redraws
from ``roadmap_view`` after every change, including feed refreshes (for cadence).
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from .. import keys
from ..core.planning.views import (
    ENDED,
    CardView,
    neighbour_after_delete,
    new_experiment_defaults,
    next_status,
    roadmap_order,
    roadmap_view,
    slug_id,
    step_lane,
    timeline,
    with_lane,
    with_measures,
    with_status,
)
from ..core.session import Session
from ..core.storage.portfolio import Experiment, Portfolio
from ..messages import RefreshFinished, SessionChanged
from ..widgets.footer import Footer
from ..widgets.roadmap_board import RoadmapBoard
from ..widgets.status import StatusBar
from .planning_forms import (
    ConfirmDialog,
    ExperimentForm,
    OutcomeDialog,
    VisionForm,
    refuse_if_read_only,
    show_read_only_banner,
    try_edit,
    try_undo,
)

REDRAW_AREAS = {"roadmap", "matrix", "sources", "items", "portfolio"}
"""Links name matrix entries and sources, and cadence counts the user's own items."""


class RoadmapScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.ROADMAP
    DEFAULT_CSS = """
    RoadmapScreen {
        #read-only { background: $error-muted; color: $text; padding: 0 1; height: auto; }
        #vision {
            height: auto;
            max-height: 6;
            scrollbar-size-vertical: 1;
            border: round $border-blurred;
            border-title-color: $text-muted;
            padding: 0 1;
            margin: 0 1;
        }
        RoadmapBoard { margin: 0 0 0 1; }
        #roadmap-detail {
            height: 2;
            padding: 0 1;
            background: $boost;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
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
        # A long vision scrolls (mouse wheel) inside a few lines rather than push the lanes off.
        vision = VerticalScroll(id="vision", can_focus=False)
        vision.border_title = "Vision"
        with vision:
            yield Static(id="vision-text")
        yield RoadmapBoard(id="board")
        yield Static(id="roadmap-detail")
        yield StatusBar(self.session)
        yield Footer()

    @property
    def board(self) -> RoadmapBoard:
        return self.query_one(RoadmapBoard)

    async def on_mount(self) -> None:
        await self.reload()
        self.set_focus(self.board)

    # -- showing -----------------------------------------------------------------------

    async def reload(self, select: str | None = None) -> None:
        session = self.session
        show_read_only_banner(self.query_one("#read-only", Static), session)
        today = session.today()
        now = session.now()
        portfolio = session.portfolio
        vision = portfolio.vision.strip()
        self.query_one("#vision-text", Static).update(
            Content(vision)
            if vision
            else Content.styled("No vision written yet: press w to write one.", "$text-muted")
        )
        self._stale = False
        self.query_one(StatusBar).refresh_text()
        await self.board.show(
            with_measures(
                roadmap_view(portfolio, session.store, today), portfolio, session.store, now
            ),
            timeline(portfolio.roadmap, today),
            select,
        )

    async def on_session_changed(self, message: SessionChanged) -> None:
        if message.change.area in REDRAW_AREAS:
            # A hidden screen redraws when it is next shown rather than on every change.
            if self.is_current:
                await self.reload()
            else:
                self._stale = True

    async def on_refresh_finished(self, message: RefreshFinished) -> None:
        self._stale = True
        if self.is_current:
            await self.reload()

    async def on_screen_resume(self, event: events.ScreenResume) -> None:
        if self._stale:
            await self.reload()

    def on_roadmap_board_selection_changed(self, message: RoadmapBoard.SelectionChanged) -> None:
        self.query_one("#roadmap-detail", Static).update(self._detail(message.card))

    def _detail(self, card: CardView | None) -> Content:
        if card is None:
            if self.session.read_only:
                return Content("Nothing to show until portfolio.toml is fixed.")
            return Content("No experiments yet. Press n to plan one.")
        dates = " → ".join(d.isoformat() for d in (card.start, card.review) if d is not None)
        return Content.assemble(
            (card.title, "bold"),
            (f"  {card.lane} · {card.status}" + (f" · {dates}" if dates else ""), "$text-muted"),
            # The measure the experiment names, when it names one; else its posting rate.
            (
                f" · {card.metric}"
                if card.metric
                else f"  {card.compared}"
                if card.compared
                else "",
                "$text-accent",
            ),
            "\n",
            ("Hypothesis: ", "$text-muted"),
            card.hypothesis.replace("\n", " ") or "—",
            ("  Measure: ", "$text-muted"),
            card.measure or "—",
            ("  Links: ", "$text-muted"),
            ", ".join(card.links) or "—",
        )

    # -- editing -----------------------------------------------------------------------

    def _stored(self, card_id: str | None) -> Experiment | None:
        return next((e for e in self.session.portfolio.roadmap if e.id == card_id), None)

    def _selected(self) -> Experiment | None:
        if refuse_if_read_only(self, self.session):
            return None
        experiment = self._stored(self.board.selected)
        if experiment is None:
            self.notify("No experiment selected. Press n to add one.", timeout=3)
        return experiment

    async def _save(self, label: str, changed: Experiment, select: str | None = None) -> bool:
        """Replace the experiment with ``changed.id`` (appending it when new) and save."""

        def edit(portfolio: Portfolio) -> None:
            for index, experiment in enumerate(portfolio.roadmap):
                if experiment.id == changed.id:
                    portfolio.roadmap[index] = changed
                    return
            portfolio.roadmap.append(changed)

        if not try_edit(self, self.session, "roadmap", label, edit):
            return False
        await self.reload(select or changed.id)
        return True

    async def action_lane(self, delta: int) -> None:
        experiment = self._selected()
        if experiment is None:
            return
        lane = step_lane(experiment.lane, delta)
        if lane == experiment.lane:
            self.notify(f"Already in {lane.capitalize()}.", timeout=2)
            return
        label = f"Moved {experiment.title} to {lane.capitalize()}"
        if lane == "done" and experiment.status not in ENDED:
            # Lane and status agree: a card in Done was adopted or dropped; ask which.
            async def outcome(answer: str | None) -> None:
                if answer is not None:
                    await self._save(f"{label}, {answer}", with_lane(experiment, lane, answer))

            self.app.push_screen(OutcomeDialog(experiment.title or experiment.id), outcome)
            return
        moved = with_lane(experiment, lane)
        if moved.status != experiment.status:
            label += f", {moved.status} again"
        await self._save(label, moved)

    async def action_cycle_status(self) -> None:
        experiment = self._selected()
        if experiment is None:
            return
        changed = with_status(experiment, next_status(experiment.status))
        label = f"{experiment.title}: {experiment.status} → {changed.status}"
        if changed.lane != experiment.lane:
            label += f", moved to {changed.lane.capitalize()}"
            self.notify(label, timeout=3, markup=False)
        await self._save(label, changed)

    def action_vision(self) -> None:
        """Write or edit the vision (saved in portfolio.toml)."""
        if refuse_if_read_only(self, self.session):
            return
        vision = self.session.portfolio.vision

        async def done(text: str | None) -> None:
            if text is None or text == vision.strip():
                return

            def edit(portfolio: Portfolio) -> None:
                portfolio.vision = text

            if try_edit(self, self.session, "roadmap", "Edited the vision", edit):
                await self.reload()

        self.app.push_screen(VisionForm(vision), done)

    def action_edit(self) -> None:
        experiment = self._selected()
        if experiment is None:
            return

        async def done(result: Experiment | None) -> None:
            if result is not None and result != experiment:
                await self._save(f"Edited {result.title}", result)

        self.app.push_screen(ExperimentForm(experiment, self.session.portfolio), done)

    def action_new(self) -> None:
        if refuse_if_read_only(self, self.session):
            return

        async def done(result: Experiment | None) -> None:
            if result is None:
                return
            taken = {e.id for e in self.session.portfolio.roadmap}
            result.id = slug_id(result.title, taken, fallback="experiment")
            await self._save(f"Added {result.title}", result)

        draft = new_experiment_defaults(self.session.today())
        self.app.push_screen(ExperimentForm(draft, self.session.portfolio, new=True), done)

    def action_delete(self) -> None:
        experiment = self._selected()
        if experiment is None:
            return
        question = Content.assemble(
            "Delete the experiment ",
            (experiment.title or experiment.id, "bold"),
            "?\n",
            ("u undoes this.", "$text-muted"),
        )

        async def done(confirmed: bool | None) -> None:
            if not confirmed:
                return
            after = neighbour_after_delete(roadmap_order(self.board.view), experiment.id)

            def edit(portfolio: Portfolio) -> None:
                portfolio.roadmap = [e for e in portfolio.roadmap if e.id != experiment.id]

            if try_edit(self, self.session, "roadmap", f"Deleted {experiment.title}", edit):
                await self.reload(after)

        self.app.push_screen(ConfirmDialog(question), done)

    async def action_undo(self) -> None:
        if refuse_if_read_only(self, self.session):
            return
        if try_undo(self, self.session, "roadmap", "roadmap") is not None:
            await self.reload()

    def action_timeline(self) -> None:
        board = self.board
        board.set_timeline_mode(not board.timeline_mode)
