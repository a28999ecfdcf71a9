"""Small modal forms: add a source, edit a source, confirm a destructive action.

Every form works the same way: Tab moves between fields, Enter in a text field submits,
Escape cancels, and a problem is shown in words under the field it concerns. Each form
returns its result through ``dismiss`` and never writes anything itself, so any screen
can reuse it and keep the write in one place (the session).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from ..core.config import format_duration, parse_interval
from ..core.models import KINDS, Source
from ..core.planning.measures import parse_target
from ..widgets.fields import FormCheckbox as Checkbox
from ..widgets.fields import FormSelect as Select

if TYPE_CHECKING:
    from ..core.session import Session
    from ..core.sources.base import Recognised

ResultType = TypeVar("ResultType")

GUESS = "guess"
"""The kind Select's value for "work it out from the feed"."""


def normalise_url(url: str) -> str:
    """A URL as typed, made comparable: scheme and host lower-cased, no trailing slash."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


def find_duplicate(url: str, sources: list[Source]) -> Source | None:
    """The followed source with the same address as ``url``, if any."""
    wanted = normalise_url(url)
    return next((s for s in sources if normalise_url(s.url) == wanted), None)


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, trimmed, without blanks or repeats, in the order typed."""
    tags: list[str] = []
    for raw in text.split(","):
        tag = raw.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


