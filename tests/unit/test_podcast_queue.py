"""The download queue and episode state, on a real SQLite store, downloading over real
HTTP from a loopback server: retries that resume, pause, resume, cancel, the limit on
downloads at once, new episodes, removal of played files, and the words for each state."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tui.core.config import PodcastSettings, Settings
from tui.core.models import Enclosure, Item, ParsedFeed, ParsedItem, Source, SourceState
from tui.core.podcasts.episodes import (
    Episode,
    clock,
    parse_clock,
    row_words,
    state_words,
)
from tui.core.podcasts.names import is_inside
from tui.core.podcasts.service import Podcasts, QueueError
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from tests.audioserver import AudioServer

pytest_plugins = ["audioserver"]

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
FEED = "https://cast.example/feed"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "folio.db") as made:
        yield made


def make_podcasts(store: Store, tmp_path: Path, **podcast_settings: object) -> Podcasts:
    settings = Settings(podcasts=PodcastSettings(**podcast_settings))  # type: ignore[arg-type]
    podcasts = Podcasts(store, settings, tmp_path / "podcasts", clock=lambda: NOW)
    podcasts.queue.retry_delay = 0.01
    return podcasts


def store_episodes(
    store: Store, urls: list[str], titles: list[str] | None = None, now: dt.datetime = NOW
) -> list[Item]:
    """One feed whose entries link ``urls``; returns the stored items, in feed order."""
    titles = titles or [f"Episode {n}" for n in range(len(urls))]
    items = [
        ParsedItem(
            guid=f"ep-{title}",
            title=title,
            link=f"https://cast.example/{n}",
            published=now - dt.timedelta(days=n),
            enclosures=[Enclosure(url, "audio/mpeg", None)],
            duration="42:10",
        )
        for n, (title, url) in enumerate(zip(titles, urls, strict=True))
    ]
    store.store_feed(SourceState(url=FEED), ParsedFeed(title="Show", items=items), now=now)
    by_guid = {item.guid: item for item in store.items(sources=[FEED])}
    return [by_guid[f"ep-{title}"] for title in titles]


SOURCE = Source(FEED, "The ../../Show", "podcast")


async def test_a_queued_episode_is_downloaded_into_its_feed_folder(
    audio_server: AudioServer, store: Store, tmp_path: Path
) -> None:
    audio = audio_server.audio_bytes(200_000)
    [item] = store_episodes(store, [audio_server.add("/a.mp3", audio)])
    podcasts = make_podcasts(store, tmp_path)
    changes: list[list[int]] = []
    podcasts.on_change = changes.append
    queued = podcasts.download(item, SOURCE)
    assert queued.status == "queued"
    assert podcasts.state_label(item) == "queued"
    await podcasts.queue.run_until_idle()
    episode = podcasts.episode(item.id)
    assert episode is not None and episode.status == "downloaded"
    path = Path(episode.file)
    assert path == tmp_path / "podcasts" / "The … … Show" / "Episode 0.mp3"
    assert path.read_bytes() == audio
    assert not list(path.parent.glob("*.partial"))
    assert episode.bytes == episode.total == len(audio)
    assert [item.id] in changes
    assert podcasts.state_label(item) == "downloaded"
    assert podcasts.row_label(item) == "on disk"
    with pytest.raises(QueueError, match="already downloaded"):
        podcasts.download(item, SOURCE)


async def test_a_cut_connection_is_retried_from_where_it_broke(
    audio_server: AudioServer, store: Store, tmp_path: Path
) -> None:
    audio = audio_server.audio_bytes(400_000)
    url = audio_server.add("/a.mp3", audio, cut_after=150_000, cuts=2)
    [item] = store_episodes(store, [url])
    podcasts = make_podcasts(store, tmp_path)
    podcasts.download(item, SOURCE)
    await podcasts.queue.run_until_idle()
    episode = podcasts.episode(item.id)
    assert episode is not None and episode.status == "downloaded", episode
    assert Path(episode.file).read_bytes() == audio
    ranges = [request.range for request in audio_server.seen("/a.mp3")]
    assert ranges[0] is None and len(ranges) == 3
    assert all(r is not None and r.startswith("bytes=") for r in ranges[1:])


async def test_a_refused_download_fails_with_a_reason_and_can_be_retried(
    audio_server: AudioServer, store: Store, tmp_path: Path
) -> None:
    page = b"<html><body>Please log in</body></html>"
    url = audio_server.add("/a.mp3", page, content_type="text/html")
    [item] = store_episodes(store, [url])
    podcasts = make_podcasts(store, tmp_path)
    podcasts.download(item, SOURCE)
    await podcasts.queue.run_until_idle()
    episode = podcasts.episode(item.id)
    assert episode is not None and episode.status == "failed"
    assert "web page" in episode.error
    assert podcasts.state_label(item).startswith("failed: the server sent a web page")
    assert podcasts.row_label(item) == "failed"
    assert len(audio_server.seen("/a.mp3")) == 1  # not retried: it would not help
    audio = audio_server.audio_bytes(50_000)
    audio_server.add("/a.mp3", audio)
    assert podcasts.queue.retry(item.id)
    await podcasts.queue.run_until_idle()
    episode = podcasts.episode(item.id)
    assert episode is not None and episode.status == "downloaded"
    assert Path(episode.file).read_bytes() == audio


async def test_no_more_than_max_downloads_run_at_once(
    audio_server: AudioServer, store: Store, tmp_path: Path
) -> None:
    audio = audio_server.audio_bytes(120_000)
    urls = [audio_server.add(f"/{n}.mp3", audio, rate=400_000) for n in range(5)]
    items = store_episodes(store, urls)
    podcasts = make_podcasts(store, tmp_path, max_downloads=2)
    most = 0

    def changed(_: list[int]) -> None:
        nonlocal most
        most = max(most, len(podcasts.queue.running))

    podcasts.on_change = changed
    for item in items:
        podcasts.download(item, SOURCE)
    await podcasts.queue.run_until_idle()
    assert most == 2
    states = [podcasts.episode(item.id) for item in items]
    assert all(e is not None and e.status == "downloaded" for e in states)
    names = sorted(Path(e.file).name for e in states if e is not None)
    assert names == [f"Episode {n}.mp3" for n in range(5)]


async def wait_until(condition: object, what: str) -> None:
    for _ in range(500):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_pause_keeps_the_partial_and_resume_continues_it(
    audio_server: AudioServer, store: Store, tmp_path: Path
) -> None:
    audio = audio_server.audio_bytes(600_000)
    url = audio_server.add("/a.mp3", audio, rate=300_000)
    [item] = store_episodes(store, [url])
    podcasts = make_podcasts(store, tmp_path)
    serving = asyncio.ensure_future(podcasts.queue.serve())
    try:
        episode = podcasts.download(item, SOURCE)
        partial = Path(episode.file + ".partial")
        await wait_until(lambda: partial.exists() and partial.stat().st_size > 50_000, "some bytes")
        live = podcasts.episode(item.id)
        assert live is not None and live.status == "downloading"
        assert podcasts.row_label(item).startswith("↓")
        assert podcasts.queue.pause(item.id)
        paused = podcasts.episode(item.id)
        assert paused is not None and paused.status == "paused"
        await wait_until(lambda: not podcasts.queue.running, "the download to stop")
        kept = partial.stat().st_size
        assert kept > 50_000 and partial.read_bytes() == audio[:kept]
        assert podcasts.state_label(item).startswith("paused")
        audio_server.routes["/a.mp3"].rate = None
        assert podcasts.queue.resume(item.id)
        await wait_until(
            lambda: (e := podcasts.episode(item.id)) is not None and e.status == "downloaded",
            "the download to finish",
        )
    finally:
        serving.cancel()
        await podcasts.aclose()
    done = podcasts.episode(item.id)
    assert done is not None and Path(done.file).read_bytes() == audio
    assert audio_server.seen("/a.mp3")[-1].range == f"bytes={kept}-"


async def test_cancel_deletes_the_partial_and_the_episode_is_new_again(
    audio_server: AudioServer, store: Store, tmp_path: Path
) -> None:
    url = audio_server.add("/a.mp3", audio_server.audio_bytes(400_000), rate=200_000)
    [item] = store_episodes(store, [url])
    podcasts = make_podcasts(store, tmp_path)
    serving = asyncio.ensure_future(podcasts.queue.serve())
    try:
        episode = podcasts.download(item, SOURCE)
        partial = Path(episode.file + ".partial")
        await wait_until(lambda: partial.exists() and partial.stat().st_size > 0, "bytes")
        assert podcasts.queue.cancel(item.id)
        await wait_until(lambda: not podcasts.queue.running, "the download to stop")
    finally:
        serving.cancel()
        await podcasts.aclose()
    assert not partial.exists()
    assert podcasts.state_label(item) == "new"
    assert podcasts.listed() == []


async def test_downloads_running_when_folio_stopped_go_back_to_the_queue(
    store: Store, tmp_path: Path
) -> None:
    [item] = store_episodes(store, ["https://cdn.example/a.mp3"])
    podcasts = make_podcasts(store, tmp_path)
    podcasts.episodes.update(item.id, status="downloading", url=item.enclosure_url, file="x")
    assert podcasts.episodes.recover() == 1
    episode = podcasts.episodes.get(item.id)
    assert episode is not None and episode.status == "queued"


async def test_hostile_titles_land_inside_the_folder_and_run_nothing(
    audio_server: AudioServer, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    titles = ["../../x", "; rm -rf ~", "$(touch pwned)", "line\nbreak", "é" * 150, "-rf"]
    audio = audio_server.audio_bytes(20_000)
    urls = [audio_server.add(f"/{n}.mp3", audio) for n in range(len(titles))]
    items = store_episodes(store, urls, titles)
    podcasts = make_podcasts(store, tmp_path)
    for item in items:
        podcasts.download(item, Source(FEED, "$(touch pwned2)/..", "podcast"))
    await podcasts.queue.run_until_idle()
    folder = tmp_path / "podcasts"
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert len(files) == len(titles)
    for path in files:
        assert is_inside(folder, path)
        assert path.parent.parent == folder
        assert len(path.name.encode("utf-8")) <= 200
        assert not path.name.startswith(("-", "."))
        assert "\n" not in path.name
        assert path.read_bytes() == audio
    # Nothing ran: no file called pwned anywhere, no x above the folder.
    assert not [p for p in tmp_path.rglob("*") if p.name in ("pwned", "pwned2")]
    assert not (Path.home() / "pwned").exists()
    assert not (tmp_path / "x").exists() and not (tmp_path.parent / "x").exists()


def test_new_episodes_are_those_that_came_after_the_first_refresh(
    store: Store, tmp_path: Path
) -> None:
    first = store_episodes(store, [f"https://cdn.example/{n}.mp3" for n in range(3)])
    podcasts = make_podcasts(store, tmp_path)
    # Of the back catalogue, only the newest.
    assert podcasts.episodes.new_episode_ids(FEED) == [first[0].id]
    later = NOW + dt.timedelta(hours=2)
    items = [
        ParsedItem(
            guid=f"late-{n}",
            title=f"Late {n}",
            published=later - dt.timedelta(minutes=n),
            enclosures=[Enclosure(f"https://cdn.example/late{n}.mp3", "audio/mpeg")],
        )
        for n in range(2)
    ]
    store.store_feed(SourceState(url=FEED), ParsedFeed(items=items), now=later)
    late = {item.title: item.id for item in store.items(sources=[FEED])}
    assert podcasts.episodes.new_episode_ids(FEED) == [first[0].id, late["Late 1"], late["Late 0"]]
    store.set_flag([late["Late 1"]], "read", True)
    queued = podcasts.queue_new([Source(FEED, "Show", "podcast")])
    assert queued == [first[0].id, late["Late 0"]]
    assert podcasts.episodes.new_episode_ids(FEED) == []
    assert all(e.status == "queued" for e in podcasts.episodes.with_status("queued"))


async def test_played_files_are_removed_after_the_setting(
    audio_server: AudioServer, store: Store, tmp_path: Path
) -> None:
    audio = audio_server.audio_bytes(10_000)
    items = store_episodes(store, [audio_server.add(f"/{n}.mp3", audio) for n in range(3)])
    podcasts = make_podcasts(store, tmp_path, remove_played_after="7d")
    for item in items:
        podcasts.download(item, SOURCE)
    await podcasts.queue.run_until_idle()
    files = [Path(e.file) for e in podcasts.episodes.listed()]
    podcasts.episodes.update(items[0].id, played=True, played_at=NOW - dt.timedelta(days=8))
    podcasts.episodes.update(items[1].id, played=True, played_at=NOW - dt.timedelta(days=2))
    assert podcasts.remove_played() == 1
    assert sorted(p.exists() for p in files) == [False, True, True]
    gone = podcasts.episodes.get(items[0].id)
    assert gone is not None and gone.status == "" and gone.file == "" and gone.played
    assert podcasts.state_label(items[0]) == "played"
    keep = make_podcasts(store, tmp_path, remove_played_after="0")
    keep.episodes.update(items[1].id, played_at=NOW - dt.timedelta(days=300))
    assert keep.remove_played() == 0


def test_what_cannot_be_queued_says_why(store: Store, tmp_path: Path) -> None:
    items = store_episodes(store, ["ftp://cdn.example/a.mp3", "https://cdn.example/b.mp3"])
    podcasts = make_podcasts(store, tmp_path)
    with pytest.raises(QueueError, match="Only http"):
        podcasts.download(items[0], SOURCE)
    podcasts.download(items[1], SOURCE)
    with pytest.raises(QueueError, match="already in the download queue"):
        podcasts.download(items[1], SOURCE)
    blog = Item(0, FEED, "", "t", "", "", "", "", NOW, True, NOW)
    with pytest.raises(QueueError, match="no episode"):
        podcasts.download(blog, SOURCE)


def test_the_words_for_each_state() -> None:
    item = Item(
        1, FEED, "", "t", "", "", "", "", NOW, True, NOW, enclosure_url="x", duration="45:00"
    )
    assert state_words(None, item) == "new" and row_words(None, item) == ""
    episode = Episode(1, status="queued")
    assert state_words(episode, item) == "queued" and row_words(episode, item) == "queued"
    episode = Episode(1, status="downloading", bytes=42, total=100)
    assert state_words(episode, item) == "downloading 42%" and row_words(episode, item) == "↓42%"
    episode = Episode(1, status="downloaded", position=723)
    assert state_words(episode, item) == "in progress 12:03 of 45:00 · downloaded"
    assert row_words(episode, item) == "12:03/45:00"
    episode = Episode(1, status="downloaded", played=True)
    assert state_words(episode, item) == "played · downloaded"
    assert row_words(episode, item) == "played"
    assert parse_clock("1:02:03") == 3723 and parse_clock("2530") == 2530
    assert parse_clock("soon") is None
    assert clock(3723) == "1:02:03" and clock(59.9) == "0:59"


async def test_the_demo_downloads_its_episodes_without_a_network(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from tui.core.demo.offline import DemoTransport, demo_tone

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the demo opened a socket")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    [item] = store_episodes(store, ["https://media.alexmoreau.example/hallway-hr/ep-023.mp3"])
    settings = Settings()
    podcasts = Podcasts(store, settings, tmp_path / "podcasts", transport=DemoTransport())
    episode = podcasts.download(item, SOURCE)
    partial = Path(episode.file + ".partial")
    partial.parent.mkdir(parents=True)
    partial.write_bytes(demo_tone()[:1000])  # and it resumes
    await podcasts.queue.run_until_idle()
    done = podcasts.episode(item.id)
    assert done is not None
    assert done.status == "downloaded", done.error
    assert Path(done.file).read_bytes() == demo_tone()
    assert demo_tone()[:4] == b"RIFF"


def test_an_episode_goes_with_its_item(store: Store, tmp_path: Path) -> None:
    [item] = store_episodes(store, ["https://cdn.example/a.mp3"])
    podcasts = make_podcasts(store, tmp_path)
    podcasts.episodes.update(item.id, position=12.0)
    assert podcasts.episodes.get(item.id) is not None
    store.remove_source(FEED)
    assert podcasts.episodes.get(item.id) is None
    assert store.query("SELECT count(*) FROM episodes") == [(0,)]
