"""Episode state: the ``episodes`` table of the store (migration 11), and its words.

An episode is a stored item with an enclosure. It has a row here once it was queued or
played; without one it is *new*. A row holds the download (status, file, bytes) and the
listening (position, duration, played), written column by column, so that the download
queue and the player, which both update one episode, never undo each other's writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from tui.core.models import Item
from tui.core.storage.store import Store

DOWNLOAD_STATUSES: tuple[str, ...] = ("queued", "downloading", "paused", "failed", "downloaded")
"""A row's ``status``; empty when the episode was never queued, or its download was
cancelled or its file removed."""

PLAYED_MARGIN = 5.0
"""Seconds from the end within which stopping counts as having played the episode."""


@dataclass
class Episode:
    """One episode's download and listening state."""

    item_id: int
    status: str = ""
    """One of ``DOWNLOAD_STATUSES``, or empty."""
    url: str = ""
    """The enclosure's URL when it was queued."""
    file: str = ""
    """Where the file is (downloaded) or will be (queued: its ``.partial`` is beside it)."""
    bytes: int = 0
    total: int | None = None
    error: str = ""
    """Why the last download failed, in words."""
    position: float = 0.0
    """Seconds into the episode where listening stopped; 0 when not started or played."""
    duration: float | None = None
    """Seconds, as the player measured it."""
    played: bool = False
    played_at: dt.datetime | None = None
    queued_at: dt.datetime | None = None
    downloaded_at: dt.datetime | None = None
    speed: float = 0.0
    """Bytes per second while downloading (live, never stored)."""

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, int(self.bytes * 100 / self.total)))

    @property
    def downloaded(self) -> bool:
        return self.status == "downloaded" and bool(self.file)

    @property
    def in_progress(self) -> bool:
        return not self.played and self.position > 0

    @property
    def active(self) -> bool:
        """In the queue: waiting, running, paused or failed (and so retryable)."""
        return self.status in ("queued", "downloading", "paused", "failed")


_COLUMNS = [f.name for f in fields(Episode) if f.name != "speed"]
_TIMES = {"played_at", "queued_at", "downloaded_at"}


def _to_row(name: str, value: Any) -> Any:
    if name in _TIMES:
        return value.timestamp() if value is not None else None
    if name == "played":
        return int(bool(value))
    return value


def _from_row(row: Sequence[Any]) -> Episode:
    values = dict(zip(_COLUMNS, row, strict=True))
    for name in _TIMES:
        stamp = values[name]
        values[name] = dt.datetime.fromtimestamp(stamp, dt.UTC) if stamp is not None else None
    values["played"] = bool(values["played"])
    return Episode(**values)


class EpisodeStore:
    """The ``episodes`` table. Safe from any thread, like the store itself."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, item_id: int) -> Episode | None:
        rows = self.store.query(
            f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE item_id = ?", (item_id,)
        )
        return _from_row(rows[0]) if rows else None

    def many(self, item_ids: Iterable[int]) -> dict[int, Episode]:
        ids = list(item_ids)
        found: dict[int, Episode] = {}
        for start in range(0, len(ids), 500):  # SQLite's limit on parameters is far above
            chunk = ids[start : start + 500]
            rows = self.store.query(
                f"SELECT {', '.join(_COLUMNS)} FROM episodes"
                f" WHERE item_id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((row[0], _from_row(row)) for row in rows)
        return found

    def update(self, item_id: int, **values: Any) -> None:
        """Set these columns of one episode's row (made when missing); others stay."""
        unknown = set(values) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown episode fields: {', '.join(sorted(unknown))}")
        names = list(values)
        sql = (
            f"INSERT INTO episodes (item_id, {', '.join(names)}, updated)"
            f" VALUES (?, {', '.join('?' * len(names))}, strftime('%s', 'now'))"
            " ON CONFLICT (item_id) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in [*names, "updated"])
        )
        with self.store.transaction() as db:
            db.execute(sql, [item_id, *(_to_row(name, values[name]) for name in names)])

    def with_status(self, *statuses: str) -> list[Episode]:
        """Episodes whose download is in one of ``statuses``, oldest queued first."""
        rows = self.store.query(
            f"SELECT {', '.join(_COLUMNS)} FROM episodes"
            f" WHERE status IN ({','.join('?' * len(statuses))})"
            " ORDER BY coalesce(queued_at, 0), item_id",
            statuses,
        )
        return [_from_row(row) for row in rows]

    def listed(self) -> list[Episode]:
        """Every episode the Downloads view lists: in the queue, or with a file."""
        return self.with_status(*DOWNLOAD_STATUSES)

    def files_in_use(self) -> set[str]:
        """Paths that queued or downloaded episodes hold, so no other episode takes them."""
        rows = self.store.query("SELECT file FROM episodes WHERE file != '' AND status != ''")
        return {row[0] for row in rows}

    def recover(self) -> int:
        """Downloads that were running when folio stopped (closed, killed) go back to the
        queue; their ``.partial`` files resume. Returns how many. Nothing is written when
        none was running (a start-up on a full disk then has nothing to say)."""
        if not self.store.query("SELECT 1 FROM episodes WHERE status = 'downloading' LIMIT 1"):
            return 0
        with self.store.transaction() as db:
            return int(
                db.execute(
                    "UPDATE episodes SET status = 'queued' WHERE status = 'downloading'"
                ).rowcount
            )

    def played_files_before(self, moment: dt.datetime) -> list[Episode]:
        rows = self.store.query(
            f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE played = 1"
            " AND status = 'downloaded' AND file != '' AND played_at < ?",
            (moment.timestamp(),),
        )
        return [_from_row(row) for row in rows]

    def new_episode_ids(self, source: str) -> list[int]:
        """``source``'s new episodes, oldest first: unread items with an enclosure that
        were never queued or played, and that arrived after the first refresh; of the
        episodes the first refresh found (the back catalogue), only the newest counts.
        """
        rows = self.store.query(
            "SELECT i.id, i.first_seen, i.read, e.item_id IS NOT NULL"
            " FROM items AS i LEFT JOIN episodes AS e ON e.item_id = i.id"
            " WHERE i.source = ? AND i.enclosure_url != ''"
            " ORDER BY i.published DESC, i.id DESC",
            (source,),
        )
        if not rows:
            return []
        first = min(row[1] for row in rows)
        wanted = [row[0] for row in rows if row[1] > first and not row[2] and not row[3]]
        newest_first_seen = next(row for row in rows if row[1] == first)
        if not newest_first_seen[2] and not newest_first_seen[3]:
            wanted.append(newest_first_seen[0])
        # The newest of the back catalogue may be older than some that came later.
        order = {row[0]: index for index, row in enumerate(rows)}
        return sorted(wanted, key=lambda item_id: -order[item_id])


