"""Messages the app sends to its screens when the engine reports something."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message

from .core.models import Item
from .core.session import Change

if TYPE_CHECKING:
    from .core.lists import ListSpec


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


class OpenReader(Message):
    """Show an item in the reader; ``n``/``p`` step through ``neighbours``, and
    ``came_back`` gets the id of the item shown last when the reader closes."""

    def __init__(
        self,
        item_id: int,
        neighbours: list[int],
        came_back: Callable[[int | None], None] | None = None,
    ) -> None:
        super().__init__()
        self.item_id = item_id
        self.neighbours = neighbours
        self.came_back = came_back


class ShowList(Message):
    """Show a list of items: a name from ``lists.VIEWS`` (``inbox``: the dashboard's), or
    a ``ListSpec``."""

    def __init__(self, spec: ListSpec | str) -> None:
        super().__init__()
        self.spec = spec


class OpenFeed(Message):
    """Show a feed's every item, as a list."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url


class NextList(Message):
    """The view key: on to the next list."""
