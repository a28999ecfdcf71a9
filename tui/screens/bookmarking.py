"""``b``, shared by the dashboard and the reader: bookmark an item, or remove its bookmark
after asking, when the bookmark service has it too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.content import Content
from textual.screen import Screen

from ..core.bookmarks.common import is_web_url
from ..core.ingest.text import clean
from ..core.models import Item
from ..core.session import Session
from ..widgets.itemlist import plain


def toggle_bookmark(
    screen: Screen[Any], session: Session, item: Item, done: Callable[[], None]
) -> None:
    """Bookmark ``item``, or remove its bookmark; ``done`` runs once the item changed."""

    def say(message: str) -> None:
        screen.notify(clean(message), markup=False)

    if not item.bookmarked:
        say(session.bookmark(item))
        done()
        return
    service = session.bookmark_service
    if not service or not is_web_url(item.link):
        say(session.unbookmark(item))
        done()
        return
    from .forms import ConfirmScreen

    message = Content.from_markup(
        "Remove the bookmark of [b]$title[/b] from $service too?\n"
        "The removal waits in folio until $service takes it; u undoes it.",
        title=plain(item.title) or plain(item.link),
        service=service,
    )

    def answered(yes: bool | None) -> None:
        fresh = session.store.item(item.id)
        if yes and fresh is not None and fresh.bookmarked:
            say(session.unbookmark(fresh))
            done()

    screen.app.push_screen(ConfirmScreen("Remove bookmark", message, confirm="Remove"), answered)
