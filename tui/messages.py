"""Messages the app sends to its screens when the engine reports something."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from .core.models import Item
from .core.session import Change


class SessionChanged(Message):
    """An action changed items, sources, the matrix or the roadmap."""

    def __init__(self, change: Change) -> None:
        super().__init__()
        self.change = change


class SourceRefreshed(Message):
    """One source finished refreshing (ok, not modified or failed)."""

    def __init__(self, url: str, new_items: int, outcome: Any) -> None:
        super().__init__()
        self.url = url
        self.new_items = new_items
        self.outcome = outcome


class RefreshFinished(Message):
    """A refresh run ended; ``summary`` is the engine's RefreshSummary."""

    def __init__(self, summary: Any) -> None:
        super().__init__()
        self.summary = summary


class OpenLink(Message):
    """A screen asks the app to open ``url`` in the browser (posted to the app, so screens
    need not import it)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url


class DownloadEpisode(Message):
    """Queue this item's podcast episode (d on an episode); the app does it."""

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item


class PlayEpisode(Message):
    """Play this item's podcast episode, or pause it if it is the one playing (P)."""

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item


class DashboardReady(Message):
    """The dashboard shows its first complete screen: the board and the loaded Inbox."""
