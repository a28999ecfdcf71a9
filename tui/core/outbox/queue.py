"""The outbox table: put, list, and settle changes waiting for a service."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.models import utcnow
from tui.core.storage.store import Store

__all__ = ["KeyState", "Outbox", "OutboxEntry", "Waiting", "backoff", "put_in"]

_MAX_ERROR = 300
BACKOFF_START = 30.0
"""Seconds before the first retry; each failure doubles it, up to ``BACKOFF_MAX``."""
BACKOFF_MAX = 6 * 3600.0


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``attempts`` failed tries: doubling, capped, with 10% jitter."""
    base = min(BACKOFF_START * 2.0 ** min(max(attempts - 1, 0), 30), BACKOFF_MAX)
    draw = rng.random() if rng is not None else random.random()
    return base * (0.9 + 0.2 * draw)


@dataclass(frozen=True)
class OutboxEntry:
    """One change waiting to be sent."""

    id: int
    service: str
    """Who it goes to: "bookmarks", "sync"."""
    action: str
    """What the service is asked to do, in the service's sender's words ("add", "read")."""
    key: str
    """What it is about (a URL, an entry id); changes to one key are sent in order."""
    payload: dict[str, Any]
    created: dt.datetime
    attempts: int = 0
    next_try: dt.datetime | None = None
    last_error: str = ""
    failed: bool = False
    """Given up: the service refused it for good. Kept, and shown, until the user acts."""


@dataclass(frozen=True)
class Waiting:
    """What waits for one service, for the status bar: "3 bookmarks waiting: <why>"."""

    service: str
    waiting: int
    failed: int
    reason: str
    """The newest error of a waiting change, in words; empty when nothing has failed yet."""


_COLUMNS = "id, service, action, key, payload, created, attempts, next_try, last_error, failed"


def _entry(row: Sequence[Any]) -> OutboxEntry:
    return OutboxEntry(
        id=row[0],
        service=row[1],
        action=row[2],
        key=row[3],
        payload=json.loads(row[4]),
        created=dt.datetime.fromtimestamp(row[5], dt.UTC),
        attempts=row[6],
        next_try=dt.datetime.fromtimestamp(row[7], dt.UTC),
        last_error=row[8],
        failed=bool(row[9]),
    )


def put_in(
    db: sqlite3.Connection,
    service: str,
    changes: Iterable[tuple[str, str, dict[str, Any]]],
    now: dt.datetime | None = None,
) -> list[int]:
    """Queue changes inside a transaction the caller holds (``Store.set_flag``'s ``then``),
    so the local change and its outbox rows are written together or not at all."""
    stamp = (now or utcnow()).timestamp()
    ids = []
    for action, key, payload in changes:
        cursor = db.execute(
            "INSERT INTO outbox (service, action, key, payload, created, next_try)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (service, action, key, json.dumps(payload, ensure_ascii=False), stamp, stamp),
        )
        ids.append(int(cursor.lastrowid or 0))
    return ids


@dataclass(frozen=True)
class KeyState:
    """The newest change queued for one key: what it asks, and whether it failed."""

    action: str
    failed: bool
    error: str
    attempts: int