class FormScreen(ModalScreen[ResultType]):
    """The frame shared by the forms: a titled box, fields, inline errors and buttons."""

    DEFAULT_CSS = """
    FormScreen {
        align: center middle;
    }
    FormScreen > #form {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-color: $text;
        background: $surface;
        padding: 0 1;
    }
    FormScreen .row {
        height: auto;
        margin-top: 1;
    }
    FormScreen .label {
        width: 10;
        color: $text-muted;
    }
    FormScreen .row > Input, FormScreen .row > Select {
        width: 1fr;
    }
    FormScreen .hint {
        color: $text-muted;
        padding-left: 10;
    }
    FormScreen .error {
        color: $text-error;
        padding-left: 10;
        display: none;
    }
    FormScreen .error.-shown {
        display: block;
    }
    FormScreen #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    FormScreen #buttons Button {
        margin-left: 2;
    }
    FormScreen #buttons .keys-hint {
        width: 1fr;
        padding-left: 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        # Enter in a text field submits it (Input.Submitted); on a menu or a checkbox it
        # reaches this binding (see widgets/fields.py). On a button it presses the button.
        Binding("enter", "submit", "Save", show=False),
        Binding("ctrl+s", "submit", "Save", show=False),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        """Check the fields and dismiss with the result; subclasses implement it."""

    @on(Input.Submitted)
    def _enter_submits(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#ok")
    def _ok_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def show_error(self, field: str, message: str) -> None:
        """Show ``message`` (plain text, never markup) under ``field``; empty hides it."""
        error = self.query_one(f"#{field}-error", Static)
        error.update(Content(message))
        error.set_class(bool(message), "-shown")

    def clear_errors(self) -> None:
        for error in self.query(".error"):
            error.remove_class("-shown")

    @staticmethod
    def field(label: str, widget: Any, name: str) -> ComposeResult:
        """A labelled field on one line, with its (hidden) error line below."""
        with Horizontal(classes="row"):
            yield Label(label, classes="label")
            yield widget
        yield Static("", id=f"{name}-error", classes="error")

    def interval_and_mine(self, source: Source, default_interval: str) -> ComposeResult:
        """The Interval and Mine fields, the same in the Add and Edit forms."""
        yield from self.field(
            "Interval",
            Input(
                source.interval or "",
                placeholder=f"default ({default_interval}); e.g. 15m, 2h, 1d",
                id="interval",
                compact=True,
            ),
            "interval",
        )
        yield from self.field(
            "Mine",
            Checkbox("my own account, blog or podcast", source.mine, id="mine", compact=True),
            "mine",
        )

    def read_interval(self) -> tuple[bool, str | None]:
        """(ok, the interval typed, normalised; None for the default). Not ok: the error
        is shown under the field, which takes the focus."""
        text = self.query_one("#interval", Input).value.strip()
        if not text:
            return True, None
        try:
            return True, format_duration(parse_interval(text))
        except ValueError as exc:
            self.show_error("interval", f"{str(exc).capitalize()}; leave it empty for the default.")
            self.set_focus(self.query_one("#interval", Input))
            return False, None

    @staticmethod
    def buttons(ok: str) -> ComposeResult:
        with Horizontal(id="buttons"):
            yield Label("enter or ctrl+s saves · esc cancels", classes="hint keys-hint")
            yield Button("Cancel", id="cancel", compact=True)
            yield Button(ok, id="ok", variant="primary", compact=True)


class AddSourceScreen(FormScreen[Source | None]):
    """Ask for an address, find the feed there (autodiscovery) and return a new Source.

    Discovery runs in a worker; the form stays responsive and Escape abandons it.
    """

    DEFAULT_CSS = """
    AddSourceScreen #looking {
        height: 1;
        margin-top: 1;
        display: none;
    }
    AddSourceScreen #looking.-shown {
        display: block;
    }
    AddSourceScreen #looking LoadingIndicator {
        width: 6;
        height: 1;
        min-height: 1;
    }
    AddSourceScreen #looking Static {
        width: 1fr;
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.busy = False
        self.default_interval = session.workspace.settings.refresh.interval
        self._interval: str | None = None

    def compose(self) -> ComposeResult:
        kinds = [("guess from the feed", GUESS), *((kind, kind) for kind in KINDS)]
        with Vertical(id="form") as form:
            form.border_title = "Add a source"
            yield from self.field(
                "Address",
                Input(
                    placeholder="https://example.com, its feed, or @you@your.instance",
                    id="url",
                    compact=True,
                ),
                "url",
            )
            yield Static(
                "A web page works: folio finds the feed it advertises. Accounts on Mastodon,"
                " Bluesky, Hacker News, GitHub, YouTube and Lobsters are read through their"
                " APIs.",
                classes="hint",
            )
            yield from self.field(
                "Name",
                Input(placeholder="optional: the feed's title", id="name", compact=True),
                "name",
            )
            yield from self.field(
                "Kind",
                Select(kinds, value=GUESS, allow_blank=False, id="kind", compact=True),
                "kind",
            )
            yield from self.field(
                "Tags",
                Input(placeholder="optional: comma, separated", id="tags", compact=True),
                "tags",
            )
            yield from self.interval_and_mine(Source(""), self.default_interval)
            with Horizontal(id="looking"):
                yield LoadingIndicator()
                yield Static("", id="looking-text")
            yield from self.buttons("Add")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#url", Input))

    def action_cancel(self) -> None:
        # Leaving mid-discovery abandons it; the worker is cancelled with the screen.
        self.workers.cancel_group(self, "discover")
        self.dismiss(None)

    def action_submit(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        url = self.query_one("#url", Input).value.strip()
        if not url:
            self.show_error("url", "Type the address of a feed or of a web page that has one.")
            return
        ok, self._interval = self.read_interval()
        if not ok:
            return
        from ..core.sources.adding import CannotFollow, recognise_address

        try:
            account = recognise_address(url)
        except CannotFollow as exc:
            self.show_error("url", f"{exc}.")
            return
        if account is not None:
            if duplicate := find_duplicate(account.url, self.session.sources):
                self.show_error("url", f"You already follow this: {duplicate.title}.")
                return
            self._set_busy(True, f"Checking the {account.label} …")
            self._discover(url, account)
            return
        if "://" not in url:
            url = "https://" + url
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            self.show_error("url", "Only http:// and https:// addresses can be followed.")
            return
        if duplicate := find_duplicate(url, self.session.sources):
            self.show_error("url", f"You already follow this: {duplicate.title}.")
            return
        self._set_busy(True, f"Looking for a feed at {url} …")
        self._discover(url)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        looking = self.query_one("#looking")
        looking.set_class(busy, "-shown")
        self.query_one("#looking-text", Static).update(Content(text))
        for widget in self.query("Input, Select, Checkbox, #ok"):
            widget.disabled = busy

    @work(exclusive=True, group="discover", exit_on_error=False)
    async def _discover(self, url: str, account: Recognised | None = None) -> None:
        from ..core.ingest.discover import guess_kind
        from ..core.net.fetch import FetchError, discover_feed
        from ..core.storage.portfolio import source_name

        workspace = self.session.workspace
        if account is not None:
            if await self._check_account(account):
                return
            # It only looked like an account (a blog's /@name page): look for its feed.
            self._set_busy(True, f"Looking for a feed at {url} …")
        try:
            found = await discover_feed(url, workspace.settings, transport=workspace.transport)
        except FetchError as exc:
            self._failed(
                workspace.fetch_failed(
                    str(exc),
                    "add real ones from a shell with 'folio add URL' (your own portfolio),"
                    " then run folio without --demo.",
                )
            )
            return
        except Exception as exc:  # any failure is shown in words, never a traceback
            self._failed(f"Could not look for a feed at {url}: {exc or type(exc).__name__}")
            return
        feed_url, feed = found.url, found.feed
        if duplicate := find_duplicate(feed_url, self.session.sources):
            self._failed(f"That page's feed is one you already follow: {duplicate.title}.")
            return
        kind = self.query_one("#kind", Select).value
        name = self.query_one("#name", Input).value.strip()
        self.dismiss(
            Source(
                url=feed_url,
                name=name or source_name(feed.title),
                kind=kind
                if isinstance(kind, str) and kind in KINDS
                else guess_kind(feed_url, feed),
                tags=parse_tags(self.query_one("#tags", Input).value),
                mine=self.query_one("#mine", Checkbox).value,
                interval=self._interval,
            )
        )

    async def _check_account(self, account: Recognised) -> bool:
        """Read ``account`` once through its API; True when the form is done with it (added,
        or its failure shown), False when it was not that API's after all."""
        from ..core.sources.adding import CannotFollow, read_once

        workspace = self.session.workspace
        try:
            checked = await read_once(account, workspace.settings, workspace.transport)
        except CannotFollow as exc:
            self._failed(
                workspace.fetch_failed(
                    str(exc),
                    "add real ones from a shell with 'folio add ADDRESS' (your own portfolio),"
                    " then run folio without --demo.",
                )
            )
            return True
        except Exception as exc:  # any failure is shown in words, never a traceback
            self._failed(f"Could not read {account.url}: {exc or type(exc).__name__}")
            return True
        if checked is None:
            return False
        kind = self.query_one("#kind", Select).value
        name = self.query_one("#name", Input).value.strip()
        self.dismiss(
            Source(
                url=checked.source.url,
                name=name or checked.source.name,
                kind=kind if isinstance(kind, str) and kind in KINDS else checked.source.kind,
                tags=parse_tags(self.query_one("#tags", Input).value),
                mine=self.query_one("#mine", Checkbox).value,
                interval=self._interval,
                api=checked.source.api,
            )
        )
        return True

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self.show_error("url", message)
        self.set_focus(self.query_one("#url", Input))


class EditSourceScreen(FormScreen[Source | None]):
    """Edit a source's name, kind, tags, refresh interval and whether it is the user's own."""

    def __init__(self, source: Source, default_interval: str = "30m") -> None:
        super().__init__()
        self.source = source
        self.default_interval = default_interval

    def compose(self) -> ComposeResult:
        source = self.source
        kinds = list(KINDS) if source.kind in KINDS else [*KINDS, source.kind]
        with Vertical(id="form") as form:
            form.border_title = "Edit source"
            yield Static(Content(source.url), id="address", classes="hint")
            yield from self.field("Name", Input(source.name, id="name", compact=True), "name")
            yield from self.field(
                "Kind",
                Select(
                    [(kind, kind) for kind in kinds],
                    value=source.kind,
                    allow_blank=False,
                    id="kind",
                    compact=True,
                ),
                "kind",
            )
            yield from self.field(
                "Tags",
                Input(
                    ", ".join(source.tags), placeholder="comma, separated", id="tags", compact=True
                ),
                "tags",
            )
            yield from self.interval_and_mine(source, self.default_interval)
            yield from self.field(
                "Target",
                Input(
                    source.target,
                    placeholder="if yours: posts you aim for, e.g. 2/w or 1/m",
                    id="target",
                    compact=True,
                ),
                "target",
            )
            yield from self.field(
                "Download",
                Checkbox(
                    "new episodes as they arrive",
                    source.downloads_new,
                    id="download",
                    compact=True,
                ),
                "download",
            )
            yield from self.buttons("Save")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#name", Input))

    def action_submit(self) -> None:
        self.clear_errors()
        ok, interval = self.read_interval()
        if not ok:
            return
        target = self.query_one("#target", Input).value.strip()
        if target:
            try:
                target = parse_target(target).text
            except ValueError as exc:
                self.show_error("target", f"{str(exc).capitalize()}; or leave it empty.")
                self.query_one("#target", Input).focus()
                return
        kind = self.query_one("#kind", Select).value
        # replace(), not a new Source: what the form does not show (api) stays as it was.
        self.dismiss(
            dataclasses.replace(
                self.source,
                name=self.query_one("#name", Input).value.strip(),
                kind=kind if isinstance(kind, str) else self.source.kind,
                tags=parse_tags(self.query_one("#tags", Input).value),
                mine=self.query_one("#mine", Checkbox).value,
                interval=interval,
                target=target,
                download=self._download(),
            )
        )

    def _download(self) -> str:
        if self.query_one("#download", Checkbox).value:
            return "new"
        # Unticked: "none" as the user wrote it stays, "new" goes.
        return "" if self.source.download == "new" else self.source.download


KEEP = "keep"
"""The bulk form's kind value for "leave each source's kind as it is"."""


@dataclass(frozen=True)
class BulkEdit:
    """What the bulk form asks for: a kind for all (None: keep each), tags to add, tags
    to take away."""

    kind: str | None
    add_tags: list[str]
    remove_tags: list[str]


class BulkEditScreen(FormScreen[BulkEdit | None]):
    """Change the kind or the tags of several sources at once."""

    def __init__(self, count: int, tags: list[str]) -> None:
        super().__init__()
        self.count = count
        self.tags = tags
        """The tags the selected sources have between them, as a hint."""

    def compose(self) -> ComposeResult:
        kinds = [("leave each as it is", KEEP), *((kind, kind) for kind in KINDS)]
        with Vertical(id="form") as form:
            form.border_title = f"Edit {self.count} sources"
            yield from self.field(
                "Kind",
                Select(kinds, value=KEEP, allow_blank=False, id="kind", compact=True),
                "kind",
            )
            yield from self.field(
                "Add tags",
                Input(placeholder="comma, separated", id="add", compact=True),
                "add",
            )
            yield from self.field(
                "Remove",
                Input(placeholder="tags to take away, comma separated", id="remove", compact=True),
                "remove",
            )
            if self.tags:
                yield Static(Content(f"Their tags now: {', '.join(self.tags)}"), classes="hint")
            yield from self.buttons("Save")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#kind", Select))

    def action_submit(self) -> None:
        kind = self.query_one("#kind", Select).value
        self.dismiss(
            BulkEdit(
                kind=kind if isinstance(kind, str) and kind in KINDS else None,
                add_tags=parse_tags(self.query_one("#add", Input).value),
                remove_tags=parse_tags(self.query_one("#remove", Input).value),
            )
        )


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; Enter or y confirms, Escape or n declines."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > #form {
        width: 60;
        max-width: 100%;
        height: auto;
        border: round $error;
        background: $surface;
        padding: 1 2 0 2;
    }
    ConfirmScreen #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ConfirmScreen #buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, title: str, message: str | Content, confirm: str = "Delete") -> None:
        super().__init__()
        self.title_text = title
        # A plain str is shown as typed: it may quote a feed's title.
        self.message = message if isinstance(message, Content) else Content(message)
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="form") as form:
            form.border_title = self.title_text
            yield Static(self.message, id="message")
            with Horizontal(id="buttons"):
                yield Button("Cancel (n)", id="no", compact=True)
                yield Button(f"{self.confirm} (y)", id="yes", variant="error", compact=True)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#yes", Button))

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


