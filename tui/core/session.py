"""One running folio: the workspace, its portfolio and store, and every user action.

Screens call these methods and never touch the store or the file directly. Each action
saves at once (portfolio edits atomically) and tells listeners what changed, so every
widget showing that data can update. Undo is kept per area: triage, matrix, roadmap.
"""

from __future__ import annotations

import copy
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tui.core.bookmarks.common import SERVICE, is_web_url
from tui.core.bookmarks.local import (
    LOCAL_URL,
    bookmark_changes,
    bookmark_sources,
    bookmark_state,
)
from tui.core.config import ConfigError
from tui.core.models import Item, Source, utcnow
from tui.core.outbox.queue import KeyState, Outbox, Waiting, put_in
from tui.core.planning.rules import source_ranks
from tui.core.storage.portfolio import Portfolio
from tui.core.storage.store import Store
from tui.core.storage.workspace import Workspace

UNDO_DEPTH = 100


@dataclass
class Change:
    """What an action changed, for listeners to redraw."""

    area: str
    """"items", "sources", "matrix", "roadmap" or "portfolio"."""
    item_ids: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    message: str = ""
    """A short description for a notification, e.g. "Marked 12 items read"."""
    queued: bool = False
    """Changes for a service were queued in the outbox: the app sends them soon."""


class ReadOnlyError(Exception):
    """The portfolio file is broken, so edits are refused until it is fixed."""


@dataclass
class _FlagUndo:
    flag: str
    previous: dict[int, bool]
    label: str


