"""Modal forms for the matrix and roadmap, and the small helpers both screens share.

Forms return a new MatrixEntry or Experiment (or None on Escape); the screen applies it
through ``Session.edit_portfolio``. Mistakes are shown in words under the fields and the
form stays open. Text from the portfolio only ever reaches the screen as Content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static, TextArea

from ..core.models import Source
from ..core.planning.measures import MEASURES
from ..core.planning.views import (
    ENDED,
    describe_links,
    describe_source_specs,
    lane_status_problem,
    parse_date,
    parse_score,
    split_list,
)
from ..core.session import NotSaved, Session
from ..core.storage.portfolio import LANES, STATUSES, Experiment, MatrixEntry, Portfolio
from ..widgets.fields import FormSelect as Select

# -- shared by both screens -------------------------------------------------------------------


def read_only_banner(session: Session) -> Content:
    """Why editing is off, for the banner at the top of the matrix and roadmap."""
    return Content.assemble(
        ("Read-only: ", "bold"),
        "portfolio.toml has an error, so folio will not write to it. "
        "Fix the file: folio reloads it as soon as it is saved.\n",
        session.portfolio_error or "",
    )


def show_read_only_banner(banner: Static, session: Session) -> None:
    """Show or hide the banner: the file can break, or be fixed, while the app runs."""
    banner.display = session.read_only
    if session.read_only:
        banner.update(read_only_banner(session))


def refuse_if_read_only(screen: Screen[None], session: Session) -> bool:
    """True (after saying why) when the portfolio cannot be edited."""
    if not session.read_only:
        return False
    screen.notify(
        f"{session.portfolio_error}",
        title="Read-only: portfolio.toml has an error",
        severity="error",
        markup=False,
    )
    return True


def try_edit(
    screen: Screen[None],
    session: Session,
    area: str,
    label: str,
    edit: Callable[[Portfolio], None],
) -> bool:
    """Apply and save an edit; a refusal or a failed save becomes a notification."""
    try:
        session.edit_portfolio(area, label, edit)
    except NotSaved as exc:
        # The file is broken, or the entry was changed or removed elsewhere meanwhile.
        screen.notify(str(exc), title="Not saved", severity="error", markup=False)
        return False
    except OSError as exc:
        # A full disk or an unwritable folder: the file and the screen keep the old data.
        screen.notify(
            f"Could not save portfolio.toml: {exc}",
            title="Not saved",
            severity="error",
            markup=False,
        )
        return False
    return True


def try_undo(screen: Screen[None], session: Session, area: str, what: str) -> str | None:
    try:
        label = session.undo_portfolio(area)
    except (NotSaved, OSError) as exc:
        screen.notify(str(exc), title="Not undone", severity="error", markup=False)
        return None
    if label is None:
        screen.notify(f"Nothing to undo on the {what}.", timeout=3)
    else:
        screen.notify(f"Undid: {label}", timeout=3, markup=False)
    return label


def matches_content(described: list[tuple[str, str]], none_text: str) -> Content:
    """One line per link: what it matches, or a warning that it matches nothing."""
    if not described:
        return Content.styled("No links yet.", "$text-muted")
    lines = []
    for spec, match in described:
        if match:
            lines.append(Content.assemble((spec, "bold"), " → ", match))
        else:
            lines.append(Content.assemble((spec, "bold"), (f" → {none_text}", "$text-warning")))
    return Content("\n").join(lines)


# -- the forms -------------------------------------------------------------------------------

FORM_CSS = """
%s {
    align: center middle;
    #dialog {
        width: 84;
        max-width: 100%%;
        height: auto;
        max-height: 100%%;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    .row { height: auto; margin-top: 1; }
    .row > Label { width: 12; padding-right: 1; color: $text-muted; }
    .row > Input, .row > TextArea { width: 1fr; }
    .row > Select { width: 1fr; }
    .row > Input.score { width: 3; }
    .row > Label.hint { width: 1fr; padding-left: 1; }
    TextArea { height: 3; }
    .hint { color: $text-muted; }
    .matches { margin: 0 0 0 12; height: auto; }
    #error { color: $text-error; text-style: bold; height: auto; display: none; }
    .buttons { height: auto; align-horizontal: right; margin-top: 1; }
    .buttons Button { margin-left: 2; width: auto; min-width: 8; }
    .buttons .hint { width: 1fr; }
}
"""


FormResult = TypeVar("FormResult")


class _Form(ModalScreen[FormResult]):
    """Shared parts: Escape cancels, Ctrl+S or Enter in a one-line field saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        # Enter in a one-line field saves (Input.Submitted); on a menu it reaches this
        # binding (widgets/fields.py); in a multi-line field it is a new line.
        Binding("enter", "save", "Save", show=False),
        Binding("ctrl+s", "save", "Save"),
    ]

    HINT = "enter saves (ctrl+s in a text box) · esc cancels"

    def buttons(self) -> ComposeResult:
        yield Static(id="error")
        with Horizontal(classes="buttons"):
            yield Label(self.HINT, classes="hint")
            yield Button("Cancel", id="cancel", compact=True)
            yield Button("Save", variant="primary", id="save", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def show_errors(self, errors: list[str], invalid: list[str]) -> None:
        for widget in self.query(".field"):
            widget.set_class(widget.id in invalid, "-invalid")
        error = self.query_one("#error", Static)
        error.update(Content("\n".join(errors)))
        error.display = bool(errors)
        if invalid:
            self.set_focus(self.query_one(f"#{invalid[0]}"))

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        raise NotImplementedError


class MatrixEntryForm(_Form[MatrixEntry | None]):
    """Edit (or create) a matrix entry: name, notes, scores and linked sources."""

    DEFAULT_CSS = FORM_CSS % "MatrixEntryForm"

    def __init__(self, entry: MatrixEntry, sources: list[Source], *, new: bool = False) -> None:
        super().__init__()
        self.entry = entry
        self.sources = sources
        self.new = new

    def compose(self) -> ComposeResult:
        entry = self.entry
        dialog = VerticalScroll(id="dialog", can_focus=False)
        dialog.border_title = "New matrix entry" if self.new else "Edit matrix entry"
        with dialog:
            with Horizontal(classes="row"):
                yield Label("Name")
                yield Input(entry.name, id="name", classes="field", compact=True)
            with Horizontal(classes="row"):
                yield Label("Notes")
                yield TextArea(entry.notes, id="notes", classes="field", compact=True)
            for field_id, label, score, hint in (
                ("value", "Value", entry.value, "1 to 5: how much it serves your goals"),
                ("effort", "Effort", entry.effort, "1 to 5: how much work it takes"),
            ):
                with Horizontal(classes="row"):
                    yield Label(label)
                    yield Input(
                        str(score),
                        id=field_id,
                        classes="field score",
                        restrict=r"[0-9]*",
                        max_length=1,
                        compact=True,
                    )
                    yield Label(hint, classes="hint")
            with Horizontal(classes="row"):
                yield Label("Sources")
                yield Input(
                    ", ".join(entry.sources),
                    id="sources",
                    classes="field",
                    placeholder="source URLs or tags, separated by commas",
                    compact=True,
                )
            yield Static(self._matches(), id="matches", classes="matches")
            yield from self.buttons()

    def _matches(self, text: str | None = None) -> Content:
        specs = split_list(text) if text is not None else self.entry.sources
        return matches_content(describe_source_specs(specs, self.sources), "matches no source")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "sources":
            self.query_one("#matches", Static).update(self._matches(event.value))

    def action_save(self) -> None:
        errors: list[str] = []
        invalid: list[str] = []
        name = self.value("name").strip()
        if not name:
            errors.append("Give the entry a name.")
            invalid.append("name")
        scores: dict[str, int] = {}
        for field_id, label in (("value", "Value"), ("effort", "Effort")):
            try:
                scores[field_id] = parse_score(self.value(field_id), label)
            except ValueError as exc:
                errors.append(str(exc))
                invalid.append(field_id)
        if errors:
            self.show_errors(errors, invalid)
            return
        self.dismiss(
            MatrixEntry(
                id=self.entry.id,
                name=name,
                notes=self.query_one("#notes", TextArea).text.strip(),
                value=scores["value"],
                effort=scores["effort"],
                sources=split_list(self.value("sources")),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


def metric_options(current: str) -> list[tuple[str, str]]:
    """The measures folio computes on the linked own sources, for the form's select."""
    options = [("nothing: the measure above is for me", "")]
    options += [(f"{name}: {words}", name) for name, words in MEASURES.items()]
    if current and current not in MEASURES:
        options.append((current, current))
    return options


class ExperimentForm(_Form[Experiment | None]):
    """Edit (or create) a roadmap experiment."""

    DEFAULT_CSS = FORM_CSS % "ExperimentForm"

    def __init__(self, experiment: Experiment, portfolio: Portfolio, *, new: bool = False) -> None:
        super().__init__()
        self.experiment = experiment
        self.portfolio = portfolio
        self.new = new

    def compose(self) -> ComposeResult:
        experiment = self.experiment
        dialog = VerticalScroll(id="dialog", can_focus=False)
        dialog.border_title = "New experiment" if self.new else "Edit experiment"
        with dialog:
            with Horizontal(classes="row"):
                yield Label("Title")
                yield Input(experiment.title, id="title", classes="field", compact=True)
            with Horizontal(classes="row"):
                yield Label("Hypothesis")
                yield TextArea(
                    experiment.hypothesis, id="hypothesis", classes="field", compact=True
                )
            with Horizontal(classes="row"):
                yield Label("Measure")
                yield Input(experiment.measure, id="measure", classes="field", compact=True)
            with Horizontal(classes="row"):
                yield Label("Computed")
                yield Select(
                    metric_options(experiment.metric),
                    value=experiment.metric,
                    allow_blank=False,
                    id="metric",
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Label("Lane")
                yield Select(
                    [(lane.capitalize(), lane) for lane in LANES],
                    value=experiment.lane,
                    allow_blank=False,
                    id="lane",
                    compact=True,
                )
                yield Label("Status")
                yield Select(
                    [(status, status) for status in STATUSES],
                    value=experiment.status,
                    allow_blank=False,
                    id="status",
                    compact=True,
                )
            with Horizontal(classes="row"):
                for field_id, label, day in (
                    ("start", "Start", experiment.start),
                    ("review", "Review", experiment.review),
                ):
                    yield Label(label)
                    yield Input(
                        day.isoformat() if day else "",
                        id=field_id,
                        classes="field",
                        placeholder="YYYY-MM-DD",
                        restrict=r"[0-9-]*",
                        max_length=10,
                        compact=True,
                    )
            with Horizontal(classes="row"):
                yield Label("Links")
                yield Input(
                    ", ".join(experiment.links),
                    id="links",
                    classes="field",
                    placeholder="matrix ids or source URLs, separated by commas",
                    compact=True,
                )
            yield Static(self._matches(), id="matches", classes="matches")
            yield from self.buttons()

    def _matches(self, text: str | None = None) -> Content:
        links = split_list(text) if text is not None else self.experiment.links
        return matches_content(
            describe_links(links, self.portfolio), "not a matrix id or a followed source"
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "links":
            self.query_one("#matches", Static).update(self._matches(event.value))

    def action_save(self) -> None:
        errors: list[str] = []
        invalid: list[str] = []
        title = self.value("title").strip()
        if not title:
            errors.append("Give the experiment a title.")
            invalid.append("title")
        dates: dict[str, dt.date | None] = {}
        for field_id, label in (("start", "The start date"), ("review", "The review date")):
            try:
                dates[field_id] = parse_date(self.value(field_id), label)
            except ValueError as exc:
                errors.append(str(exc))
                invalid.append(field_id)
        start, review = dates.get("start"), dates.get("review")
        if start and review and review < start:
            errors.append("The review date comes before the start date.")
            invalid.append("review")
        lane_value = self.query_one("#lane", Select).value
        status_value = self.query_one("#status", Select).value
        lane = lane_value if isinstance(lane_value, str) else self.experiment.lane
        status = status_value if isinstance(status_value, str) else self.experiment.status
        if status in ENDED:
            lane = "done"  # an ended experiment belongs in Done
        elif problem := lane_status_problem(lane, status):
            errors.append(problem)
            invalid.append("status")
        if errors:
            self.show_errors(errors, invalid)
            return
        metric = self.query_one("#metric", Select).value
        self.dismiss(
            Experiment(
                id=self.experiment.id,
                title=title,
                hypothesis=self.query_one("#hypothesis", TextArea).text.strip(),
                measure=self.value("measure").strip(),
                lane=lane,
                status=status,
                start=start,
                review=review,
                links=split_list(self.value("links")),
                metric=metric if isinstance(metric, str) else self.experiment.metric,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; y or Enter confirms, n or Escape declines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]
    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
        #dialog {
            width: 60;
            max-width: 100%;
            height: auto;
            border: round $error;
            background: $surface;
            padding: 1 2;
        }
        .buttons { height: auto; align-horizontal: right; margin-top: 1; }
        .buttons Button { margin-left: 2; }
    }
    """

    def __init__(self, question: Content, yes: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        dialog = VerticalScroll(id="dialog", can_focus=False)
        dialog.border_title = "Confirm"
        with dialog:
            yield Static(self.question)
            with Horizontal(classes="buttons"):
                yield Button("Cancel (n)", id="no", compact=True)
                yield Button(f"{self.yes} (y)", variant="error", id="yes", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class VisionForm(_Form[str | None]):
    """Edit the vision the roadmap works towards: a few lines of text."""

    DEFAULT_CSS = FORM_CSS % "VisionForm" + "VisionForm TextArea { height: 8; }"
    HINT = "ctrl+s saves (enter is a new line) · esc cancels"

    def __init__(self, vision: str) -> None:
        super().__init__()
        self.vision = vision

    def compose(self) -> ComposeResult:
        dialog = VerticalScroll(id="dialog", can_focus=False)
        dialog.border_title = "Vision"
        with dialog:
            yield Static("Where your experiments are heading, in your own words.", classes="hint")
            with Horizontal(classes="row"):
                yield TextArea(self.vision, id="vision", classes="field", compact=True)
            yield from self.buttons()

    def on_mount(self) -> None:
        area = self.query_one("#vision", TextArea)
        self.set_focus(area)
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#vision", TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class OutcomeDialog(ModalScreen[str | None]):
    """A card goes to Done: was the experiment adopted or dropped? a, d, or Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "answer('adopted')", "Adopted"),
        Binding("d", "answer('dropped')", "Dropped"),
        Binding("escape,n", "answer(None)", "Cancel"),
    ]
    DEFAULT_CSS = """
    OutcomeDialog {
        align: center middle;
        #dialog {
            width: 60;
            max-width: 100%;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 1 2;
        }
        .buttons { height: auto; align-horizontal: right; margin-top: 1; }
        .buttons Button { margin-left: 2; }
    }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        dialog = VerticalScroll(id="dialog", can_focus=False)
        dialog.border_title = "Done"
        with dialog:
            yield Static(
                Content.assemble(
                    "Move ",
                    (self.title_text, "bold"),
                    " to Done: was it adopted or dropped?",
                )
            )
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)", id="cancel", compact=True)
                yield Button("Dropped (d)", id="dropped", compact=True)
                yield Button("Adopted (a)", id="adopted", variant="success", compact=True)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#adopted", Button))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id if event.button.id in ("adopted", "dropped") else None)

    def action_answer(self, outcome: str | None) -> None:
        self.dismiss(outcome)