class Outbox:
    """The ``outbox`` table of a Store. Safe from any thread, as the Store is."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def put(
        self,
        service: str,
        action: str,
        key: str,
        payload: dict[str, Any] | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        """Queue one change; returns its id. It is due at once."""
        return self.put_many(service, [(action, key, payload or {})], now)[0]

    def put_many(
        self,
        service: str,
        changes: Iterable[tuple[str, str, dict[str, Any]]],
        now: dt.datetime | None = None,
    ) -> list[int]:
        """Queue several changes in one transaction, in order; returns their ids."""
        with self.store.transaction() as db:
            return put_in(db, service, changes, now)

    def pending(self, service: str, limit: int = 1000) -> list[OutboxEntry]:
        """Changes not given up, oldest first, due or not."""
        rows = self.store.query(
            f"SELECT {_COLUMNS} FROM outbox WHERE service = ? AND failed = 0 ORDER BY id LIMIT ?",
            (service, limit),
        )
        return [_entry(row) for row in rows]

    def due(
        self, service: str, now: dt.datetime | None = None, limit: int = 100
    ) -> list[OutboxEntry]:
        """The changes to send now: oldest first, up to the first one that must still wait.

        Order matters (an add then a delete of one bookmark): a change whose retry time has
        not come holds back the ones queued after it.
        """
        stamp = (now or utcnow()).timestamp()
        batch = []
        for entry in self.pending(service, limit):
            assert entry.next_try is not None
            if entry.next_try.timestamp() > stamp:
                break
            batch.append(entry)
        return batch

    def failed(self, service: str | None = None) -> list[OutboxEntry]:
        where, params = ("AND service = ?", (service,)) if service else ("", ())
        rows = self.store.query(
            f"SELECT {_COLUMNS} FROM outbox WHERE failed = 1 {where} ORDER BY id", params
        )
        return [_entry(row) for row in rows]

    def sent(self, ids: Iterable[int]) -> None:
        """Forget changes the service has taken."""
        with self.store.transaction() as db:
            db.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids])

    def retry(
        self,
        ids: Iterable[int],
        error: str,
        now: dt.datetime | None = None,
        not_before: dt.datetime | None = None,
        rng: random.Random | None = None,
    ) -> None:
        """Count a failed try and set the next one: back-off, or ``not_before`` if later."""
        now = now or utcnow()
        with self.store.transaction() as db:
            for entry_id in ids:
                row = db.execute("SELECT attempts FROM outbox WHERE id = ?", (entry_id,)).fetchone()
                if row is None:
                    continue
                attempts = row[0] + 1
                when = now + dt.timedelta(seconds=backoff(attempts, rng))
                if not_before is not None and not_before > when:
                    when = not_before
                db.execute(
                    "UPDATE outbox SET attempts = ?, next_try = ?, last_error = ? WHERE id = ?",
                    (attempts, when.timestamp(), error[:_MAX_ERROR], entry_id),
                )

    def give_up(self, ids: Iterable[int], error: str) -> None:
        """The service refused these for good; keep them, marked, for the user to see."""
        with self.store.transaction() as db:
            db.executemany(
                "UPDATE outbox SET failed = 1, attempts = attempts + 1, last_error = ?"
                " WHERE id = ?",
                [(error[:_MAX_ERROR], i) for i in ids],
            )

    def requeue_failed(self, service: str, now: dt.datetime | None = None) -> int:
        """Try what was given up again (the user fixed the token, say); returns how many."""
        stamp = (now or utcnow()).timestamp()
        with self.store.transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET failed = 0, next_try = ? WHERE service = ? AND failed = 1",
                (stamp, service),
            )
            return int(cursor.rowcount)

    def due_now(self, service: str, now: dt.datetime | None = None) -> int:
        """Make every waiting change of ``service`` due now (the user asked to send them);
        returns how many."""
        stamp = (now or utcnow()).timestamp()
        with self.store.transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET next_try = ? WHERE service = ? AND failed = 0 AND next_try > ?",
                (stamp, service, stamp),
            )
            return int(cursor.rowcount)

    def key_states(self, service: str) -> dict[str, KeyState]:
        """For every key with a change waiting or failed: its newest change."""
        rows = self.store.query(
            "SELECT key, action, failed, last_error, attempts FROM outbox WHERE service = ?"
            " ORDER BY id",
            (service,),
        )
        return {row[0]: KeyState(row[1], bool(row[2]), row[3], row[4]) for row in rows}

    def waiting(self) -> list[Waiting]:
        """Per service: how many changes wait or failed, and the newest reason."""
        rows = self.store.query(
            "SELECT service, sum(failed = 0), sum(failed = 1),"
            " (SELECT last_error FROM outbox o2 WHERE o2.service = o1.service"
            "  AND o2.last_error != '' ORDER BY attempts > 0 DESC, id DESC LIMIT 1)"
            " FROM outbox o1 GROUP BY service ORDER BY service"
        )
        return [Waiting(row[0], int(row[1] or 0), int(row[2] or 0), row[3] or "") for row in rows]
