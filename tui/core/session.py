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
from typing import TYPE_CHECKING

from tui.core.config import ConfigError
from tui.core.models import Item, Source, utcnow
from tui.core.outbox.queue import Outbox, Waiting
from tui.core.planning.rules import source_ranks
from tui.core.storage.portfolio import Portfolio
from tui.core.storage.store import Store
from tui.core.storage.workspace import Workspace

if TYPE_CHECKING:
    from tui.core.sync.reconcile import SyncReport

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
        self.sync_problem = ""
        """Why the last sync failed, in words; empty when it worked (or none ran)."""

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
        return self.portfolio.sources

    def source(self, url: str) -> Source | None:
        return self.portfolio.source(url)

    def ranks(self) -> dict[str, float]:
        """Triage rank per source URL from the matrix (lower first); cached until an edit."""
        if self._ranks is None:
            self._ranks = source_ranks(self.portfolio)
        return self._ranks

    def inbox_ids(self) -> list[int]:
        """Every unread item, Quick wins first, newest first within a quadrant."""
        return self.store.ranked_unread_ids(self.ranks())

    # -- triage ---------------------------------------------------------------------

    def set_flag(
        self, ids: Iterable[int], flag: str, value: bool, label: str = "", *, feed: str = ""
    ) -> Change:
        """Set ``flag`` on items. ``feed``: the items are a whole source marked read, which
        the sync server is told as one "mark feed read"."""
        items = self.store.items_by_id(ids)
        previous = {item.id: bool(getattr(item, flag)) for item in items}
        queued = self._store_flag(items, flag, value, feed=feed)
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

    def _store_flag(self, items: list[Item], flag: str, value: bool, *, feed: str = "") -> bool:
        """Set the flag; a synced item's change for the sync server is queued in the outbox
        in the same transaction, so neither is ever kept without the other. Returns True
        when something was queued."""
        changed = [item.id for item in items if bool(getattr(item, flag)) != value]
        sync = self.workspace.settings.sync
        queued = False
        then = None
        if sync.enabled and changed:
            from tui.core.sync.local import queue_flag_changes, queue_mark_feed_read
            from tui.core.sync.reconcile import keeps_later

            def then(db: sqlite3.Connection) -> None:
                nonlocal queued
                if feed and flag == "read" and value and queue_mark_feed_read(db, feed):
                    queued = True
                    return
                queued = queue_flag_changes(db, changed, flag, value, later=keeps_later(sync)) > 0

        self.store.set_flag([item.id for item in items], flag, value, then=then)
        return queued

    def toggle_flag(self, item: Item, flag: str) -> bool:
        """Flip one flag on one item; returns the new value."""
        value = not getattr(item, flag)
        self.set_flag([item.id], flag, value, label=f"{flag} {'on' if value else 'off'}")
        return value

    def mark_source_read(self, url: str) -> int:
        ids = self.store.unread_ids(url)
        if ids:
            name = (self.source(url) or Source(url)).title
            label = f"Marked {len(ids)} items in {name} read"
            self.set_flag(ids, "read", True, label=label, feed=url)
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
                # An undo is a change for the sync server too: it is queued again.
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

    # -- the outbox and the sync server ---------------------------------------------

    def outbox_waiting(self) -> list[Waiting]:
        return Outbox(self.store).waiting()

    def outbox_changed(self, message: str = "") -> None:
        """The outbox was sent (or changed elsewhere): every widget showing it redraws."""
        self._emit(Change("outbox", message=message))

    @property
    def sync_service(self) -> str:
        """The sync server's name for people ("Miniflux"), or "" when none is set."""
        settings = self.workspace.settings.sync
        return settings.label if settings.enabled else ""

    def retry_refused_sync(self) -> int:
        """Queue the changes the sync server refused for another try; returns how many."""
        from tui.core.sync.common import SERVICE

        count = Outbox(self.store).requeue_failed(SERVICE)
        if count:
            self._emit(Change("outbox", queued=True, message=f"Retrying {count} changes"))
        return count

    def send_sync_now(self) -> int:
        """Make every waiting change for the sync server due now (the user asked)."""
        from tui.core.sync.common import SERVICE

        return Outbox(self.store).due_now(SERVICE, self.now())

    def save_position(self, item: Item, seconds: int) -> bool:
        """A podcast episode's position, for the sync server where it keeps one (Miniflux);
        the player calls it. True when it was queued."""
        if self.workspace.settings.sync.service != "miniflux":
            return False
        from tui.core.sync.local import queue_position

        queued = queue_position(self.store, item.id, seconds)
        if queued:
            self._emit(Change("outbox", queued=True))
        return queued

    def edit_synced_sources(self, add: list[Source], remove: list[str]) -> None:
        """Sources followed or unfollowed on the sync server (on another machine), made so
        in portfolio.toml; raises ReadOnlyError when the file has an error."""
        from tui.core.sync.reconcile import apply_source_changes

        parts = []
        if add:
            parts.append(f"added {len(add)}")
        if remove:
            parts.append(f"removed {len(remove)}")
        self.edit_portfolio(
            "sources",
            f"Sync: {' and '.join(parts)} sources",
            lambda portfolio: apply_source_changes(portfolio, add, remove),
            sources=[source.url for source in add],
        )

    def synced(self, report: SyncReport) -> None:
        """A sync finished: whatever it changed is shown, and the outbox line redrawn."""
        self.sync_problem = "" if report.ok else report.error
        if report.item_ids or report.sources_removed:
            self._emit(
                Change(
                    "items",
                    item_ids=list(report.item_ids),
                    sources=list(report.sources),
                    message=report.summary(),
                )
            )
        self.outbox_changed()

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
