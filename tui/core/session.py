"""One running folio: the workspace, its portfolio and store, and every user action.

Screens call these methods and never touch the store or the file directly. Each action
saves at once (portfolio edits atomically) and tells listeners what changed, so every
widget showing that data can update. Undo is kept per area: triage, matrix, roadmap.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tui.core.config import ConfigError, parse_duration
from tui.core.lists import (
    NEW_FIRST_LOOK,
    ItemRows,
    ListSpec,
    inbox_order,
    recent_label,
)
from tui.core.models import Item, Source, utcnow
from tui.core.planning.rules import (
    QUADRANTS,
    UNRANKED,
    quadrant_label,
    review_due,
    source_ranks,
)
from tui.core.storage import attention
from tui.core.storage.portfolio import Portfolio
from tui.core.storage.store import ItemQuery, RemovedSource, Store
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
    refetch: list[str] = field(default_factory=list)
    """Sources to fetch at once (a deleted source brought back by undo)."""


class ReadOnlyError(Exception):
    """The portfolio file is broken, so edits are refused until it is fixed."""


@dataclass
class _FlagUndo:
    flag: str
    previous: dict[int, bool]
    label: str
    sources: list[str] = field(default_factory=list)


UndoHook = Callable[[], list[str]]
"""Run after a portfolio undo (putting back a deleted source's items); returns the
sources to fetch again."""


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
        self._portfolio_undo: dict[str, list[tuple[Portfolio, str, UndoHook | None]]] = {}
        self._ranks: dict[str, float] | None = None
        self.clock: Callable[[], dt.datetime] = utcnow

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

    def own_sources(self) -> tuple[str, ...]:
        """The user's own sources (``mine = true``): their items are output, not triage."""
        return tuple(source.url for source in self.sources if source.mine)

    def inbox_rows(self, *, background: bool = False) -> ItemRows:
        """Every unread item but the user's own, in the Inbox's order (``inbox_order``):
        the recent ones first, grouped by quadrant, then the older ones, grouped alike."""
        window = dt.timedelta(seconds=parse_duration(self.workspace.settings.ui.inbox_recent))
        axes = self.portfolio.matrix_axes
        labels: dict[float, str] = {
            float(index): quadrant_label(axes, name) for index, name in enumerate(QUADRANTS)
        }
        labels[UNRANKED] = "not in the matrix"
        rows = self.store.unread_rows(exclude=self.own_sources(), background=background)
        return inbox_order(rows, self.ranks(), self.now() - window, labels, recent_label(window))

    def inbox_ids(self) -> list[int]:
        """The Inbox's item ids, in its order (without its headings)."""
        return self.inbox_rows().ids

    def inbox_count(self) -> int:
        """Unread items the Inbox holds: every unread item but the user's own."""
        return self.store.query_count(ItemQuery(unread=True, exclude=self.own_sources()))

    def list_query(self, spec: ListSpec) -> ItemQuery:
        """The store query of a list (``lists.VIEWS``, a feed's list…)."""
        own = self.own_sources()
        sources = spec.sources
        if spec.own == "only":
            sources = own if sources is None else tuple(u for u in sources if u in own)
        since = None
        if spec.since_mark is not None:
            since = self.store.mark(spec.since_mark) or self.now() - NEW_FIRST_LOOK
        return ItemQuery(
            sources=sources,
            exclude=own if spec.own == "exclude" and spec.sources is None else (),
            unread=spec.unread,
            flags=spec.flags,
            seen_since=since,
        )

    def list_ids(
        self, spec: ListSpec, limit: int | None = None, *, background: bool = False
    ) -> list[int]:
        """A list's ids, newest first. ``background``: from a worker thread, on the store's
        second connection, so the screen's reads do not wait for it."""
        return self.store.item_ids(self.list_query(spec), limit=limit, background=background)

    def list_count(self, spec: ListSpec) -> int:
        return self.store.query_count(self.list_query(spec))

    def looked_at(self, spec: ListSpec, when: dt.datetime) -> None:
        """The user has seen the list ``spec`` as it was at ``when``: a list of what is
        new since a mark starts from there next time."""
        if spec.since_mark is not None:
            self.store.set_mark(spec.since_mark, when)

    def next_unread(self, ids: list[int], after: int) -> int | None:
        """The index of the first unread item in ``ids`` after index ``after``."""
        start = after + 1
        chunk = 200
        while start < len(ids):
            window = ids[start : start + chunk]
            unread = self._unread_among(window)
            for offset, item_id in enumerate(window):
                if item_id in unread:
                    return start + offset
            start += chunk
            chunk = min(chunk * 4, 10_000)
        return None

    def _unread_among(self, ids: list[int]) -> set[int]:
        return {
            item_id
            for item_id, (read, _) in self.store.flag_values(ids, "read").items()
            if not read
        }

    # -- triage ---------------------------------------------------------------------

    def set_flag(
        self,
        ids: Iterable[int],
        flag: str,
        value: bool,
        label: str = "",
        opened: bool = False,
    ) -> Change:
        """Set ``flag`` on items (undoable as one step) and record the attention it shows:
        a star, save or bookmark set, or items marked read without being ``opened``."""
        values = self.store.flag_values(list(ids), flag)
        previous = {item_id: old for item_id, (old, _) in values.items()}
        sources = sorted({source for _, source in values.values()})
        self.store.set_flag(previous, flag, value)
        self._push_triage(
            _FlagUndo(flag, previous, label or f"{flag} {len(previous)} items", sources)
        )
        action = attention.FLAG_ACTIONS.get(flag) if value else None
        if flag == "read" and value and not opened:
            action = "read_unopened"
        if action is not None:
            changed = [(i, source) for i, (old, source) in values.items() if old != value]
            attention.record(self.store, action, changed, self.now())
        change = Change("items", item_ids=list(previous), sources=sources, message=label)
        self._emit(change)
        return change

    def toggle_flag(self, item: Item, flag: str) -> bool:
        """Flip one flag on one item; returns the new value."""
        value = not getattr(item, flag)
        self.set_flag([item.id], flag, value, label=f"{flag} {'on' if value else 'off'}")
        return value

    def mark_read(self, ids: list[int], label: str) -> int:
        """Mark ``ids`` read (undoable as one step); returns how many were unread."""
        unread = [i for i, (read, _) in self.store.flag_values(ids, "read").items() if not read]
        if unread:
            self.set_flag(unread, "read", True, label=label)
        return len(unread)

    def mark_source_read(self, url: str) -> int:
        ids = self.store.unread_ids(url)
        if ids:
            name = (self.source(url) or Source(url)).title
            self.set_flag(ids, "read", True, label=f"Marked {len(ids)} items in {name} read")
        return len(ids)

    def opened(self, item: Item) -> int:
        """``item`` is shown in the reader: it is read (undoable), and the opening is
        recorded; returns the record's id, for ``reader_time``."""
        if not item.read:
            self.set_flag([item.id], "read", True, label=f"read {item.title}", opened=True)
        return attention.record(self.store, "opened", [(item.id, item.source)], self.now())[0]

    def reader_time(self, record: int, seconds: float) -> None:
        """How long the item of ``record`` (from ``opened``) was read."""
        attention.set_seconds(self.store, record, seconds)

    def opened_in_browser(self, item: Item) -> None:
        attention.record(self.store, "browser", [(item.id, item.source)], self.now())

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
        for value, ids in by_value.items():
            if ids:
                self.store.set_flag(ids, entry.flag, value)
        self._emit(
            Change(
                "items",
                item_ids=list(entry.previous),
                sources=entry.sources,
                message=f"Undid: {entry.label}",
            )
        )
        return entry.label

    # -- portfolio edits ------------------------------------------------------------

    def edit_portfolio(
        self,
        area: str,
        label: str,
        edit: Callable[[Portfolio], object],
        sources: list[str] | None = None,
        on_undo: UndoHook | None = None,
    ) -> None:
        """Apply ``edit`` to a copy of the portfolio, save it atomically, then adopt it.

        If the save fails, the portfolio in memory stays as it was, matching the file.
        ``on_undo`` runs after this edit is undone (see ``UndoHook``).
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
        stack.append((before, label, on_undo))
        del stack[:-UNDO_DEPTH]
        self._emit(Change(area, sources=sources or [], message=label))

    def undo_portfolio(self, area: str) -> str | None:
        stack = self._portfolio_undo.get(area)
        if not stack:
            return None
        if self.read_only:
            raise ReadOnlyError("portfolio.toml has an error, so folio will not write to it")
        before, label, on_undo = stack.pop()
        self.workspace.save_portfolio(before)
        self.portfolio = before
        refetch = on_undo() if on_undo is not None else []
        self._emit(Change(area, sources=refetch, message=f"Undid: {label}", refetch=refetch))
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

    def update_sources(
        self,
        urls: list[str],
        kind: str | None = None,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
    ) -> int:
        """Change several sources at once: their kind, and tags added or taken away."""
        wanted = set(urls)
        adding, removing = list(add_tags), set(remove_tags)

        def edit(portfolio: Portfolio) -> None:
            for source in portfolio.sources:
                if source.url in wanted:
                    if kind is not None:
                        source.kind = kind
                    tags = [tag for tag in source.tags if tag not in removing]
                    source.tags = tags + [tag for tag in adding if tag not in tags]

        count = len([s for s in self.sources if s.url in wanted])
        self.edit_portfolio("sources", f"Edited {count} sources", edit, sources=[])
        return count

    def delete_source(self, url: str) -> None:
        self.delete_sources([url])

    def delete_sources(self, urls: list[str]) -> None:
        """Stop following ``urls``. Their items leave the store; undo brings the sources
        back with their items and flags, and fetches them again at once."""
        wanted = set(urls)
        deleted = [s for s in self.sources if s.url in wanted]
        if not deleted:
            return
        name = deleted[0].title if len(deleted) == 1 else f"{len(deleted)} sources"
        removed: list[RemovedSource] = []

        def edit(portfolio: Portfolio) -> None:
            portfolio.sources = [s for s in portfolio.sources if s.url not in wanted]

        def restore() -> list[str]:
            for snapshot in removed:
                self.store.restore_source(snapshot)
            return [snapshot.url for snapshot in removed]

        self.edit_portfolio("sources", f"Deleted {name}", edit, on_undo=restore)
        removed.extend(self.store.remove_source(source.url) for source in deleted)

    def reviews_due(self) -> int:
        """How many experiments on the roadmap have a review that is due."""
        today = self.today()
        return sum(review_due(experiment, today) for experiment in self.portfolio.roadmap)

    def now(self) -> dt.datetime:
        """The current time; tests replace ``clock`` so snapshots do not drift."""
        return self.clock()

    def today(self) -> dt.date:
        return self.now().astimezone().date()