class KeepDemoScreen(ModalScreen[bool | None]):
    """Keep the demo as my portfolio: with its offline sources, or without? s, k or Escape."""

    DEFAULT_CSS = """
    KeepDemoScreen {
        align: center middle;
    }
    KeepDemoScreen > #form {
        width: 70;
        max-width: 100%;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 1 2 0 2;
    }
    KeepDemoScreen #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    KeepDemoScreen #buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(None)", "Cancel"),
        Binding("k", "answer(False)", "Keep without sources"),
        Binding("s", "answer(True)", "Keep with sources"),
    ]

    def __init__(self, sources: int) -> None:
        super().__init__()
        self.sources = sources

    def compose(self) -> ComposeResult:
        with Vertical(id="form") as form:
            form.border_title = "Keep the demo as my portfolio"
            yield Static(
                Content(
                    "Its matrix, roadmap and vision become yours, to edit as you like.\n"
                    f"Its {self.sources} sources are offline examples that only the demo "
                    "can fetch: copy them too?"
                )
            )
            with Horizontal(id="buttons"):
                yield Button("Cancel (esc)", id="cancel", compact=True)
                yield Button("Copy the sources too (s)", id="with", compact=True)
                yield Button(
                    "Keep, without them (k)", id="without", variant="primary", compact=True
                )

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#without", Button))

    def action_answer(self, with_sources: bool | None) -> None:
        self.dismiss(with_sources)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss({"with": True, "without": False}.get(event.button.id or ""))
