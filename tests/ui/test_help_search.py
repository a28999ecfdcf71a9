"""Pilot tests for the help screen (current keys, after the user's keymap), search (FTS5,
debounced, in a worker) and the command palette provider."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

from textual.command import Hit
from textual.widgets import DataTable, Input, Static

from tests.ui.conftest import FIXED_NOW, wait_for
from tui.app import FolioApp
from tui.commands_palette import FolioCommands
from tui.core.models import ParsedFeed, ParsedItem
from tui.core.session import Session
from tui.screens.help import HelpScreen
from tui.screens.search import SearchScreen

HOSTILE = "[@click=app.quit]x[/] [b]gotcha[/b]"


def make_app(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False)


def help_lines(app: FolioApp) -> list[str]:
    text = "\n".join(str(s.visual) for s in app.screen.query(".group").results(Static))
    return text.splitlines()


def line_for(app: FolioApp, binding_id: str) -> str:
    """The help line of the binding with this id (the first, when ids repeat)."""
    return next(line for line in help_lines(app) if line.split()[-1] == binding_id)


def results(app: FolioApp) -> list[list[str]]:
    table = app.screen.query_one("#results", DataTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def summary(app: FolioApp) -> str:
    return str(app.screen.query_one("#summary", Static).visual)


def add_item(session: Session, title: str, content: str) -> None:
    url = session.sources[0].url
    state = session.store.state(url)
    feed = ParsedFeed(
        title="People Ops Weekly",
        items=[
            ParsedItem(
                guid=f"extra-{title}",
                title=title,
                content=content,
                published=FIXED_NOW - dt.timedelta(days=1),
            )
        ],
    )
    session.store.store_feed(state, feed, now=FIXED_NOW)


# -- help ---------------------------------------------------------------------------------


async def test_help_lists_every_group_with_the_default_keys(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        headings = [str(s.visual) for s in app.screen.query(".heading").results(Static)]
        assert headings[0] == "Everywhere" and headings[-1] == "My output"
        assert {"Moving", "Matrix", "Roadmap", "Sources"} <= set(headings)
        assert line_for(app, "show_output").split()[:3] == ["5", "My", "output"]
        assert line_for(app, "search").split()[:2] == ["/", "Search"]
        assert line_for(app, "help").split()[:2] == ["?", "Help"]
        assert line_for(app, "move_down").split()[:3] == ["j,", "↓", "Down"]
        assert line_for(app, "star").split()[:2] == ["s", "Star"]
        note = str(app.screen.query_one(".note", Static).visual)
        assert "[keys]" in note and "settings.toml" in note and "ctrl+p" in note
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), "escape")
        for close in ("q", "question_mark"):
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
            await pilot.press(close)
            await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), close)
        assert app.is_running  # q closed help rather than quitting


async def test_help_shows_keys_rebound_in_settings(session: Session) -> None:
    session.workspace.settings.keys = {"star": "S", "help": "f1", "move_down": "n,ctrl+n"}
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")  # no longer bound
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help on f1")
        assert line_for(app, "star").split()[:2] == ["S", "Star"]
        assert line_for(app, "help").split()[:2] == ["f1", "Help"]
        assert line_for(app, "move_down").split()[:3] == ["n,", "^n", "Down"]
        await pilot.press("f1")  # the rebound key closes it too
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), "f1 to close")


# -- search -------------------------------------------------------------------------------


async def test_search_finds_an_item_by_a_word_in_its_content_and_opens_it(
    session: Session,
) -> None:
    from tui.screens.reader import ReaderScreen

    add_item(session, "Quarterly notes", "<p>On <b>zygomorphic</b> tagging schemes.</p>")
    wanted = session.store.search("zygomorphic")[0].id
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "search")
        await pilot.press(*"zygomorph")
        await wait_for(pilot, lambda: summary(app).startswith("1 match for zygomorph."), "results")
        # Flags (unread), source, date, and the title over where the words matched.
        assert results(app) == [
            [
                "●   ",
                "People Ops Weekly",
                "2026-11-19",
                "Quarterly notes\nOn zygomorphic tagging schemes.",
            ]
        ]
        cell = app.screen.query_one("#results", DataTable).get_row_at(0)[3]
        matched = [
            cell.plain[span.start : span.end] for span in cell.spans if "reverse" in str(span.style)
        ]
        assert matched == ["zygomorphic"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.item_id == wanted


async def test_search_says_when_nothing_matches_and_escape_closes(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "search")
        await pilot.press(*"folksonomies")
        await wait_for(pilot, lambda: len(results(app)) == 6, "six results")
        await pilot.press("ctrl+k", "home", "ctrl+k", *"xylophone")
        await wait_for(pilot, lambda: summary(app) == "No matches for xylophone.", "no matches")
        assert results(app) == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SearchScreen), "escape")


async def test_search_results_show_markup_as_typed_and_arrows_reach_them(
    session: Session,
) -> None:
    add_item(session, HOSTILE, "<p>quokka</p>")
    add_item(session, "Second quokka", "<p>more</p>")
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "search")
        await pilot.press(*"quokka")
        await wait_for(pilot, lambda: len(results(app)) == 2, "results")
        assert HOSTILE in [row[3].split("\n")[0] for row in results(app)]
        await pilot.press("down")
        assert isinstance(app.focused, DataTable)
        await pilot.press("down")
        assert app.focused.cursor_row == 1
        assert app.is_running


async def test_typing_fast_searches_once_for_the_final_text(session: Session) -> None:
    calls: list[str] = []
    search = session.store.search_hits

    def counting(query: str, limit: int = 200) -> Any:
        calls.append(query)
        return search(query, limit)

    session.store.search_hits = counting  # type: ignore[method-assign]
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "search")
        await pilot.press(*"onboarding")
        await wait_for(pilot, lambda: summary(app).startswith("6 matches for onboarding."), "6")
        # One search for the whole word; a very slow machine may let one or two more through.
        assert calls[-1] == "onboarding" and len(calls) <= 3, calls
        assert app.screen.query_one("#query", Input).value == "onboarding"


# -- command palette ----------------------------------------------------------------------


async def test_palette_offers_every_action_and_each_theme(session: Session) -> None:
    session.workspace.settings.keys = {"refresh": "ctrl+r"}
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        provider = FolioCommands(app.screen)
        names = [command.name for command in provider.commands()]
        for wanted in (
            "Dashboard",
            "Matrix",
            "Roadmap",
            "Sources",
            "Refresh now",
            "Search",
            "Help: keys",
            "Quit",
            "Sources: Add",
            "Theme: nord",
        ):
            assert wanted in names
        refresh = next(c for c in provider.commands() if c.name == "Refresh now")
        assert "(key: ^r)" in refresh.help
        hits = [hit async for hit in provider.search("roadmap")]
        assert hits and isinstance(hits[0], Hit)
        ran = hits[0].command()
        if inspect.isawaitable(ran):
            await ran
        await pilot.pause()
        assert app.current_mode == "roadmap"
        theme = next(c for c in provider.commands() if c.name == "Theme: nord")
        theme.run()
        assert app.theme == "nord"


async def test_search_shows_flags_and_understands_or_and_cplusplus(session: Session) -> None:
    add_item(session, "Templates in C++", "<p>Generic code, in C++ and elsewhere.</p>")
    add_item(session, "Cats and caching", "<p>Nothing about the language.</p>")
    add_item(session, "Rust for people teams", "<p>Ownership explained.</p>")
    starred = session.store.search("Templates")[0]
    session.set_flag([starred.id], "starred", True)
    session.set_flag([starred.id], "read", True)
    assert [i.title for i in session.store.search("C++")] == ["Templates in C++"]
    assert {i.title for i in session.store.search("c++ OR rust")} == {
        "Templates in C++",
        "Rust for people teams",
    }
    assert [i.title for i in session.store.search('"people teams"')] == ["Rust for people teams"]
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "search")
        await pilot.press(*"c++")
        await wait_for(pilot, lambda: summary(app).startswith("1 match for c++."), "results")
        [row] = results(app)
        assert row[0] == " ★  " and row[3].startswith("Templates in C++\n")
