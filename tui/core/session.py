"""One running folio: the workspace, its portfolio and store, and every user action.

Screens call these methods and never touch the store or the file directly. Each action
saves at once and tells listeners what changed, so every widget showing that data can
update. Undo is kept per area: triage, matrix, roadmap, sources.

portfolio.toml is shared with ``folio`` commands and the user's editor, so an edit made
here is applied as an operation to the file as it is on disk (``portfolio_edit``), and
its undo is the inverse operation. ``check_portfolio_file`` notices changes made
elsewhere and reloads; a broken file keeps the last good portfolio on screen, read-only.
"""

from __future__ import annotations

import copy
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
from tui.core.storage.portfolio import (
    Portfolio,
    Signature,
    describe_changes,
    file_signature,
    read_snapshot,
)
from tui.core.storage.store import Store, StoreError
from tui.core.storage.workspace import Workspace

if TYPE_CHECKING:
    # Imported when first needed: tomlkit takes 20-30 ms to import, and a session that
    # only reads never edits the file.
    from tui.core.podcasts.service import Podcasts
    from tui.core.storage.portfolio_edit import Applied, Edit
    from tui.core.sync.reconcile import SyncReport

UNDO_DEPTH = 100


@dataclass
class Change:
    """What an action changed, for listeners to redraw."""

    area: str
    """"items", "sources", "matrix", "roadmap", "portfolio", or "episodes" (a podcast
    episode's download or listening state)."""
    item_ids: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    message: str = ""
    """A short description for a notification, e.g. "Marked 12 items read"."""
    queued: bool = False
    """Changes for a service were queued in the outbox: the app sends them soon."""


class NotSaved(Exception):
    """An edit was refused and nothing was written; the message says why, for the user."""


class ReadOnlyError(NotSaved):
    """The portfolio file is broken (or gone), so edits are refused until it is fixed."""


