"""Playing episodes: the player's argv (never a shell), and a real headless mpv (Debian's
``mpv``, ``--ao=null``) playing a WAV file the test writes, whose position, read through
mpv's JSON IPC, is saved and used as ``--start`` the next time.

Without mpv the tests that need it are skipped, saying so."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import shutil
import struct
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.core.config import PodcastSettings, Settings
from tui.core.models import Enclosure, Item, ParsedFeed, ParsedItem, SourceState
from tui.core.podcasts.player import Playback, PlayerError, play_target, player_argv
from tui.core.podcasts.service import Podcasts
from tui.core.storage.store import Store

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
FEED = "https://cast.example/feed"
MPV = shutil.which("mpv")
needs_mpv = pytest.mark.skipif(
    MPV is None, reason="mpv is not installed (apt-get install mpv): the real-player tests skip"
)
HEADLESS = ["mpv", "--no-config", "--no-video", "--ao=null"]


def write_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A mono 16-bit sine tone of ``seconds``."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "folio.db") as made:
        yield made


def downloaded_episode(store: Store, podcasts: Podcasts, file: Path) -> Item:
    """An item whose episode is downloaded to ``file``."""
    feed = ParsedFeed(
        items=[
            ParsedItem(
                guid="ep",
                title="Episode",
                published=NOW,
                enclosures=[Enclosure("https://cdn.example/ep.wav", "audio/wav")],
            )
        ]
    )
    store.store_feed(SourceState(url=FEED), feed, now=NOW)
    [item] = store.items(sources=[FEED])
    podcasts.episodes.update(item.id, status="downloaded", file=str(file), url=item.enclosure_url)
    return item


def make_podcasts(store: Store, tmp_path: Path, player: list[str]) -> Podcasts:
    settings = Settings(podcasts=PodcastSettings(player=player))
    return Podcasts(store, settings, tmp_path / "podcasts", clock=lambda: NOW)


async def wait_for(condition: object, what: str, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# -- the command line ------------------------------------------------------------------------


def test_the_argv_ends_with_a_double_dash_and_the_target(tmp_path: Path) -> None:
    socket = tmp_path / "mpv.sock"
    argv = player_argv(["mpv", "--no-video"], "-rf $(touch x).mp3", 754.25, socket)
    assert argv == [
        "mpv",
        "--no-video",
        "--no-terminal",
        f"--input-ipc-server={socket}",
        "--start=754.2",
        "--",
        "-rf $(touch x).mp3",
    ]
    assert player_argv(["/usr/bin/vlc"], "f", 30)[-3:] == ["--start-time=30", "--", "f"]
    assert player_argv(["mplayer"], "f", 12)[-4:] == ["-ss", "12.0", "--", "f"]
    assert player_argv(["someplayer", "-q"], "f", 99) == ["someplayer", "-q", "--", "f"]
    assert player_argv(["mpv"], "f")[-2:] == ["--", "f"]  # no --start at zero
    with pytest.raises(PlayerError, match="No player"):
        player_argv([], "f")


def test_the_target_is_the_file_else_an_http_url(tmp_path: Path) -> None:
    file = tmp_path / "ep.mp3"
    file.write_bytes(b"x")
    assert play_target(str(file), "https://cdn.example/ep.mp3") == str(file)
    assert play_target(str(tmp_path / "gone.mp3"), "https://cdn.example/ep.mp3").startswith("https")
    assert play_target("", "http://cdn.example/ep.mp3") == "http://cdn.example/ep.mp3"
    for url in ("file:///etc/passwd", "javascript:alert(1)", "ftp://x/y"):
        with pytest.raises(PlayerError, match="Only http"):
            play_target("", url)
    with pytest.raises(PlayerError, match="no episode"):
        play_target("", "")


async def test_a_missing_player_is_said_in_words(store: Store, tmp_path: Path) -> None:
    podcasts = make_podcasts(store, tmp_path, ["no-such-player-here", "--flag"])
    item = downloaded_episode(store, podcasts, write_wav(tmp_path / "ep.wav", 1))
    with pytest.raises(PlayerError, match="'no-such-player-here' is not installed"):
        await podcasts.play(item)


# -- a real mpv ----------------------------------------------------------------------------------


@needs_mpv
async def test_mpv_plays_and_the_position_is_saved_and_resumed(
    store: Store, tmp_path: Path
) -> None:
    podcasts = make_podcasts(store, tmp_path, HEADLESS)
    item = downloaded_episode(store, podcasts, write_wav(tmp_path / "ep.wav", 30))
    playback = await podcasts.play(item)
    watching = asyncio.ensure_future(playback.watch())
    await wait_for(lambda: playback.position >= 1.5, "mpv to play 1.5 s")
    assert playback.duration == pytest.approx(30, abs=0.1)
    assert podcasts.now_playing().startswith("▶ Episode 0:0")
    await podcasts.stop()
    assert await asyncio.wait_for(watching, 10) == 0
    episode = podcasts.episodes.get(item.id)
    assert episode is not None
    saved = episode.position
    assert 1.5 <= saved < 10
    assert episode.duration == pytest.approx(30, abs=0.1)
    assert not episode.played
    assert podcasts.state_label(item).startswith("in progress 0:0")
    assert podcasts.state_label(item).endswith(" of 0:30 · downloaded")
    assert podcasts.playback is None
    assert playback.socket is not None and not playback.socket.exists()

    again = await podcasts.play(item)
    assert f"--start={saved:.1f}" in again.argv
    watching = asyncio.ensure_future(again.watch())
    await wait_for(lambda: again.duration is not None, "mpv to answer")
    assert again.position >= saved - 0.2  # mpv itself started there
    await podcasts.stop()
    await asyncio.wait_for(watching, 10)


@needs_mpv
async def test_an_episode_played_to_the_end_is_played(store: Store, tmp_path: Path) -> None:
    podcasts = make_podcasts(store, tmp_path, HEADLESS)
    item = downloaded_episode(store, podcasts, write_wav(tmp_path / "short.wav", 1.5))
    playback = await podcasts.play(item)
    assert await asyncio.wait_for(playback.watch(), 20) == 0
    episode = podcasts.episodes.get(item.id)
    assert episode is not None and episode.played and episode.position == 0
    assert episode.played_at == NOW
    assert podcasts.state_label(item) == "played · downloaded"
    # Played again, it starts from the beginning.
    replay = podcasts.prepare_play(item)
    assert not any(arg.startswith("--start") for arg in replay.argv)


@needs_mpv
async def test_pause_and_seek_through_ipc(store: Store, tmp_path: Path) -> None:
    podcasts = make_podcasts(store, tmp_path, HEADLESS)
    item = downloaded_episode(store, podcasts, write_wav(tmp_path / "ep.wav", 60))
    playback = await podcasts.play(item)
    watching = asyncio.ensure_future(playback.watch())
    try:
        await wait_for(lambda: playback.position > 0.3, "mpv to start")
        assert await playback.toggle_pause() is True
        assert podcasts.now_playing().startswith("‖ Episode")
        held = playback.position
        await asyncio.sleep(1.2)
        await playback.seek(0)  # a poll, without moving
        assert playback.position == pytest.approx(held, abs=0.3)
        await playback.seek(20)
        assert playback.position >= held + 19
        assert await playback.toggle_pause() is False
    finally:
        await podcasts.stop()
        await asyncio.wait_for(watching, 10)
    episode = podcasts.episodes.get(item.id)
    assert episode is not None and episode.position >= held + 19


@needs_mpv
async def test_a_hostile_file_name_is_played_as_a_file(store: Store, tmp_path: Path) -> None:
    podcasts = make_podcasts(store, tmp_path, HEADLESS)
    hostile = write_wav(tmp_path / "podcasts" / "--help $(touch pwned) ; rm x.wav", 20)
    item = downloaded_episode(store, podcasts, hostile)
    playback = await podcasts.play(item)
    watching = asyncio.ensure_future(playback.watch())
    await wait_for(lambda: playback.position > 0.5, "mpv to play the file")
    await podcasts.stop()
    await asyncio.wait_for(watching, 10)
    assert not [p for p in tmp_path.rglob("pwned")]
    assert isinstance(playback, Playback) and playback.argv[-2:] == ["--", str(hostile)]
