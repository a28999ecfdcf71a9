"""Pilot tests for podcasts in the app: d and P on an episode, the Downloads view (6) and
its keys, episode state on the board, in the Inbox and in the reader, and a real headless
mpv driven from the keyboard. Downloads come from a loopback server (tests/audioserver.py).
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tests.ui.conftest import (
    FIXED_NOW,
    SOURCES,
    build_session,
    press_for_screen,
    sample_feed,
    wait_for,
)
from tests.ui.test_dashboard import board, inbox, ready, visible_text
from tui.app import FolioApp
from tui.core.config import PodcastSettings
from tui.core.models import SourceState
from tui.core.session import Session
from tui.screens.downloads import DownloadsScreen
from tui.screens.forms import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.footer import Footer

if TYPE_CHECKING:
    from tests.audioserver import AudioServer

pytest_plugins = ["audioserver"]

CAST = "https://cast.example/rss"
CAST_INDEX = [s.url for s in SOURCES].index(CAST)
MPV = shutil.which("mpv")
HEADLESS = ["mpv", "--no-config", "--no-video", "--ao=null"]


def serve_episodes(session: Session, server: AudioServer, **options: object) -> dict[int, bytes]:
    """Point the podcast's enclosures at ``server``; returns each item's audio."""
    source = next(s for s in SOURCES if s.url == CAST)
    feed = sample_feed(source, CAST_INDEX)
    audio: dict[str, bytes] = {}
    for n, entry in enumerate(feed.items):
        body = server.audio_bytes(60_000 + n, seed=n)
        url = server.add(f"/ep{n}.mp3", body, **options)
        entry.enclosures = [dataclasses.replace(entry.enclosures[0], url=url, length=len(body))]
        audio[entry.guid] = body
    session.store.store_feed(SourceState(url=CAST, status="ok"), feed, now=FIXED_NOW)
    return {item.id: audio[item.guid] for item in session.store.items(sources=[CAST])}


@pytest.fixture
def cast_session(tmp_path: Path) -> Iterator[Session]:
    built = build_session(tmp_path / "portfolio")
    built.workspace.settings.podcasts = PodcastSettings(player=HEADLESS)
    yield built
    built.close()


def newest_episode(session: Session) -> int:
    return session.store.items(sources=[CAST], limit=1)[0].id


def status_of(session: Session, item_id: int) -> str:
    episode = session.podcasts.episodes.get(item_id)
    return episode.status if episode is not None else ""


async def on_episode(pilot: Pilot[Any], item_id: int) -> None:
    """Put the board's cursor on the podcast card's episode ``item_id``."""
    await ready(pilot)
    assert board(pilot.app).select(CAST, item_id)  # type: ignore[arg-type]
    await pilot.pause()


def downloads_table(app: FolioApp) -> list[list[str]]:
    screen = app.screen
    assert isinstance(screen, DownloadsScreen)
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def test_d_downloads_the_episode_and_its_rows_say_so(
    cast_session: Session, audio_server: AudioServer
) -> None:
    audio = serve_episodes(cast_session, audio_server)
    item_id = newest_episode(cast_session)
    app = FolioApp(cast_session, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await on_episode(pilot, item_id)
        await pilot.press("d")
        await wait_for(pilot, lambda: status_of(cast_session, item_id) == "downloaded", "done")
        await wait_for(
            pilot, lambda: any("on disk" in line for line in visible_text(board(app))), "the row"
        )
        assert any("Queued Onboarding that sticks" in n.message for n in app._notifications)
        episode = cast_session.podcasts.episodes.get(item_id)
        assert episode is not None and Path(episode.file).read_bytes() == audio[item_id]
        folder = cast_session.workspace.db_path.parent / "podcasts" / "The HR Cast"
        assert Path(episode.file).parent == folder
        # d again says it is there already.
        await pilot.press("d")
        await wait_for(
            pilot,
            lambda: any("already downloaded" in n.message for n in app._notifications),
            "the warning",
        )
        # The Inbox row shows it too.
        await pilot.press("tab")
        assert inbox(app).move_to(item_id)
        await pilot.pause()
        assert any(line.rstrip().endswith("on disk") for line in visible_text(inbox(app)))


async def test_d_and_p_on_a_post_say_there_is_no_episode(cast_session: Session) -> None:
    app = FolioApp(cast_session, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        footer = app.screen.query_one(Footer)
        keys_before = footer._shown
        await pilot.press("d")  # on a blog post: said, and nothing queued
        await wait_for(
            pilot,
            lambda: any("no episode to download" in n.message for n in app._notifications),
            "the warning",
        )
        assert cast_session.podcasts.episodes.listed() == []
        # Moving onto an episode leaves the footer as it was: d and P are not in it.
        await on_episode(pilot, newest_episode(cast_session))
        await pilot.pause()
        assert footer._shown == keys_before
        assert "d" in app.screen.active_bindings and "P" in app.screen.active_bindings
        # Nothing plays: the player's keys stay out of the footer.
        assert "Z" not in app.screen.active_bindings and "S" not in app.screen.active_bindings


async def test_the_downloads_view_pauses_and_resumes(
    cast_session: Session, audio_server: AudioServer
) -> None:
    audio = serve_episodes(cast_session, audio_server, rate=20_000)
    item_id = newest_episode(cast_session)
    app = FolioApp(cast_session, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await on_episode(pilot, item_id)
        await pilot.press("d")
        screen = await press_for_screen(pilot, "6", DownloadsScreen, "the Downloads view")
        await wait_for(
            pilot,
            lambda: bool(downloads_table(app)) and "downloading" in downloads_table(app)[0][0],
            "the download to run",
        )
        row = downloads_table(app)[0]
        assert row[1] == "Onboarding that sticks (The 1)"
        assert row[2] == "The HR Cast"
        assert "━" in row[3] and row[3].endswith("%")
        await pilot.press("space")
        await wait_for(pilot, lambda: "paused" in downloads_table(app)[0][0], "paused")
        assert status_of(cast_session, item_id) == "paused"
        assert "paused" in str(screen.query_one("#downloads-summary", Static).visual)
        audio_server.routes[f"/ep{0}.mp3"].rate = None
        await pilot.press("space")
        await wait_for(pilot, lambda: "downloaded" in downloads_table(app)[0][0], "done")
        assert downloads_table(app)[0][3].endswith("100%")
        episode = cast_session.podcasts.episodes.get(item_id)
        assert episode is not None and Path(episode.file).read_bytes() == audio[item_id]
        assert audio_server.seen("/ep0.mp3")[-1].range is not None  # it resumed


async def test_retry_a_failed_download_then_delete_the_file(
    cast_session: Session, audio_server: AudioServer
) -> None:
    serve_episodes(cast_session, audio_server)
    audio_server.add("/ep0.mp3", b"<html>Log in</html>", content_type="text/html")
    item_id = newest_episode(cast_session)
    app = FolioApp(cast_session, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await on_episode(pilot, item_id)
        await pilot.press("d")
        screen = await press_for_screen(pilot, "6", DownloadsScreen, "the Downloads view")
        await wait_for(pilot, lambda: "failed" in downloads_table(app)[0][0], "the failure")
        detail = str(screen.query_one("#downloads-detail", Static).visual)
        assert "State: failed: the server sent a web page or text (text/html), not audio" in detail
        assert "r" in app.screen.active_bindings
        audio_server.add("/ep0.mp3", audio_server.audio_bytes(5000))
        await pilot.press("r")
        await wait_for(pilot, lambda: "downloaded" in downloads_table(app)[0][0], "done")
        episode = cast_session.podcasts.episodes.get(item_id)
        assert episode is not None
        file = Path(episode.file)
        assert file.exists()
        await pilot.press("m")
        await wait_for(pilot, lambda: downloads_table(app)[0][6] == "played", "played")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: not file.exists(), "the file to go")
        await wait_for(pilot, lambda: downloads_table(app) == [], "the row to go")
        assert "Nothing downloaded or queued" in str(
            screen.query_one("#downloads-detail", Static).visual
        )


async def test_the_reader_shows_the_state_and_downloads_with_d(
    cast_session: Session, audio_server: AudioServer
) -> None:
    serve_episodes(cast_session, audio_server)
    item_id = newest_episode(cast_session)
    app = FolioApp(cast_session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_episode(pilot, item_id)
        reader = await press_for_screen(pilot, "enter", ReaderScreen, "the reader")

        def episode_text() -> str:
            return str(reader.query_one("#reader-episode", Static).visual)

        assert "State: new · d downloads it · P plays it" in episode_text()
        await pilot.press("d")
        await wait_for(pilot, lambda: "State: downloaded" in episode_text(), "downloaded")


async def test_help_and_palette_list_the_podcast_keys(cast_session: Session) -> None:
    app = FolioApp(cast_session, auto_refresh=False)
    async with app.run_test(size=(120, 60)) as pilot:
        await ready(pilot)
        screen = await press_for_screen(pilot, "question_mark", HelpScreen, "help")
        text = "\n".join(str(s.visual) for s in screen.query(Static))
        assert "Downloads" in text and "show_downloads" in text
        for words in ("Download", "download", "Play", "pause_playback", "stop_playback"):
            assert words in text
        assert "Pause/resume" in text and "cancel_download" in text and "retry_download" in text
        await pilot.press("escape")
        from tui.commands_palette import FolioCommands

        names = [command.name for command in FolioCommands(app.screen).commands()]
        assert "Downloads" in names


@pytest.mark.skipif(MPV is None, reason="mpv is not installed (apt-get install mpv)")
async def test_play_pause_and_stop_with_a_real_mpv(cast_session: Session, tmp_path: Path) -> None:
    from tests.unit.test_podcast_player import write_wav

    item_id = newest_episode(cast_session)
    wav = write_wav(tmp_path / "ep.wav", 40)
    cast_session.podcasts.episodes.update(item_id, status="downloaded", file=str(wav))
    app = FolioApp(cast_session, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await on_episode(pilot, item_id)
        await pilot.press("P")
        await wait_for(pilot, lambda: "▶ Onboarding that sticks" in app.sub_title, "playing")
        playback = cast_session.podcasts.playback
        assert playback is not None
        await wait_for(pilot, lambda: playback.position > 1.0, "a second played")
        assert "Z" in app.screen.active_bindings and "S" in app.screen.active_bindings
        await pilot.press("Z")
        await wait_for(pilot, lambda: app.sub_title.startswith("‖ "), "paused")
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: playback.position > 30, "a seek forward")
        await pilot.press("S")
        await wait_for(pilot, lambda: cast_session.podcasts.playback is None, "stopped")
        assert app.sub_title == ""
        assert "Z" not in app.screen.active_bindings
        episode = cast_session.podcasts.episodes.get(item_id)
        assert episode is not None and 30 < episode.position < 40
        await wait_for(
            pilot,
            lambda: any("0:3" in line and "/0:40" in line for line in visible_text(board(app))),
            "the position on the board",
        )
        # P again starts where it stopped.
        await pilot.press("P")
        await wait_for(pilot, lambda: cast_session.podcasts.playback is not None, "playing")
        again = cast_session.podcasts.playback
        assert again is not None and f"--start={episode.position:.1f}" in again.argv
    # Quitting the app stopped the player and kept the position.
    assert not again.running
    from tui.core.podcasts.episodes import EpisodeStore
    from tui.core.storage.store import Store

    with Store(cast_session.workspace.db_path) as store:
        kept = EpisodeStore(store).get(item_id)
    assert kept is not None and kept.position >= episode.position - 0.5


async def test_the_source_form_sets_download_new(cast_session: Session) -> None:
    from textual.widgets import Checkbox

    from tui.core.storage.portfolio import load_portfolio
    from tui.screens.forms import EditSourceScreen
    from tui.screens.sources import SourcesScreen

    path = cast_session.workspace.portfolio_path
    app = FolioApp(cast_session, auto_refresh=False, downloads=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        sources = await press_for_screen(pilot, "4", SourcesScreen, "the sources")
        row = [s.url for s in cast_session.sources].index(CAST)
        sources.query_one(DataTable).move_cursor(row=row)
        form = await press_for_screen(pilot, "e", EditSourceScreen, "the form")
        box = form.query_one("#download", Checkbox)
        assert box.value is False
        box.focus()
        await pilot.press("space")
        assert box.value is True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "the save")
    saved = load_portfolio(path).source(CAST)
    assert saved is not None and saved.downloads_new
    assert 'download = "new"' in path.read_text()


async def test_d_on_a_full_disk_is_said_and_the_app_goes_on(
    cast_session: Session, audio_server: AudioServer
) -> None:
    from tests.ui.test_store_problems import FullDisk

    serve_episodes(cast_session, audio_server)
    item_id = newest_episode(cast_session)
    app = FolioApp(cast_session, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await on_episode(pilot, item_id)
        store = cast_session.store
        store._db = FullDisk(store._db)  # type: ignore[assignment]
        await pilot.press("d")
        await wait_for(
            pilot, lambda: any("is full" in n.message for n in app._notifications), "the words"
        )
        assert app.is_running and app.refresh_status == "Not saved: the disk is full"
        assert status_of(cast_session, item_id) == ""
        store._db = store._db._db  # type: ignore[attr-defined]
        await pilot.press("d")
        await wait_for(pilot, lambda: status_of(cast_session, item_id) == "downloaded", "done")