@dataclass
class _PortfolioUndo:
    edits: list[Edit]
    label: str


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
        """Why the file cannot be used (broken, unreadable, gone); None when it is fine."""
        self.portfolio = Portfolio()
        self.portfolio_signature: Signature | None = None
        """The file's signature when last read or written here: a different one on disk
        means someone else changed it."""
        self._unsettled: Signature | None = None
        """A new signature seen once, to be read when seen again (see check_portfolio_file)."""
        self._read_portfolio()
        self.listeners: list[Callable[[Change], None]] = []
        self.on_store_problem: Callable[[StoreError], None] | None = None
        """Told when a triage change could not be stored (a full disk, a locked file, a
        damaged file): the change is dropped and the screens keep showing what is stored;
        the listener says why (the app stops for a damaged file)."""
        self._triage_undo: list[_FlagUndo] = []
        self._portfolio_undo: dict[str, list[_PortfolioUndo]] = {}
        self._ranks: dict[str, float] | None = None
        self.clock: Callable[[], dt.datetime] = utcnow
        self._bookmark_states: dict[str, KeyState] | None = None
        self.sync_problem = ""
        """Why the last sync failed, in words; empty when it worked (or none ran)."""
        self._has_local_bookmarks = self.store.count(sources=[LOCAL_URL]) > 0
        self._podcasts: Podcasts | None = None

    def close(self) -> None:
        self.store.close()

    def _read_portfolio(self) -> bool:
        """Read the file; True if it was read. When it is broken, the portfolio already
        in memory (the last good one) stays, and ``portfolio_error`` says what is wrong:
        the app still opens and the feeds can be read, but nothing is written to the
        file, so the user's hand edit is never lost."""
        path = self.workspace.portfolio_path
        signature = file_signature(path)
        if signature is None and self.portfolio_signature is not None:
            self.portfolio_signature = None
            self.portfolio_error = (
                f"{path}: the file is gone (moved or deleted); folio shows the last version "
                "it read and writes nothing until the file is back"
            )
            return False
        try:
            snapshot = read_snapshot(path)
        except ConfigError as exc:
            self.portfolio_signature = signature
            self.portfolio_error = str(exc)
            return False
        self.portfolio = snapshot.portfolio
        self.portfolio_signature = snapshot.signature
        self.portfolio_error = None
        return True

    @property
    def podcasts(self) -> Podcasts:
        """The podcast engine (downloads, player, episode state), made when first asked."""
        if self._podcasts is None:
            from tui.core.podcasts.service import Podcasts

            workspace = self.workspace
            self._podcasts = Podcasts(
                self.store,
                workspace.settings,
                workspace.podcast_folder,
                transport=workspace.transport,
                on_change=self._episodes_changed,
                clock=lambda: self.clock(),
                on_stopped=self._episode_stopped,
            )
        return self._podcasts

    def _episode_stopped(self, item_id: int, seconds: float) -> None:
        """Playback ended (stopped, or played to the end: 0): the position goes to the sync
        server too, where it keeps one, so another machine starts there."""
        item = self.store.item(item_id)
        if item is not None:
            self.save_position(item, int(seconds))

    @property
    def podcasts_started(self) -> Podcasts | None:
        """The podcast engine if anything asked for it yet, else None (nothing to stop)."""
        return self._podcasts

    def _episodes_changed(self, item_ids: list[int]) -> None:
        items = self.store.items_by_id(item_ids)
        self._emit(Change("episodes", item_ids=item_ids, sources=sorted({i.source for i in items})))

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

    def own_sources(self) -> tuple[str, ...]:
        """The user's own sources (``mine = true``): their items are output, not triage."""
        return tuple(source.url for source in self.sources if source.mine)

    def inbox_ids(self) -> list[int]:
        """Every unread item but the user's own, Quick wins first, newest first within a
        quadrant."""
        return self.store.ranked_unread_ids(self.ranks(), leave_out=self.own_sources())

    def inbox_unread(self) -> int:
        """How many items the Inbox holds: unread, and not the user's own."""
        return self.store.count_unread(self.own_sources())

    # -- triage ---------------------------------------------------------------------

    def _stored(self, write: Callable[[], object]) -> bool:
        """Run a store write; a problem goes to ``on_store_problem``, if one listens."""
        try:
            write()
        except StoreError as exc:
            if self.on_store_problem is None:
                raise
            self.on_store_problem(exc)
            return False
        return True

    def set_flag(
        self, ids: Iterable[int], flag: str, value: bool, label: str = "", *, feed: str = ""
    ) -> Change:
        """Set ``flag`` on items; the Change lists none when it could not be stored.
        ``feed``: the items are a whole source marked read, which the sync server is told
        as one "mark feed read"."""
        items = self.store.items_by_id(ids)
        previous = {item.id: bool(getattr(item, flag)) for item in items}
        queued = False

        def write() -> None:
            nonlocal queued
            queued = self._store_flag(items, flag, value, feed=feed)

        if not self._stored(write):
            return Change("items", message=label)
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
        """Set the flag; a change for a service (a bookmark's for the bookmark service, a
        synced item's for the sync server) is queued in the outbox in the same transaction,
        so neither is ever kept without the other. Returns True when something was queued."""
        then = None
        changes: list[tuple[str, str, dict[str, Any]]] = []
        changed = [item for item in items if bool(getattr(item, flag)) != value]
        if flag == "bookmarked" and self.workspace.settings.bookmarks.enabled and changed:
            # Made before the transaction: a summary's HTML to text takes its time, and the
            # store's lock is not held meanwhile.
            sources = {source.url: source for source in self.sources}
            changes = bookmark_changes(changed, value, sources)
        sync = self.workspace.settings.sync
        syncing = sync.enabled and bool(changed) and flag != "bookmarked"
        synced = False
        if changes or syncing:

            def then(db: sqlite3.Connection) -> None:
                nonlocal synced
                if changes:
                    put_in(db, SERVICE, changes)
                if syncing:
                    synced = self._queue_for_sync(db, changed, flag, value, feed)

        self.store.set_flag([item.id for item in items], flag, value, then=then)
        if flag == "bookmarked":
            self._bookmark_states = None
        return bool(changes) or synced

    def _queue_for_sync(
        self, db: sqlite3.Connection, items: list[Item], flag: str, value: bool, feed: str
    ) -> bool:
        """Inside the flag's transaction: the change for the sync server, when the items
        are its entries ("mark feed read" for a whole source)."""
        from tui.core.sync.local import queue_flag_changes, queue_mark_feed_read
        from tui.core.sync.reconcile import keeps_later

        if feed and flag == "read" and value and queue_mark_feed_read(db, feed):
            return True
        later = keeps_later(self.workspace.settings.sync)
        return queue_flag_changes(db, [item.id for item in items], flag, value, later=later) > 0

    def toggle_flag(self, item: Item, flag: str) -> bool:
        """Flip one flag on one item; returns the new value."""
        value = not getattr(item, flag)
        change = self.set_flag([item.id], flag, value, label=f"{flag} {'on' if value else 'off'}")
        return value if change.item_ids else bool(getattr(item, flag))

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
        entry = self._triage_undo[-1]
        by_value: dict[bool, list[int]] = {True: [], False: []}
        for item_id, value in entry.previous.items():
            by_value[value].append(item_id)
        queued = False

        def restore() -> None:
            nonlocal queued
            for value, ids in by_value.items():
                if ids:
                    # An undo is a change for the services too (a bookmark's, a synced
                    # item's): it is queued again.
                    queued |= self._store_flag(self.store.items_by_id(ids), entry.flag, value)

        if not self._stored(restore):
            return None  # kept on the stack: it can be undone once the store can be written
        self._triage_undo.pop()
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

    # -- the sync server -------------------------------------------------------------

    @property
    def sync_service(self) -> str:
        """The sync server's name for people ("Miniflux"), or "" when none is set."""
        settings = self.workspace.settings.sync
        return settings.label if settings.enabled else ""

    def retry_refused_sync(self) -> int:
        """Queue the changes the sync server refused for another try; returns how many."""
        from tui.core.sync.common import SERVICE as SYNC

        count = Outbox(self.store).requeue_failed(SYNC)
        if count:
            self._emit(Change("outbox", queued=True, message=f"Retrying {count} changes"))
        return count

    def send_sync_now(self) -> int:
        """Make every waiting change for the sync server due now (the user asked)."""
        from tui.core.sync.common import SERVICE as SYNC

        return Outbox(self.store).due_now(SYNC, self.now())

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
        in portfolio.toml as it is on disk; raises ReadOnlyError when the file is broken.
        Not undoable with u: the next sync would only do it again."""
        from tui.core.sync.portfolio import SyncSources

        parts = []
        if add:
            parts.append(f"added {len(add)}")
        if remove:
            parts.append(f"removed {len(remove)}")
        self.apply_edits(
            "sources",
            f"Sync: {' and '.join(parts)} sources",
            [SyncSources(add, remove)],
            sources=[source.url for source in add],
            undoable=False,
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

    def apply_edits(
        self,
        area: str,
        label: str,
        edits: list[Edit],
        sources: list[str] | None = None,
        *,
        undoable: bool = True,
    ) -> Applied:
        """Apply ``edits`` to portfolio.toml as it is on disk now, and adopt the result,
        which holds whatever others changed too. Raises NotSaved (nothing was written)
        when the file is broken or an edit no longer fits it, OSError when it cannot be
        written; the portfolio in memory then stays as it was."""
        if self.read_only:
            raise ReadOnlyError(
                f"portfolio.toml has an error, so folio will not write to it: "
                f"{self.portfolio_error}"
            )
        from tui.core.storage.portfolio_edit import EditConflict

        path = self.workspace.portfolio_path
        if self.portfolio_signature is not None and file_signature(path) is None:
            self.check_portfolio_file()
            raise ReadOnlyError(f"Not saved: {self.portfolio_error}")
        try:
            applied = self.workspace.apply_edits(edits)
        except ConfigError as exc:
            # Broken on disk since the last look: show that, keep the last good version.
            self.check_portfolio_file()
            raise ReadOnlyError(
                f"portfolio.toml has an error, so nothing was written: {exc}"
            ) from None
        except EditConflict as exc:
            self.check_portfolio_file()
            raise NotSaved(f"{exc}. The portfolio was reloaded from the file.") from None
        changed_elsewhere = applied.before != self.portfolio_signature
        previous = self.portfolio
        self.portfolio = applied.portfolio
        self.portfolio_signature = applied.after
        if undoable and applied.undo:
            stack = self._portfolio_undo.setdefault(area, [])
            stack.append(_PortfolioUndo(applied.undo, label))
            del stack[:-UNDO_DEPTH]
        if changed_elsewhere:
            others = describe_changes(previous, applied.found)
            if others:
                self._emit(Change("portfolio", message=f"Also loaded from the file: {others}"))
        self._emit(Change(area, sources=sources or [], message=label))
        return applied

    def edit_portfolio(
        self,
        area: str,
        label: str,
        edit: Callable[[Portfolio], object],
        sources: list[str] | None = None,
    ) -> None:
        """Apply ``edit`` to a copy of the portfolio in memory, then make only what it
        changed (entries added, removed, the keys changed) on the file as it is on disk."""
        from tui.core.storage.portfolio_edit import EditConflict, edits_between

        after = copy.deepcopy(self.portfolio)
        edit(after)
        try:
            edits = edits_between(self.portfolio, after)
        except EditConflict as exc:
            raise NotSaved(str(exc)) from None
        self.apply_edits(area, label, edits, sources)

    def undo_portfolio(self, area: str) -> str | None:
        """Undo the last edit of ``area`` by applying its inverse to the file as it is now;
        returns what was undone, or None when there is nothing to undo."""
        stack = self._portfolio_undo.get(area)
        if not stack:
            return None
        if self.read_only:
            raise ReadOnlyError("portfolio.toml has an error, so folio will not write to it")
        entry = stack.pop()
        try:
            self.apply_edits(area, f"Undid: {entry.label}", entry.edits, undoable=False)
        except ReadOnlyError:
            stack.append(entry)
            raise
        except NotSaved as exc:
            raise NotSaved(f"Could not undo {entry.label}: {exc}") from None
        except OSError:
            stack.append(entry)
            raise
        return entry.label

    def check_portfolio_file(self, settle: bool = False) -> Change | None:
        """Reload portfolio.toml if it changed on disk since it was last read or written
        here (a ``folio`` command, an editor). Cheap when nothing changed: one stat.

        With ``settle`` (the app's timer), a change is read only once two looks in a row
        find the file the same: an editor that writes in place (truncate, then write)
        may be caught half-way, and half a file must not be shown, even for a second.

        Returns the change (already sent to listeners) with a message for the user, or
        None. A broken file keeps the last good portfolio and makes the session read-only
        until the file is fixed.
        """
        signature = file_signature(self.workspace.portfolio_path)
        if signature == self.portfolio_signature:
            self._unsettled = None
            return None
        if settle and signature != self._unsettled:
            self._unsettled = signature
            return None
        self._unsettled = None
        was_error = self.portfolio_error
        previous = self.portfolio
        if not self._read_portfolio():
            if self.portfolio_error == was_error:
                return None
            change = Change(
                "portfolio",
                message=f"{self.portfolio_error}\nShowing the last good version; "
                "nothing was written. folio reloads the file when it is fixed.",
            )
        else:
            summary = describe_changes(previous, self.portfolio)
            if was_error is not None:
                message = "portfolio.toml is readable again: reloaded"
                message += f" ({summary})." if summary else "."
            elif summary:
                message = f"portfolio.toml changed on disk: {summary}."
            else:
                return None
            added = {s.url for s in self.portfolio.sources} - {s.url for s in previous.sources}
            change = Change("portfolio", sources=sorted(added), message=message)
        self._emit(change)
        return change

    def add_source(self, source: Source) -> None:
        from tui.core.storage.portfolio_edit import AddEntry

        self.apply_edits(
            "sources",
            f"Added {source.title}",
            [AddEntry.of("sources", source)],
            sources=[source.url],
        )

    def update_source(self, url: str, updated: Source) -> None:
        from tui.core.storage.portfolio_edit import UpdateEntry

        current = self.source(url)
        if current is None:
            raise NotSaved(f"{url} is no longer in portfolio.toml")
        edit = UpdateEntry.between("sources", current, updated)
        self.apply_edits("sources", f"Edited {updated.title}", [edit])

    def delete_source(self, url: str) -> None:
        from tui.core.storage.portfolio_edit import DeleteEntry

        name = (self.source(url) or Source(url)).title
        self.apply_edits("sources", f"Deleted {name}", [DeleteEntry("sources", url)])
        # Its items stay stored if this fails; a later delete of the same URL removes them.
        self._stored(lambda: self.store.remove_source(url))

    def now(self) -> dt.datetime:
        """The current time; tests replace ``clock`` so snapshots do not drift."""
        return self.clock()

    def today(self) -> dt.date:
        return self.now().astimezone().date()
