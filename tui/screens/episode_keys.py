"""The episode keys (d downloads, P plays) for any screen with an item under its cursor.

Each screen keeps its own ``action_download``, ``action_play`` and ``check_action`` and
calls these, so the keys work the same on the dashboard, in the reader and in Downloads.
The keys stay out of the footer (it would be rebuilt each time the cursor went from an
episode to a post); the help lists them, the reader says them under an episode, and on an
item without one they say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.models import Item
from ..messages import DownloadEpisode, PlayEpisode

if TYPE_CHECKING:
    from textual.screen import Screen


def download(screen: Screen[Any], item: Item | None) -> None:
    if item is None:
        return
    if not item.enclosure_url:
        screen.notify("This item has no episode to download.", severity="warning")
        return
    screen.app.post_message(DownloadEpisode(item))


def play(screen: Screen[Any], item: Item | None) -> None:
    if item is None:
        return
    if not item.enclosure_url:
        screen.notify("This item has no episode to play.", severity="warning")
        return
    screen.app.post_message(PlayEpisode(item))
