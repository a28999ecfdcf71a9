"""``Podcasts``: what the session, the screens and ``folio download`` ask of the podcast
engine. It ties the episode table, the download queue and the player together, keeps a
small cache of episode states for the rows on screen, and reports every change."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.config import Settings
from tui.core.ingest.text import clean_line
from tui.core.models import Item, Source, utcnow
from tui.core.podcasts.episodes import (
    PLAYED_MARGIN,
    Episode,
    EpisodeStore,
    clock,
    row_words,
    state_words,
)
from tui.core.podcasts.player import Playback, PlayerError, play_target
from tui.core.podcasts.queue import DownloadQueue, QueueError
from tui.core.storage.store import Store, StoreError

if TYPE_CHECKING:
    import httpx

__all__ = ["PlayerError", "Podcasts", "QueueError", "podcast_folder"]


def podcast_folder(settings: Settings, data_folder: Path) -> Path:
    """``[podcasts] folder`` when set, else ``podcasts`` beside the store."""
    if settings.podcasts.folder.strip():
        return Path(settings.podcasts.folder.strip()).expanduser()
    return data_folder / "podcasts"


class Podcasts:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        folder: Path,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_change: Callable[[list[int]], None] | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        stall_timeout: float = 60.0,
        on_stopped: Callable[[int, float], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.folder = folder
        self.episodes = EpisodeStore(store)
        self.queue = DownloadQueue(
            self.episodes,
            store,
            settings,
            folder,
            transport=transport,
            on_change=self._changed,
            stall_timeout=stall_timeout,
        )
        self.on_change = on_change
        self.on_stopped = on_stopped
        """Told an episode's last position when its playback ends (0 when played through)."""
        self.clock = clock
        self.playback: Playback | None = None
        self.playing_title = ""
        self._cache: dict[int, Episode | None] = {}

    # -- state ----------------------------------------------------------------------------

    def _changed(self, item_id: int) -> None:
        self._cache.pop(item_id, None)
        if self.on_change is not None:
            self.on_change([item_id])

    def forget(self) -> None:
        """Drop cached states (another process, ``folio download``, may have changed them)."""
        self._cache.clear()

    def episode(self, item_id: int) -> Episode | None:
        """The episode's state now: as stored, with a running download's progress and the
        playing position laid over it. None for a new episode."""
        if item_id not in self._cache:
            self._cache[item_id] = self.episodes.get(item_id)
        stored = self._cache[item_id]
        if stored is None:
            return None
        episode = self.queue.state(dataclasses.replace(stored))
        playback = self.playback
        if playback is not None and playback.item_id == item_id and playback.running:
            episode.position = playback.position
            episode.duration = playback.duration or episode.duration
            episode.played = False
        return episode

    def row_label(self, item: Item) -> str:
        """A few cells for ``item``'s row in a list: empty unless it is an episode with a
        state (a new episode is marked by the row's unread dot)."""
        if not item.enclosure_url:
            return ""
        return row_words(self.episode(item.id), item)

    def state_label(self, item: Item) -> str:
        """``item``'s episode state in words (the reader): ``new``, ``queued``, …"""
        if not item.enclosure_url:
            return ""
        return state_words(self.episode(item.id), item)

    def listed(self) -> list[tuple[Episode, Item]]:
        """The Downloads view's rows: running first, then queued, paused, failed, then
        downloaded episodes, newest download first."""
        order = {"downloading": 0, "queued": 1, "paused": 2, "failed": 3, "downloaded": 4}
        episodes = [self.queue.state(episode) for episode in self.episodes.listed()]
        items = {item.id: item for item in self.store.items_by_id(e.item_id for e in episodes)}
        rows = [
            (episode, items[episode.item_id]) for episode in episodes if episode.item_id in items
        ]
        for episode, _ in rows:
            self._cache[episode.item_id] = dataclasses.replace(episode, speed=0.0)

        def order_key(row: tuple[Episode, Item]) -> tuple[int, float]:
            episode = row[0]
            if episode.status == "downloaded":
                stamp = episode.downloaded_at
                return order["downloaded"], -(stamp.timestamp() if stamp else 0.0)
            stamp = episode.queued_at
            return order.get(episode.status, 5), stamp.timestamp() if stamp else 0.0

        return sorted(rows, key=order_key)

    # -- downloads ------------------------------------------------------------------------

    def download(self, item: Item, source: Source | None) -> Episode:
        """Queue ``item``'s episode; QueueError says why not."""
        return self.queue.enqueue(item, source)

    def queue_new(self, sources: Iterable[Source]) -> list[int]:
        """Queue the new episodes of ``sources`` (see ``EpisodeStore.new_episode_ids``);
        returns the ids queued."""
        queued = []
        for source in sources:
            for item_id in self.episodes.new_episode_ids(source.url):
                item = self.store.item(item_id)
                if item is None:
                    continue
                try:
                    self.queue.enqueue(item, source)
                except QueueError:
                    continue
                queued.append(item_id)
        return queued

    def remove_played(self, now: dt.datetime | None = None) -> int:
        """Delete the files of episodes played longer ago than ``remove_played_after``."""
        seconds = self.settings.podcasts.remove_played_seconds
        if seconds is None:
            return 0
        moment = (now or self.clock()) - dt.timedelta(seconds=seconds)
        return sum(
            self.queue.delete_file(episode.item_id)
            for episode in self.episodes.played_files_before(moment)
        )

    def set_played(self, item_id: int, played: bool) -> None:
        if played:
            self.episodes.update(item_id, played=True, position=0.0, played_at=self.clock())
        else:
            self.episodes.update(item_id, played=False, played_at=None)
        self._changed(item_id)

    # -- playing --------------------------------------------------------------------------

    def prepare_play(self, item: Item) -> Playback:
        """A Playback for ``item``'s episode, from where the user stopped; PlayerError when
        there is nothing to play. ``start()`` and ``watch()`` it on the event loop."""
        episode = self.episodes.get(item.id)
        file = episode.file if episode is not None and episode.downloaded else ""
        target = play_target(file, item.enclosure_url)
        start = episode.position if episode is not None and not episode.played else 0.0
        playback = Playback(
            item.id, self.settings.podcasts.player, target, start, on_update=self._heard
        )
        self.playing_title = clean_line(item.title) or "(untitled)"
        if episode is not None and episode.played:
            self.episodes.update(item.id, played=False, played_at=None)
        return playback

    async def play(self, item: Item) -> Playback:
        """Stop what plays, then start ``item``'s episode; returns it (``watch()`` it)."""
        await self.stop()
        playback = self.prepare_play(item)
        await playback.start()
        self.playback = playback
        self._changed(item.id)
        return playback

    async def stop(self) -> None:
        playback = self.playback
        if playback is not None:
            await playback.stop()

    def _heard(self, playback: Playback) -> None:
        """The player's latest position: saved at once, so a crash loses a second."""
        try:
            self._save_heard(playback)
        except StoreError:
            # Not saved this second (a full disk, say): the next one tries again, and the
            # store has told its listeners what is wrong.
            pass
        finally:
            if not playback.running and self.playback is playback:
                self.playback = None
        self._changed(playback.item_id)

    def _save_heard(self, playback: Playback) -> None:
        if not playback.mpv:
            return  # nothing learnt: other players say nothing of where they are
        item_id = playback.item_id
        duration = playback.duration
        if playback.running:
            self.episodes.update(item_id, position=playback.position, duration=duration)
            return
        finished = playback.reached_end or (
            duration is not None and playback.position >= duration - PLAYED_MARGIN
        )
        if finished:
            self.episodes.update(
                item_id, played=True, position=0.0, duration=duration, played_at=self.clock()
            )
        else:
            self.episodes.update(item_id, position=playback.position, duration=duration)
        if self.on_stopped is not None:
            self.on_stopped(item_id, 0.0 if finished else playback.position)

    def now_playing(self) -> str:
        """``▶ Title 12:03 / 45:00`` (``‖`` when paused), or empty."""
        playback = self.playback
        if playback is None or not playback.running:
            return ""
        mark = "‖" if playback.paused else "▶"
        where = ""
        if playback.mpv:
            where = " " + clock(playback.position)
            if playback.duration:
                where += f" / {clock(playback.duration)}"
        return f"{mark} {self.playing_title}{where}"

    async def aclose(self) -> None:
        """Stop the player (saving the position) and the downloads (they stay queued)."""
        await self.stop()
        await self.queue.aclose()
