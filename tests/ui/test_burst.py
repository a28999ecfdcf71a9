"""Keys typed in one burst (a paste, tmux send-keys, a macro) land in the widget that has
focus when each key arrives: the key that opens a form is handled before the next one is
routed, so what follows it is typed into the form, not lost behind it.

``Pilot.press`` waits for the app to go idle after every key, which hides this; ``burst``
posts every key at once, as a terminal delivers a paste.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from tests.ui.conftest import wait_for
from tests.ui.test_dashboard import board, inbox, ready
from tui.app import FolioApp
from tui.core.session import Session
from tui.screens.forms import AddSourceScreen, EditSourceScreen
from tui.screens.lists import ListScreen
from tui.screens.planning_forms import MatrixEntryForm
from tui.screens.search import SearchScreen
from tui.screens.sources import SourcesScreen


def burst(app: FolioApp, *keys: str) -> int:
    """Deliver ``keys`` as one read from the terminal: all queued before any is handled.
    Returns the ``keys_handled`` count to wait for (see ``settle``)."""
    expected = app.keys_handled + len(keys)
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_character_to_key(key), key))
        else:
            app.post_message(events.Key(key, None))
    return expected


def values(app: FolioApp) -> dict[str, str]:
    return {str(field.id): field.value for field in app.screen.query(Input)}


@pytest.fixture
def app(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False)


async def settle(pilot: Any, app: FolioApp, expected: int) -> None:
    await wait_for(pilot, lambda: app.keys_handled >= expected, "every key to be handled")
    await pilot.pause()


async def test_typing_into_the_add_form_as_it_opens(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "Sources")
        expected = burst(app, "a", *"blog.example", "tab", *"My name", "tab", "tab", *"hr, links")
        await settle(pilot, app, expected)
        assert isinstance(app.screen, AddSourceScreen)
        assert values(app) == {
            "url": "blog.example",
            "name": "My name",
            "tags": "hr, links",
            "interval": "",
        }


async def test_typing_into_the_edit_form_as_it_opens(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "Sources")
        # The name field opens with its text selected: typing replaces it.
        expected = burst(app, "e", *"Renamed", "tab", "tab", *"x")
        await settle(pilot, app, expected)
        assert isinstance(app.screen, EditSourceScreen)
        assert values(app)["name"] == "Renamed"
        assert values(app)["tags"] == "x"


async def test_typing_a_search_as_it_opens(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        expected = burst(app, "/", *"onboarding")
        await settle(pilot, app, expected)
        assert isinstance(app.screen, SearchScreen)
        assert values(app) == {"query": "onboarding"}


async def test_typing_a_matrix_entry_as_its_form_opens(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        expected = burst(app, "2", "n", *"Newsletter")
        await settle(pilot, app, expected)
        assert isinstance(app.screen, MatrixEntryForm)
        assert values(app)["name"] == "Newsletter"


async def test_tab_then_keys_go_to_the_inbox_when_narrow(app: FolioApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        start = board(app).cursor_item_id
        expected = burst(app, "tab", "j", "j", "s")
        await settle(pilot, app, expected)
        ib = inbox(app)
        assert ib.has_focus and ib.cursor_id == ib.ids[2]
        assert app.session.store.item(ib.ids[2]).starred  # type: ignore[union-attr]
        assert board(app).cursor_item_id == start  # the board never saw the keys


async def test_list_key_then_moves_land_in_the_list(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        expected = burst(app, "A", "j", "j", "j")
        await settle(pilot, app, expected)
        screen = app.screen
        assert isinstance(screen, ListScreen)
        await wait_for(pilot, lambda: screen.loaded, "the list")
        assert screen.items.cursor_id == screen.items.ids[3]


async def test_enter_on_a_menu_or_checkbox_saves_the_form(app: FolioApp) -> None:
    """Enter saves every form (except in a multi-line box); menus open with space."""
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "Sources")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditSourceScreen), "the form")
        await pilot.press("tab", "space")  # the kind menu opens with space...
        await pilot.press("down", "enter")  # ...where enter picks an entry
        assert isinstance(app.screen, EditSourceScreen)
        await pilot.press("tab", "tab", "tab", "space")  # the Mine box: space ticks it
        await pilot.press("enter")  # and enter on it saves
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "saved")
        saved = app.session.sources[0]
        assert saved.kind == "podcast" and saved.mine is True
