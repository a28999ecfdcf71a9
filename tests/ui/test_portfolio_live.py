"""The app open all day beside the command line and an editor: portfolio.toml changed
elsewhere is reloaded and shown, and the app's next edit keeps that change (it is applied
to the file as it is on disk). ``folio add`` runs in a real subprocess against a feed
served on 127.0.0.1 (tests/httpserver.py)."""

from __future__ import annotations

import asyncio
import difflib
import os
import subprocess
import sys
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from tests.conftest import REPO
from tests.ui.conftest import SOURCES, build_session, wait_for
from tui.app import FolioApp
from tui.core.session import Session
from tui.core.storage import paths
from tui.core.storage.portfolio import load_portfolio
from tui.screens.matrix import MatrixScreen
from tui.screens.roadmap import RoadmapScreen
from tui.screens.sources import SourcesScreen
from tui.widgets.board import FeedBoard

pytest_plugins = ["httpserver"]


def notices(app: FolioApp) -> list[str]:
    return [str(note.message) for note in app._notifications]


def user_session() -> Session:
    """A session on the user's own portfolio.toml (in the test's XDG folders), the file
    ``folio add`` writes."""
    return build_session(paths.portfolio_path().parent)


async def show(pilot: Pilot[Any], key: str, kind: type) -> Any:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind), kind.__name__)
    return pilot.app.screen


def board_text(app: FolioApp) -> str:
    board = app.screen.query_one(FeedBoard)
    return "\n".join("".join(segment.text for segment in board.render_line(y)) for y in range(12))


async def test_folio_add_while_the_app_is_open_then_an_app_edit_keeps_both(
    http_server,  # type: ignore[no-untyped-def]
) -> None:
    http_server.route("/new.xml", body=http_server.rss("Added From The Shell"))
    url = http_server.url("/new.xml")
    session = user_session()
    path = session.workspace.portfolio_path
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        matrix = await show(pilot, "2", MatrixScreen)
        await wait_for(pilot, lambda: matrix.grid.selected == "mastodon", "a selection")
        added = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "tui", "add", url, "--tag", "shell"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert added.returncode == 0, added.stderr
        await wait_for(pilot, lambda: session.source(url) is not None, "the reload")
        await wait_for(
            pilot,
            lambda: "portfolio.toml changed on disk: 1 source added." in notices(app),
            "the message",
        )
        # An edit in the app, made after the reload: the source added outside stays.
        await pilot.press("shift+right")
        await wait_for(
            pilot, lambda: load_portfolio(path).matrix[0].effort == 3, "the app's own edit"
        )
        on_disk = load_portfolio(path)
        assert [s.url for s in on_disk.sources] == [*(s.url for s in SOURCES), url]
        assert on_disk.sources[-1].tags == ["shell"]
        # And it is on screen, where sources are listed.
        sources = await show(pilot, "4", SourcesScreen)
        table = sources.table
        names = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert any("Added From The Shell" in name for name in names)


async def test_a_hand_edit_with_comments_is_shown_and_kept_by_the_next_app_edit() -> None:
    session = user_session()
    path = session.workspace.portfolio_path
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        roadmap = await show(pilot, "3", RoadmapScreen)
        await wait_for(pilot, lambda: roadmap.board.selected is not None, "a card")
        # Meanwhile, in an editor: a comment, a new vision, a tag, saved by renaming.
        text = path.read_text(encoding="utf-8")
        assert session.portfolio.vision in text
        edited = "# Edited by hand: keep this comment.\n" + text.replace(
            f'vision = "{session.portfolio.vision}"',
            'vision = "Teach HR in public, by hand."  # from the editor',
        ).replace('tags = [\n    "tagging",\n]', 'tags = ["tagging", "by-hand"]  # inline')
        assert edited.count("by hand") == 2 and "by-hand" in edited
        scratch = path.with_name("portfolio.toml.swp")
        scratch.write_text(edited, encoding="utf-8")
        os.replace(scratch, path)
        vision = roadmap.query_one("#vision-text", Static)
        await wait_for(
            pilot, lambda: "Teach HR in public, by hand." in str(vision.render()), "the vision"
        )
        await wait_for(
            pilot, lambda: any("the vision changed" in n for n in notices(app)), "the message"
        )
        # The app's next edit: the first card moves one lane; the hand edit stays whole.
        card = roadmap.board.selected
        lane = next(e.lane for e in session.portfolio.roadmap if e.id == card)
        await pilot.press("shift+right")
        await wait_for(
            pilot,
            lambda: next(e.lane for e in load_portfolio(path).roadmap if e.id == card) != lane,
            "the move",
        )
        after = path.read_text(encoding="utf-8")
        assert after.startswith("# Edited by hand: keep this comment.\n")
        assert 'vision = "Teach HR in public, by hand."  # from the editor' in after
        assert 'tags = ["tagging", "by-hand"]  # inline' in after
        moved_to = next(e.lane for e in load_portfolio(path).roadmap if e.id == card)
        diff = [
            line
            for line in difflib.ndiff(edited.splitlines(), after.splitlines())
            if line.startswith(("- ", "+ "))
        ]
        assert diff == [f'- lane = "{lane}"', f'+ lane = "{moved_to}"']


async def test_a_file_broken_while_the_app_is_open_keeps_the_last_good_one() -> None:
    session = user_session()
    path = session.workspace.portfolio_path
    good = path.read_text(encoding="utf-8")
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "People Ops Weekly" in board_text(app), "the board")
        broken = good.replace('kind = "podcast"', 'kind = "podcats"')
        path.write_text(broken, encoding="utf-8")
        await wait_for(pilot, lambda: session.read_only, "the broken file to be noticed")
        # A notification is shown once its message has been handled.
        await wait_for(pilot, lambda: any("kind" in n for n in notices(app)), "the message")
        line = broken.splitlines().index('kind = "podcats"') + 1
        [message] = [n for n in notices(app) if "kind" in n]
        assert f"portfolio.toml:{line}: sources[3].kind: expected one of" in message
        assert "Showing the last good version; nothing was written." in message
        assert "People Ops Weekly" in board_text(app)  # still shown
        matrix = await show(pilot, "2", MatrixScreen)
        banner = matrix.query_one("#read-only", Static)
        assert banner.display and "Read-only" in str(banner.render())
        await pilot.press("shift+right")  # refused, with a message
        await pilot.pause()
        assert path.read_text(encoding="utf-8") == broken
        # Fixed in the editor: reloaded, writable, the banner gone.
        path.write_text(good, encoding="utf-8")
        await wait_for(pilot, lambda: not session.read_only, "the fix to be noticed")
        await wait_for(
            pilot, lambda: any("readable again" in n for n in notices(app)), "the message"
        )
        await wait_for(pilot, lambda: not banner.display, "the banner to go")
