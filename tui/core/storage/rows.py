"""How items and fetch states are laid out in ``folio.db``'s rows, both ways: the column
lists the store's statements name, and a row turned back into an ``Item`` or a
``SourceState``. Shared by the store and its query mixins."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from tui.core.dates import EARLIEST, from_timestamp, plausible
from tui.core.models import Item, SourceState

ITEM_COLUMNS = (
    "id, source, guid, title, link, author, summary, content, published, dated, first_seen,"
    " read, starred, saved, bookmarked, enclosure_url, enclosure_type, enclosure_length, duration,"
    " tags, private, toread"
)


ROW_COLUMNS = (
    "source, key, guid, title, link, author, summary, content, published, dated, first_seen,"
    " read, starred, saved, bookmarked, enclosure_url, enclosure_type, enclosure_length, duration,"
    " tags, private, toread"
)
"""Every column of an item but its id: what a deleted source's undo puts back."""


def ts(value: dt.datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def dt_of(value: float | None) -> dt.datetime | None:
    return from_timestamp(value)


def row_to_item(row: sqlite3.Row | tuple[Any, ...]) -> Item:
    first_seen = dt_of(row[10]) or EARLIEST  # only a damaged value is out of the calendar
    published = dt_of(row[8])
    dated = bool(row[9])
    if not plausible(published):  # a placeholder date stored before migration 9
        published, dated = first_seen, False
    assert published is not None
    return Item(
        id=row[0],
        source=row[1],
        guid=row[2],
        title=row[3],
        link=row[4],
        author=row[5],
        summary=row[6],
        content=row[7],
        published=published,
        dated=dated,
        first_seen=first_seen,
        read=bool(row[11]),
        starred=bool(row[12]),
        saved=bool(row[13]),
        bookmarked=bool(row[14]),
        enclosure_url=row[15],
        enclosure_type=row[16],
        enclosure_length=row[17],
        duration=row[18],
        tags=tags_of(row[19]),
        private=bool(row[20]),
        toread=bool(row[21]),
    )


def tags_of(text: str) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [tag for tag in value if isinstance(tag, str)] if isinstance(value, list) else []


def tags_text(tags: Sequence[str]) -> str:
    return json.dumps(list(tags), ensure_ascii=False) if tags else ""


STATE_COLUMNS = (
    "url, status, error, http_status, etag, last_modified, content_hash, last_fetched,"
    " next_due, failures, retry_after, fetches, not_modified, feed_title, cursor"
)
UPSERT_STATE = (
    f"INSERT INTO sources ({STATE_COLUMNS})"
    f" VALUES ({', '.join('?' * len(STATE_COLUMNS.split(', ')))})"
    " ON CONFLICT (url) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in STATE_COLUMNS.split(", ")[1:])
)


def row_to_state(row: tuple[Any, ...]) -> SourceState:
    return SourceState(
        url=row[0],
        status=row[1],
        error=row[2],
        http_status=row[3],
        etag=row[4],
        last_modified=row[5],
        content_hash=row[6],
        last_fetched=dt_of(row[7]),
        next_due=dt_of(row[8]),
        failures=row[9],
        retry_after=dt_of(row[10]),
        fetches=row[11],
        not_modified=row[12],
        feed_title=row[13],
        cursor=row[14],
    )
