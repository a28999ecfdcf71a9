"""The download queue: episodes wait in the store, at most ``max_downloads`` run at once.

The queue lives in the store (``episodes.status``), not in memory, so it survives a
restart or a ``kill -9``: a download that was running goes back to the queue and its
``.partial`` resumes. The app runs :meth:`DownloadQueue.serve` in a worker for as long as
it is open; ``folio download`` runs :meth:`DownloadQueue.run_until_idle`. Both are
coroutines on one event loop; every other method is called from that loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sqlite3
import time
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.config import Settings
from tui.core.models import Item, Source, utcnow
from tui.core.podcasts.episodes import Episode, EpisodeStore
from tui.core.podcasts.names import (
    UnsafePath,
    feed_folder_name,
    is_inside,
    partial_path,
    unique_path,
)
from tui.core.storage.store import Store, StoreError

if TYPE_CHECKING:
    import httpx

RETRIES = 3
"""Tries after the first for a download that failed in a way that may pass (a cut
connection, a stalled or busy server)."""
RETRY_DELAY = 2.0
"""Seconds before the first retry; doubled for each one after."""
PROGRESS_INTERVAL = 0.5
"""Seconds between two progress reports of one download (each redraws its rows)."""
SAVE_INTERVAL = 5.0
"""Seconds between two writes of a running download's byte count to the store."""
SPEED_WINDOW = 3.0
"""Seconds of recent progress the speed is measured over."""


class QueueError(Exception):
    """An episode cannot be queued; ``str()`` says why, for the user."""


@dataclass
class _Live:
    """What a running download knows that the store does not (yet)."""

    bytes: int = 0
    total: int | None = None
    samples: list[tuple[float, int]] = field(default_factory=list)
    reported: float = 0.0
    saved: float = 0.0
    note: str = ""
    """Said while waiting to retry, e.g. "retrying in 4 s: the connection broke"."""

    @property
    def speed(self) -> float:
        if len(self.samples) < 2:
            return 0.0
        (t0, b0), (t1, b1) = self.samples[0], self.samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0


ChangeCallback = Callable[[int], None]
"""Told the id of an episode whose state changed (a status, or progress)."""