class Session:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.store: Store = workspace.open_store()
        self.portfolio_error: str | None = None
        try:
            self.portfolio = workspace.load_portfolio()
        except ConfigError as exc:
            # The app still opens: the feeds can be read, but nothing is written to the
            # broken file, so the user's hand edit is never lost.
            self.portfolio = Portfolio()
            self.portfolio_error = str(exc)
        self.listeners: list[Callable[[Change], None]] = []
        self._triage_undo: list[_FlagUndo] = []
        self._portfolio_undo: dict[str, list[tuple[Portfolio, str]]] = {}
        self._ranks: dict[str, float] | None = None
        self.clock: Callable[[], dt.datetime] = utcnow
        self._bookmark_states: dict[str, KeyState] | None = None
        self._has_local_bookmarks = self.store.count(sources=[LOCAL_URL]) > 0

    def close(self) -> None:
        self.store.close()

    # -- events ---------------------------------------------------------------------

    def _emit(self, change: Change) -> None:
        if change.area in ("matrix", "sources", "portfolio"):
            self._ranks = None
        for listener in list(self.listeners):
            listener(change)

    @property
    def read_only(self) -> bool:
        return self.portfolio_error is not None

    # -- reading --------------------------------------------------------------------

    @property
    def sources(self) -> list[Source]:
        """The portfolio's sources, then the bookmark service's (settings.toml names it)."""
        extra = self.extra_sources()
        return [*self.portfolio.sources, *extra] if extra else self.portfolio.sources

    def extra_sources(self) -> list[Source]:
        """Sources that are not in portfolio.toml: the bookmark service's own bookmarks, and
        folio's when it keeps imported ones. They are edited in settings.toml, not here."""
        return bookmark_sources(
            self.workspace.settings.bookmarks, self.portfolio.sources, self._has_local_bookmarks
        )

    def source(self, url: str) -> Source | None:
        found = self.portfolio.source(url)
        if found is None:
            found = next((s for s in self.extra_sources() if s.url == url), None)
        return found

    def ranks(self) -> dict[str, float]:
        """Triage rank per source URL from the matrix (lower first); cached until an edit."""
        if self._ranks is None:
            self._ranks = source_ranks(self.portfolio)
        return self._ranks

    def inbox_ids(self) -> list[int]:
        """Every unread item, Quick wins first, newest first within a quadrant."""
        return self.store.ranked_unread_ids(self.ranks())

    # -- triage ---------------------------------------------------------------------

    def set_flag(self, ids: Iterable[int], flag: str, value: bool, label: str = "") -> Change:
        items = self.store.items_by_id(ids)
        previous = {item.id: bool(getattr(item, flag)) for item in items}
        queued = self._store_flag(items, flag, value)
        self._push_triage(_FlagUndo(flag, previous, label or f"{flag} {len(previous)} items"))
        change = Change(
            "items",
            item_ids=list(previous),
            sources=sorted({item.source for item in items}),
            message=label,
            queued=queued,
        )
        self._emit(change)
        return change

    def _store_flag(self, items: list[Item], flag: str, value: bool) -> bool:
        """Set the flag; a bookmark's change for the service is queued in the outbox in the
        same transaction. Returns True when something was queued."""
        then = None
        changes: list[tuple[str, str, dict[str, Any]]] = []
        changed = [item for item in items if bool(getattr(item, flag)) != value]
        if flag == "bookmarked" and self.workspace.settings.bookmarks.enabled and changed:
            # Made before the transaction: a summary's HTML to text takes its time, and the
            # store's lock is not held meanwhile.
            sources = {source.url: source for source in self.sources}
            changes = bookmark_changes(changed, value, sources)

            def then(db: sqlite3.Connection) -> list[int]:
                return put_in(db, SERVICE, changes)

        self.store.set_flag([item.id for item in items], flag, value, then=then)
        if flag == "bookmarked":
            self._bookmark_states = None
        return bool(changes)

    def toggle_flag(self, item: Item, flag: str) -> bool:
        """Flip one flag on one item; returns the new value."""
        value = not getattr(item, flag)
        self.set_flag([item.id], flag, value, label=f"{flag} {'on' if value else 'off'}")
        return value

    def mark_source_read(self, url: str) -> int:
        ids = self.store.unread_ids(url)
        if ids:
            name = (self.source(url) or Source(url)).title
            self.set_flag(ids, "read", True, label=f"Marked {len(ids)} items in {name} read")
        return len(ids)

    def _push_triage(self, entry: _FlagUndo) -> None:
        self._triage_undo.append(entry)
        del self._triage_undo[:-UNDO_DEPTH]

    def undo_triage(self) -> str | None:
        """Undo the last triage action; returns what was undone, or None."""
        if not self._triage_undo:
            return None
        entry = self._triage_undo.pop()
        by_value: dict[bool, list[int]] = {True: [], False: []}
        for item_id, value in entry.previous.items():
            by_value[value].append(item_id)
        queued = False
        for value, ids in by_value.items():
            if ids:
                # A bookmark's undo is a change for the service too: it is queued again.
                queued |= self._store_flag(self.store.items_by_id(ids), entry.flag, value)
        items = self.store.items_by_id(entry.previous)
        self._emit(
            Change(
                "items",
                item_ids=list(entry.previous),
                sources=sorted({item.source for item in items}),
                message=f"Undid: {entry.label}",
                queued=queued,
            )
        )
        return entry.label

    # -- bookmarks ------------------------------------------------------------------

    @property
    def bookmark_service(self) -> str:
        """The bookmark service's name for people ("linkding"), or "" when none is set."""
        settings = self.workspace.settings.bookmarks
        return settings.label if settings.enabled else ""

    def bookmark(self, item: Item) -> str:
        """Bookmark ``item`` (flag and outbox in one step); returns what to tell the user."""
        self.set_flag([item.id], "bookmarked", True, label=f"bookmarked {item.title[:60]}")
        service = self.bookmark_service
        if not service:
            return (
                "Bookmarked in folio. Set [bookmarks] in settings.toml to save bookmarks to "
                "linkding, Shaarli or Pinboard."
            )
        if not is_web_url(item.link):
            return (
                f"Bookmarked in folio only: its link is not a web address, so it is not sent "
                f"to {service}."
            )
        return f"Bookmarked: waiting to be sent to {service}."

    def unbookmark(self, item: Item) -> str:
        """Remove ``item``'s bookmark (here, and queued for the service)."""
        self.set_flag([item.id], "bookmarked", False, label=f"unbookmarked {item.title[:60]}")
        service = self.bookmark_service
        if service and is_web_url(item.link):
            return f"Bookmark removed here; the removal waits to be sent to {service}. u undoes it."
        return "Bookmark removed. u undoes it."

    def bookmark_states(self) -> dict[str, KeyState]:
        """The newest outbox change per link, for items' bookmark states (cached)."""
        if self._bookmark_states is None:
            self._bookmark_states = Outbox(self.store).key_states(SERVICE)
        return self._bookmark_states

    def bookmark_state(self, item: Item) -> str:
        """ "saved", "waiting", "failed", "removing" or "" (see ``local.bookmark_state``)."""
        return bookmark_state(item, self.bookmark_states())

    def outbox_waiting(self) -> list[Waiting]:
        return Outbox(self.store).waiting()

    def outbox_changed(self, message: str = "") -> None:
        """The outbox was sent (or changed elsewhere): states are read again, and every
        widget showing one redraws."""
        self._bookmark_states = None
        self._emit(Change("outbox", message=message))

    def retry_waiting_now(self) -> int:
        """Make every waiting bookmark change due now (the user asked to send them)."""
        outbox = Outbox(self.store)
        return outbox.due_now(SERVICE, self.now())

    def retry_failed_bookmarks(self) -> int:
        """Queue the bookmark changes the service refused for another try; returns how many."""
        count = Outbox(self.store).requeue_failed(SERVICE)
        if count:
            self._bookmark_states = None
            self._emit(Change("outbox", queued=True, message=f"Retrying {count} bookmarks"))
        return count

    # -- portfolio edits ------------------------------------------------------------

    def edit_portfolio(
        self,
        area: str,
        label: str,
        edit: Callable[[Portfolio], object],
        sources: list[str] | None = None,
    ) -> None:
        """Apply ``edit`` to a copy of the portfolio, save it atomically, then adopt it.

        If the save fails, the portfolio in memory stays as it was, matching the file.
        """
        if self.read_only:
            raise ReadOnlyError(
                "portfolio.toml has an error, so folio will not write to it: "
                f"{self.portfolio_error}"
            )
        before = copy.deepcopy(self.portfolio)
        after = copy.deepcopy(self.portfolio)
        edit(after)
        self.workspace.save_portfolio(after)
        self.portfolio = after
        stack = self._portfolio_undo.setdefault(area, [])
        stack.append((before, label))
        del stack[:-UNDO_DEPTH]
        self._emit(Change(area, sources=sources or [], message=label))

    def undo_portfolio(self, area: str) -> str | None:
        stack = self._portfolio_undo.get(area)
        if not stack:
            return None
        if self.read_only:
            raise ReadOnlyError("portfolio.toml has an error, so folio will not write to it")
        before, label = stack.pop()
        self.workspace.save_portfolio(before)
        self.portfolio = before
        self._emit(Change(area, message=f"Undid: {label}"))
        return label

    def add_source(self, source: Source) -> None:
        self.edit_portfolio(
            "sources",
            f"Added {source.title}",
            lambda p: p.sources.append(source),
            sources=[source.url],
        )

    def update_source(self, url: str, updated: Source) -> None:
        def edit(portfolio: Portfolio) -> None:
            for index, source in enumerate(portfolio.sources):
                if source.url == url:
                    portfolio.sources[index] = updated

        self.edit_portfolio("sources", f"Edited {updated.title}", edit)

    def delete_source(self, url: str) -> None:
        name = (self.source(url) or Source(url)).title

        def edit(portfolio: Portfolio) -> None:
            portfolio.sources = [s for s in portfolio.sources if s.url != url]

        self.edit_portfolio("sources", f"Deleted {name}", edit)
        self.store.remove_source(url)

    def now(self) -> dt.datetime:
        """The current time; tests replace ``clock`` so snapshots do not drift."""
        return self.clock()

    def today(self) -> dt.date:
        return self.now().astimezone().date()