# -- words ---------------------------------------------------------------------------------

_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:\.\d+)?\s*$")


def parse_clock(text: str) -> float | None:
    """Seconds in an itunes:duration: ``"42:10"``, ``"1:02:03"`` or ``"2530"``."""
    text = text.strip()
    if text.isdigit():
        return float(text)
    match = _CLOCK.match(text)
    if not match:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


def clock(seconds: float) -> str:
    """``754`` -> ``"12:34"``; ``3723`` -> ``"1:02:03"``."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def human_bytes(count: float) -> str:
    if count < 1000:
        return f"{int(count)} B"
    if count < 1_000_000:
        return f"{count / 1000:.0f} kB"
    if count < 1_000_000_000:
        return f"{count / 1_000_000:.1f} MB"
    return f"{count / 1_000_000_000:.2f} GB"


def episode_duration(episode: Episode | None, item: Item) -> float | None:
    """The player's measure when there is one, else what the feed said."""
    if episode is not None and episode.duration:
        return episode.duration
    return parse_clock(item.duration) if item.duration else None


def listening_words(episode: Episode | None, item: Item, compact: bool = False) -> str:
    """``played``, ``in progress 12:03 of 45:00``, or empty (not started)."""
    if episode is None:
        return ""
    if episode.played:
        return "played"
    if episode.position > 0:
        total = episode_duration(episode, item)
        if compact:
            return clock(episode.position) + (f"/{clock(total)}" if total else "")
        of = f" of {clock(total)}" if total else ""
        return f"in progress {clock(episode.position)}{of}"
    return ""


def download_words(episode: Episode | None, compact: bool = False) -> str:
    """``queued``, ``downloading 42%``, ``paused at 42%``, ``failed: …``, ``downloaded``."""
    if episode is None or not episode.status:
        return ""
    status = episode.status
    percent = episode.percent
    if status == "downloading":
        if compact:
            return f"↓{percent}%" if percent is not None else "↓" + human_bytes(episode.bytes)
        done = f"{percent}%" if percent is not None else human_bytes(episode.bytes)
        return f"downloading {done}"
    if status == "paused":
        if compact:
            return "paused"
        return f"paused at {percent}%" if percent is not None else "paused"
    if status == "failed":
        return "failed" if compact or not episode.error else f"failed: {episode.error}"
    if status == "downloaded":
        return "on disk" if compact else "downloaded"
    return status


def state_words(episode: Episode | None, item: Item) -> str:
    """Everything about one episode in words, for the reader: ``new``, or its listening
    and download states, e.g. ``in progress 12:03 of 45:00 · downloaded``."""
    parts = [listening_words(episode, item), download_words(episode)]
    words = " · ".join(part for part in parts if part)
    return words or "new"


def row_words(episode: Episode | None, item: Item) -> str:
    """A few cells for a list row. Empty for a new episode (the row's ● already marks it
    unread); a download under way says so before anything else."""
    if episode is None:
        return ""
    if episode.status in ("queued", "downloading", "paused", "failed"):
        return download_words(episode, compact=True)
    return listening_words(episode, item, compact=True) or download_words(episode, compact=True)
