"""The one-line status bar every screen shows above its footer.

It follows ``app.refresh_status`` and marks the demo portfolio and a read-only (broken)
portfolio.toml, so the user always knows why edits might not stick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widgets import Static

from ..core.ingest.text import clean_line as plain

if TYPE_CHECKING:
    from ..core.session import Session


_NOUNS = {"bookmarks": ("bookmark", "bookmarks"), "sync": ("change", "changes")}
"""What an outbox service's changes are called: "3 bookmarks waiting"."""


def outbox_lines(session: Session) -> list[str]:
    """One line per service with changes in the outbox: "3 bookmarks waiting: <why>",
    "1 bookmark failed (ctrl+p: retry)". Plain text: the reason may quote a server."""
    lines = []
    for waiting in session.outbox_waiting():
        one, many = _NOUNS.get(waiting.service, ("change", "changes"))
        words = []
        if waiting.waiting:
            noun = one if waiting.waiting == 1 else many
            line = f"{waiting.waiting} {noun} waiting"
            if waiting.reason:
                line += f": {plain(waiting.reason)}"
            words.append(line)
        if waiting.failed:
            noun = one if waiting.failed == 1 else many
            words.append(f"{waiting.failed} {noun} refused (ctrl+p: retry)")
        if words:
            lines.append("; ".join(words))
    return lines


def sync_line(session: Session) -> str:
    """Why the last sync failed, when no change waits to say it already."""
    problem = getattr(session, "sync_problem", "")
    if not problem or any(w.service == "sync" for w in session.outbox_waiting()):
        return ""
    return f"sync: {plain(problem)}"


class StatusBar(Static):
    """Refresh progress on the left, then a marker for the demo or a read-only portfolio."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, session: Session | None = None, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self._session = session

    @property
    def session(self) -> Session | None:
        # Screens may yield a bare StatusBar(); the app holds the session then.
        if self._session is not None:
            return self._session
        session: Session | None = getattr(self.app, "session", None)
        return session

    def on_mount(self) -> None:
        if hasattr(self.app, "refresh_status"):
            self.watch(self.app, "refresh_status", self._status_changed, init=True)
        if hasattr(self.app, "outbox_version"):
            # The outbox changed (a change queued, sent or refused): the same text again.
            self.watch(self.app, "outbox_version", self._outbox_changed)
        else:
            self.update(self.status_text(""))

    def _status_changed(self, status: str) -> None:
        self.update(self.status_text(status))

    def _outbox_changed(self, _: int) -> None:
        self.update(self.status_text(str(getattr(self.app, "refresh_status", ""))))

    def status_text(self, status: str) -> Content:
        """The bar's text. ``status`` may quote a server's error, so it stays plain text."""
        parts: list[Content] = []
        session = self.session
        if session is not None and session.read_only:
            parts.append(Content.styled("read-only: portfolio.toml has an error", "bold $error"))
        if session is not None and session.workspace.demo:
            parts.append(Content.styled("demo portfolio", "bold $warning"))
        parts.append(Content(status or "Idle"))
        if session is not None:
            parts.extend(Content(line) for line in outbox_lines(session))
            problem = sync_line(session)
            if problem:
                parts.append(Content(problem))
        return Content(" · ").join(parts)
