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

from tui.core.config import ConfigError
from tui.core.models import Item, Source, utcnow
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

    def inbox_ids(self) -> list[int]:
        """Every unread item but the user's own, Quick wins first, newest first within a
        quadrant."""
        return self.store.ranked_unread_ids(self.ranks(), leave_out=self.own_sources())

    def inbox_unread(self) -> int:
        """How many items the Inbox holds: unread, and not the user's own."""
        return self.store.count_unread(self.own_sources())

    # -- triage ---------------------------------------------------------------------

    def set_flag(self, ids: Iterable[int], flag: str, value: bool, label: str = "") -> Change:
        items = self.store.items_by_id(ids)
        previous = {item.id: bool(getattr(item, flag)) for item in items}
        self.store.set_flag(previous, flag, value)
        self._push_triage(_FlagUndo(flag, previous, label or f"{flag} {len(previous)} items"))
        change = Change(
            "items",
            item_ids=list(previous),
            sources=sorted({item.source for item in items}),
            message=label,
        )
        self._emit(change)
        return change

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
        for value, ids in by_value.items():
            if ids:
                self.store.set_flag(ids, entry.flag, value)
        items = self.store.items_by_id(entry.previous)
        self._emit(
            Change(
                "items",
                item_ids=list(entry.previous),
                sources=sorted({item.source for item in items}),
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
