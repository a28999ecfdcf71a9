"""The item lists' queries: which ids a list holds (``ItemQuery``), flags by id, the
unread rows the Inbox orders, and named moments ("when I last looked at what is new").

A mixin of ``Store``: the queries that only read ids and small columns, which the lists
need at 100,000 items. Reading whole items stays in store.py, beside the row mapping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FLAGS = ("read", "starred", "saved", "bookmarked")

CHUNK = 10_000
"""Ids per statement when a list of ids is passed to SQLite as parameters (it allows
32,766 at most; marking 100,000 items read goes in pieces)."""


@dataclass(frozen=True)
class ItemQuery:
    """Which items a list holds; each field that is set narrows it. The app's lists (the
    Inbox's unread items, Starred, Later, a whole feed…) and ``folio items`` are all one of
    these, read newest first."""

    sources: tuple[str, ...] | None = None
    """Only these sources (None: every source)."""
    exclude: tuple[str, ...] = ()
    """Never these sources (the user's own, in the triage lists)."""
    unread: bool = False
    flags: tuple[str, ...] = ()
    """Only items with every one of these flags set (``starred``, ``saved``…)."""
    published_since: dt.datetime | None = None
    seen_since: dt.datetime | None = None
    """Only items folio first stored after this moment ("new since I last looked")."""
    one_per_link: bool = False
    """One item per link (the oldest): a link bookmarked in folio and listed again by the
    bookmark service shows once."""


def query_filters(query: ItemQuery) -> tuple[str, list[Any]]:
    """The WHERE clause (with its parameters) of ``query``; "" when it selects all."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.sources is not None:
        clauses.append(f"source IN ({','.join('?' * len(query.sources))})")
        params.extend(query.sources)
    if query.exclude:
        clauses.append(f"source NOT IN ({','.join('?' * len(query.exclude))})")
        params.extend(query.exclude)
    if query.unread:
        clauses.append("read = 0")
    for flag in query.flags:
        if flag not in FLAGS:
            raise ValueError(f"unknown flag {flag!r}")
        clauses.append(f"{flag} = 1")
    if query.published_since is not None:
        clauses.append("published >= ?")
        params.append(query.published_since.timestamp())
    if query.seen_since is not None:
        clauses.append("first_seen > ?")
        params.append(query.seen_since.timestamp())
    if query.one_per_link:
        same = " AND ".join([*clauses, "link != ''"])
        clauses.append(
            f"(link = '' OR id IN (SELECT min(id) FROM items WHERE {same} GROUP BY link))"
        )
        params.extend(list(params))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class ItemQueries:
    """Id-level queries for the item lists; ``Store`` provides the connection."""

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _background_query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def item_ids(
        self, query: ItemQuery, limit: int | None = None, *, background: bool = False
    ) -> list[int]:
        """The ids of the items ``query`` selects, newest first (only ids: a list of
        100,000 takes tens of milliseconds; widgets load the rows they show).
        ``background``: read on the second connection (``Store._background_query``)."""
        where, params = query_filters(query)
        # What is new since a moment reads the first_seen index and sorts what it finds
        # (few items, most often); "+" keeps SQLite from walking the index in time order
        # instead, which reads every item when nothing is new (250 ms at 100,000).
        order = "+published DESC" if query.seen_since is not None else "published DESC"
        sql = f"SELECT id FROM items{where} ORDER BY {order}, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        read = self._background_query if background else self._query
        return [row[0] for row in read(sql, params)]

    def query_count(self, query: ItemQuery) -> int:
        where, params = query_filters(query)
        return int(self._query(f"SELECT count(*) FROM items{where}", params)[0][0])

    def unread_rows(
        self, exclude: Sequence[str] = (), *, background: bool = False
    ) -> list[tuple[int, str, float]]:
        """(id, source, published timestamp) of every unread item, newest first, for the
        Inbox's order (``lists.inbox_order``); ``exclude`` leaves sources out."""
        where = "WHERE read = 0"
        if exclude:
            where += f" AND source NOT IN ({','.join('?' * len(exclude))})"
        read = self._background_query if background else self._query
        return read(
            f"SELECT id, source, published FROM items {where} ORDER BY published DESC, id DESC",
            list(exclude),
        )

    def flag_values(self, ids: Sequence[int], flag: str) -> dict[int, tuple[bool, str]]:
        """Each existing item's ``flag`` and source, by id; for undo, without loading the
        items' text (marking 50,000 items read reads 50,000 small rows)."""
        if flag not in FLAGS:
            raise ValueError(f"unknown flag {flag!r}")
        values: dict[int, tuple[bool, str]] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start : start + CHUNK])
            rows = self._query(
                f"SELECT id, {flag}, source FROM items WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            values.update((row[0], (bool(row[1]), row[2])) for row in rows)
        return values

    # -- named moments ----------------------------------------------------------------

    def mark(self, name: str) -> dt.datetime | None:
        """The moment stored under ``name`` (``set_mark``), or None."""
        rows = self._query("SELECT at FROM marks WHERE name = ?", (name,))
        return dt.datetime.fromtimestamp(rows[0][0], dt.UTC) if rows else None

    def set_mark(self, name: str, at: dt.datetime) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO marks VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET at = excluded.at",
                (name, at.timestamp()),
            )