class DownloadQueue:
    def __init__(
        self,
        episodes: EpisodeStore,
        store: Store,
        settings: Settings,
        folder: Path,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_change: ChangeCallback | None = None,
        stall_timeout: float = 60.0,
        retries: int = RETRIES,
        retry_delay: float = RETRY_DELAY,
    ) -> None:
        self.episodes = episodes
        self.store = store
        self.settings = settings
        self.folder = folder
        self.transport = transport
        self.on_change = on_change
        self.on_wake: Callable[[], None] | None = None
        """Called when there is work and no loop runs (see ``wake``)."""
        self.stall_timeout = stall_timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self.live: dict[int, _Live] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None
        self._wake: asyncio.Event | None = None
        self.failed: list[tuple[int, str]] = []
        """(episode, why) for each download that failed since the queue started."""
        self.finished: list[int] = []

    # -- what the user asks for ---------------------------------------------------------

    def enqueue(self, item: Item, source: Source | None = None) -> Episode:
        """Put ``item``'s episode in the queue; returns its state. QueueError when it
        has no audio to download, or is downloaded or queued already."""
        url = item.enclosure_url
        if not url:
            raise QueueError("This item has no episode to download.")
        if url.split(":", 1)[0].lower() not in ("http", "https"):
            raise QueueError("Only http:// and https:// episodes can be downloaded.")
        episode = self.episodes.get(item.id)
        if episode is not None and episode.status in ("queued", "downloading"):
            raise QueueError("This episode is already in the download queue.")
        if episode is not None and episode.downloaded and Path(episode.file).exists():
            raise QueueError(f"This episode is already downloaded: {episode.file}")
        if episode is not None and episode.status in ("paused", "failed") and episode.file:
            # Back in the queue, to the same file: its .partial resumes.
            self.episodes.update(item.id, status="queued", error="", queued_at=utcnow())
        else:
            title = source.title if source is not None else ""
            feed = feed_folder_name(title, item.source)
            try:
                path = unique_path(
                    self.folder,
                    feed,
                    item.title,
                    url,
                    item.enclosure_type,
                    taken=self.episodes.files_in_use(),
                )
            except UnsafePath as exc:
                raise QueueError(str(exc)) from None
            self.episodes.update(
                item.id,
                status="queued",
                url=url,
                file=str(path),
                bytes=0,
                total=item.enclosure_length,
                error="",
                queued_at=utcnow(),
            )
        self._changed(item.id)
        self.wake()
        result = self.episodes.get(item.id)
        assert result is not None
        return result

    def pause(self, item_id: int) -> bool:
        """Stop a queued or running download, keeping what it has; True if it was one."""
        episode = self.episodes.get(item_id)
        if episode is None or episode.status not in ("queued", "downloading"):
            return False
        self.episodes.update(item_id, status="paused", bytes=self._partial_size(episode))
        self._stop_task(item_id)
        self._changed(item_id)
        self.wake()
        return True

    def resume(self, item_id: int) -> bool:
        """A paused or failed download back in the queue; True if it was one."""
        episode = self.episodes.get(item_id)
        if episode is None or episode.status not in ("paused", "failed"):
            return False
        self.episodes.update(item_id, status="queued", error="", queued_at=utcnow())
        self._changed(item_id)
        self.wake()
        return True

    retry = resume

    def cancel(self, item_id: int) -> bool:
        """Take an episode out of the queue and delete its ``.partial``; True if it was
        in the queue. The episode is new again (its listening state stays)."""
        episode = self.episodes.get(item_id)
        if episode is None or not episode.active:
            return False
        self._stop_task(item_id)
        self._remove(partial_path(Path(episode.file)))
        self.episodes.update(item_id, status="", file="", bytes=0, error="")
        self._changed(item_id)
        self.wake()
        return True

    def delete_file(self, item_id: int) -> bool:
        """Delete a downloaded episode's file; True if there was one."""
        episode = self.episodes.get(item_id)
        if episode is None or not episode.downloaded:
            return False
        self._remove(Path(episode.file))
        self.episodes.update(item_id, status="", file="", bytes=0)
        self._changed(item_id)
        return True

    def _remove(self, path: Path) -> None:
        # Only ever a file folio made, inside its folder.
        if is_inside(self.folder, path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _partial_size(self, episode: Episode) -> int:
        try:
            return partial_path(Path(episode.file)).stat().st_size
        except OSError:
            return 0

    def _stop_task(self, item_id: int) -> None:
        task = self._tasks.pop(item_id, None)
        if task is not None:
            task.cancel()
        self.live.pop(item_id, None)

    # -- running ------------------------------------------------------------------------

    @property
    def running(self) -> list[int]:
        return list(self._tasks)

    def wake(self) -> None:
        """Something was queued or resumed: the running loop looks again, or, when none
        runs, ``on_wake`` is told so that one is started (the app starts a worker)."""
        if self._wake is not None:
            self._wake.set()
        elif self.on_wake is not None:
            self.on_wake()

    async def run_until_idle(self, only: Container[int] | None = None) -> None:
        """Run downloads until the queue is empty (``folio download``, and the app's
        worker, which ends when there is nothing to do); with ``only``, just those."""
        self._wake = asyncio.Event()
        try:
            while True:
                self._fill(only)
                if not self._tasks:
                    return
                waiter = asyncio.ensure_future(self._wake.wait())
                try:
                    await asyncio.wait(
                        [*self._tasks.values(), waiter], return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    waiter.cancel()
                self._wake.clear()
        finally:
            self._wake = None

    async def serve(self) -> None:
        """For ever: run downloads whenever there are some (for a program without a
        worker of its own to start on ``on_wake``)."""
        woken = asyncio.Event()
        previous, self.on_wake = self.on_wake, woken.set
        try:
            while True:
                await self.run_until_idle()
                await woken.wait()
                woken.clear()
        finally:
            self.on_wake = previous

    async def aclose(self) -> None:
        """Stop every download (they stay queued and resume next time) and the client."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        # They go back to the queue now, or else at the next start if the store cannot
        # take it now (a full disk, a damaged file: already said).
        with contextlib.suppress(StoreError):
            self.episodes.recover()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _fill(self, only: Container[int] | None = None) -> None:
        limit = max(1, self.settings.podcasts.max_downloads)
        if len(self._tasks) >= limit:
            return
        for episode in self.episodes.with_status("queued"):
            if len(self._tasks) >= limit:
                break
            if episode.item_id in self._tasks or (only is not None and episode.item_id not in only):
                continue
            task = asyncio.get_running_loop().create_task(self._run(episode))
            self._tasks[episode.item_id] = task
            task.add_done_callback(functools.partial(self._done, episode.item_id))

    def _done(self, item_id: int, task: asyncio.Task[None]) -> None:
        # A paused download's task may end after the episode was resumed in a new one.
        if self._tasks.get(item_id) is task:
            del self._tasks[item_id]
            self.live.pop(item_id, None)
        if not task.cancelled() and task.exception() is not None:
            # Not a failed download (those are caught) but, say, its item deleted with its
            # source meanwhile: say so where there is still a row to say it in, and go on.
            with contextlib.suppress(sqlite3.Error, StoreError):
                self._fail(item_id, f"the download stopped: {task.exception()}")
        self.wake()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # httpx and aiohttp load with the first download, not with the app: rows that
            # show an episode's state need this module, not them.
            import httpx

            from tui.core.net.fetch import USER_AGENT, make_transport

            refresh = self.settings.refresh
            self._client = httpx.AsyncClient(
                transport=self.transport or make_transport(self.settings),
                # Redirects are followed (and capped) by fetch_to_file: see _follow there.
                timeout=httpx.Timeout(
                    connect=refresh.connect_timeout,
                    read=self.stall_timeout,
                    write=self.stall_timeout,
                    pool=None,
                ),
                headers={"User-Agent": USER_AGENT},
            )
        return self._client

    async def _run(self, episode: Episode) -> None:
        from tui.core.podcasts.download import DownloadError, fetch_to_file

        item_id = episode.item_id
        final = Path(episode.file)
        partial = partial_path(final)
        if not is_inside(self.folder, final):
            self._fail(item_id, f"{final} is not inside the download folder {self.folder}")
            return
        live = self.live[item_id] = _Live(bytes=self._partial_size(episode), total=episode.total)
        self.episodes.update(item_id, status="downloading", error="")
        self._changed(item_id)

        def progress(done: int, total: int | None) -> None:
            live.bytes, live.total = done, total
            now = time.monotonic()
            live.samples.append((now, done))
            while live.samples and now - live.samples[0][0] > SPEED_WINDOW:
                live.samples.pop(0)
            if now - live.saved >= SAVE_INTERVAL:
                live.saved = now
                self.episodes.update(item_id, bytes=done, total=total)
            if now - live.reported >= PROGRESS_INTERVAL:
                live.reported = now
                self._changed(item_id)

        attempt = 0
        while True:
            try:
                size = await fetch_to_file(
                    self._http(),
                    episode.url,
                    partial,
                    on_progress=progress,
                    stall_timeout=self.stall_timeout,
                    answer_timeout=self.settings.refresh.connect_timeout + self.stall_timeout,
                )
                break
            except DownloadError as exc:
                if not exc.transient or attempt >= self.retries:
                    self._fail(item_id, str(exc), bytes=self._partial_size(episode))
                    return
                delay = self.retry_delay * 2**attempt
                attempt += 1
                live.note = f"retrying in {delay:.0f} s: {exc}"
                live.samples.clear()
                self._changed(item_id)
                await asyncio.sleep(delay)
                live.note = ""
        try:
            final = self._free_final(final)
            os.replace(partial, final)
        except OSError as exc:
            self._fail(item_id, f"cannot move the finished file into place: {exc}")
            return
        self.episodes.update(
            item_id,
            status="downloaded",
            file=str(final),
            bytes=size,
            total=size,
            error="",
            downloaded_at=utcnow(),
        )
        self.finished.append(item_id)
        self._changed(item_id)

    def _free_final(self, final: Path) -> Path:
        """``final``, or the next free numbered name if a file appeared there meanwhile."""
        if not final.exists():
            return final
        stem, suffix = final.stem, final.suffix
        for number in range(2, 10_000):
            candidate = final.with_name(f"{stem} ({number}){suffix}")
            if not candidate.exists():
                return candidate
        raise OSError(f"no free name beside {final}")

    def _fail(self, item_id: int, why: str, **values: object) -> None:
        self.episodes.update(item_id, status="failed", error=why, **values)
        self.failed.append((item_id, why))
        self._changed(item_id)

    def _changed(self, item_id: int) -> None:
        if self.on_change is not None:
            self.on_change(item_id)

    def state(self, episode: Episode) -> Episode:
        """``episode`` with a running download's live bytes, total and speed."""
        live = self.live.get(episode.item_id)
        if live is not None and episode.status == "downloading":
            episode.bytes = live.bytes
            episode.total = live.total if live.total is not None else episode.total
            episode.speed = live.speed
            if live.note:
                episode.error = live.note
        return episode
