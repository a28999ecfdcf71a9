"""The sync server's side of the outbox: waiting changes sent in batches, in order.

A batch is cut into runs: consecutive changes to entries' states form one run, and any
other change (mark a feed read, follow, unfollow) is a run of its own, so a "mark feed
read" is never sent before or after the entry changes queued around it. Within a run,
only the last change to each entry's flag is sent (a read then an unread is an unread),
grouped by action into as few requests as the server allows. Every change is a state, not
a toggle, so a batch sent twice (an answer lost on the way back) leaves the server as the
user left it.

A failure the server may get over (down, busy, a refused or expired token) answers RETRY
for the change that met it and everything after; one it refuses for good (a feed it
cannot follow) answers FAILED for that change alone, which is kept and shown.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.core.outbox.sender import FAILED, RETRY, SENT, Outcome
from tui.core.sync.common import (
    ACTIONS,
    MARK_FEED_READ,
    POSITION,
    SERVICE,
    SUBSCRIBE,
    UNSUBSCRIBE,
    RemoteFeed,
    SyncClient,
    SyncError,
)

if TYPE_CHECKING:
    from tui.core.outbox.queue import OutboxEntry
    from tui.core.storage.store import Store

__all__ = ["SyncSender"]


class SyncSender:
    service = SERVICE
    batch_size = 1000

    def __init__(self, client: SyncClient | None, problem: str = "", store: Store | None = None):
        self.client = client
        self.problem = problem
        """Why there is no client (no token): every change waits, with this reason."""
        self.store = store
        """Where a feed just followed is recorded as the source's (None: at the next sync)."""
        self.sent: Counter[str] = Counter()
        """Changes the server took, by action, for ``folio sync``'s report."""

    async def send(self, entries: Sequence[OutboxEntry]) -> list[Outcome]:
        if self.client is None:
            return [Outcome(entry.id, RETRY, self.problem) for entry in entries]
        outcomes: list[Outcome] = []
        for run in _runs(entries):
            if run[0].action in ACTIONS:
                stop = await self._states(self.client, run, outcomes)
            else:
                stop = await self._other(self.client, run[0], outcomes)
            if stop:
                break  # what is left counts as RETRY, behind the change that must wait
        return outcomes

    async def _states(
        self, client: SyncClient, run: Sequence[OutboxEntry], outcomes: list[Outcome]
    ) -> bool:
        # The last change to each (entry, flag) stands for the ones before it.
        last: dict[tuple[str, str], OutboxEntry] = {}
        for entry in run:
            last[(str(entry.payload.get("entry", "")), ACTIONS[entry.action][0])] = entry
        winners = {entry.id for entry in last.values()}
        covered: dict[int, list[int]] = {}
        for entry in run:
            if entry.id not in winners:
                winner = last[(str(entry.payload.get("entry", "")), ACTIONS[entry.action][0])]
                covered.setdefault(winner.id, []).append(entry.id)
        groups: dict[str, list[OutboxEntry]] = {}
        for entry in run:
            if entry.id in winners:
                groups.setdefault(entry.action, []).append(entry)
        for action, group in groups.items():
            ids = [str(entry.payload.get("entry", "")) for entry in group]
            try:
                await client.mark(ids, action)
            except SyncError as exc:
                result = FAILED if exc.refused else RETRY
                for entry in group:
                    for entry_id in (entry.id, *covered.get(entry.id, ())):
                        outcomes.append(Outcome(entry_id, result, exc.message, exc.retry_after))
                if result == RETRY:
                    return True
                continue
            for entry in group:
                for entry_id in (entry.id, *covered.get(entry.id, ())):
                    outcomes.append(Outcome(entry_id, SENT))
            self.sent[action] += len(group)
        return False

    async def _other(self, client: SyncClient, entry: OutboxEntry, outcomes: list[Outcome]) -> bool:
        payload = entry.payload
        try:
            if entry.action == MARK_FEED_READ:
                await client.mark_feed_read(
                    str(payload.get("feed", "")),
                    str(payload.get("newest_entry", "")),
                    int(payload.get("before") or 0),
                )
            elif entry.action == SUBSCRIBE:
                url = str(payload.get("url", ""))
                feed = await client.subscribe(url, str(payload.get("title", "")))
                if feed is not None and self.store is not None:
                    await asyncio.to_thread(_remember, self.store, feed, url)
            elif entry.action == UNSUBSCRIBE:
                await client.unsubscribe(str(payload.get("feed", "")))
            elif entry.action == POSITION:
                await client.set_position(
                    str(payload.get("enclosure", "")), int(payload.get("seconds") or 0)
                )
            else:
                outcomes.append(Outcome(entry.id, FAILED, f"unknown change {entry.action!r}"))
                return False
        except SyncError as exc:
            if exc.refused:
                outcomes.append(Outcome(entry.id, FAILED, exc.message))
                return False
            outcomes.append(Outcome(entry.id, RETRY, exc.message, exc.retry_after))
            return True
        outcomes.append(Outcome(entry.id, SENT))
        self.sent[entry.action] += 1
        return False


def _remember(store: Store, feed: RemoteFeed, url: str) -> None:
    from tui.core.sync.local import map_feed

    with store.transaction() as db:
        map_feed(db, feed, url)


def _runs(entries: Sequence[OutboxEntry]) -> list[list[OutboxEntry]]:
    runs: list[list[OutboxEntry]] = []
    for entry in entries:
        if entry.action in ACTIONS and runs and runs[-1][0].action in ACTIONS:
            runs[-1].append(entry)
        else:
            runs.append([entry])
    return runs
