"""Pilot tests for the lists of items (Starred, Later, Bookmarked, Unread, All, New since
I last looked, a feed's whole list): their keys, the view key, the palette, and the
triage keys on them (read-and-next, mark above read)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui.conftest import SOURCES, notices, press_for_screen, wait_for
from tests.ui.test_dashboard import board, dash, inbox, ready, visible_text
from tui.app import FolioApp
from tui.commands_palette import FolioCommands
from tui.core.lists import view
from tui.core.session import Session
from tui.screens.dashboard import DashboardScreen
from tui.screens.lists import ListScreen
from tui.screens.reader import ReaderScreen


@pytest.fixture
def app(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False)


async def open_list(pilot: Pilot[Any], key: str) -> ListScreen:
    screen = await press_for_screen(pilot, key, ListScreen, f"the list of {key}")
    await wait_for(pilot, lambda: screen.loaded, "the whole list")
    await pilot.pause()
    return screen


def title(screen: ListScreen) -> str:
    return str(screen.query_one("#list-title", Static).visual)


def rows(screen: ListScreen) -> list[str]:
    return visible_text(screen.items)


@pytest.mark.parametrize(
    ("flag_key", "list_key", "name", "glyph"),
    [("s", "asterisk", "Starred", "★"), ("l", "L", "Later", "◷"), ("b", "B", "Bookmarked", "⚑")],
)
async def test_flag_keys_fill_their_lists(
    app: FolioApp, session: Session, flag_key: str, list_key: str, name: str, glyph: str
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = await open_list(pilot, list_key)
        assert title(screen).startswith(f"{name}  0 items")
        assert "Press" in rows(screen)[1]  # the empty list says how to fill it
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the board")
        first = board(app).cursor_item()
        await pilot.press(flag_key, "j", "j", flag_key)
        second = board(app).cursor_item()
        assert first is not None and second is not None
        screen = await open_list(pilot, list_key)
        assert title(screen).startswith(f"{name}  2 items")
        assert screen.items.ids == [first.id, second.id]  # newest first
        assert glyph in rows(screen)[0] and first.title[:20] in rows(screen)[0]
        # The flag key works here too: the item stays listed until the list is read again.
        await pilot.press(flag_key)
        assert screen.items.ids == [first.id, second.id]
        await pilot.press("v", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the board")
        screen = await open_list(pilot, list_key)
        assert screen.items.ids == [second.id]


async def test_view_key_cycles_every_list_and_back_to_the_inbox(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = await open_list(pilot, "v")
        seen = [screen.spec.name]
        for _ in range(5):
            await pilot.press("v")
            await wait_for(pilot, lambda: screen.loaded, "the list")
            seen.append(screen.spec.name)
        assert seen == ["unread", "starred", "saved", "bookmarked", "all", "new"]
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the Inbox")
        assert inbox(app).has_focus


async def test_unread_and_all_lists_at_scale_of_the_fixture(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = await open_list(pilot, "A")
        assert title(screen).startswith("All items  48 items · newest first")
        screen = await open_list(pilot, "U")
        # The user's own blog is output, not something to triage.
        assert title(screen).startswith("Unread  40 items")
        own = {i.id for i in session.store.items(sources=["https://me.example/feed"])}
        assert not own & set(screen.items.ids)
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the board")


async def test_new_since_i_last_looked_starts_after_leaving_it(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = await open_list(pilot, "W")
        assert title(screen).startswith("New since I last looked  40 items")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the board")
        screen = await open_list(pilot, "W")
        assert screen.items.ids == []
        assert "Nothing new since you last looked" in " ".join(rows(screen))


async def test_read_and_next_in_a_list_skips_read_items(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = await open_list(pilot, "A")
        ids = list(screen.items.ids)
        session.set_flag(ids[1:3], "read", True)
        await pilot.press("N")
        assert session.store.item(ids[0]).read  # type: ignore[union-attr]
        assert screen.items.cursor_id == ids[3]
        await pilot.press("G", "N")
        assert session.store.item(ids[-1]).read  # type: ignore[union-attr]
        await wait_for(pilot, lambda: bool(notices(app)), "a notice")
        assert "No unread items after this one." in notices(app)
        await pilot.press("u")  # read-and-next is undone like any triage key
        assert not session.store.item(ids[-1]).read  # type: ignore[union-attr]


async def test_read_and_next_on_the_board_and_in_the_reader(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        first = b.cursor_item()
        assert first is not None
        session.set_flag([b.pane_item_ids(first.source)[1]], "read", True)
        await pilot.press("N")
        assert session.store.item(first.id).read  # type: ignore[union-attr]
        assert b.cursor_row == 2  # the read row was skipped
        # In the reader, N goes to the next unread item of the list it came from.
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "the Inbox")
        ids = list(inbox(app).ids)
        session.set_flag([ids[1]], "read", True)
        reader = await press_for_screen(pilot, "enter", ReaderScreen, "the reader")
        assert reader.item_id == ids[0]
        await pilot.press("N")
        assert reader.item_id == ids[2]


async def test_mark_everything_above_read_in_the_inbox(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "the Inbox")
        ib = inbox(app)
        await pilot.press("j", "j", "j", "j")
        above = list(ib.ids[:4])
        cursor = ib.cursor_id
        await pilot.press("M")
        assert all(session.store.item(i).read for i in above)  # type: ignore[union-attr]
        assert not session.store.item(cursor).read  # type: ignore[arg-type, union-attr]
        assert any("Marked 4 items above read" in n for n in notices(app))
        await pilot.press("u")
        assert not any(session.store.item(i).read for i in above)  # type: ignore[union-attr]


async def test_full_width_inbox_key(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b, ib = board(app), inbox(app)
        await pilot.press("z")
        await wait_for(pilot, lambda: ib.has_focus, "the Inbox to take focus")
        assert not b.display and ib.size.width > 100
        assert "z: board" in str(dash(app).query_one("#status", Static).visual)
        await pilot.press("z")
        await pilot.pause()
        assert b.display and ib.size.width < 60


async def test_a_card_opens_into_its_whole_feed_and_back(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        await pilot.press("j", "j")
        url = b.cursor_source
        screen = await open_list(pilot, "f")
        assert title(screen).startswith(f"{SOURCES[0].name}  8 items")
        assert len(screen.items.ids) == 8  # the card shows 6; the feed has 8
        await pilot.press("G", "s")
        last = session.store.items(sources=[SOURCES[0].url])[-1]
        assert screen.items.cursor_id == last.id and session.store.item(last.id).starred  # type: ignore[union-attr]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the board")
        assert b.cursor_source == url and b.cursor_row == 2  # where the user left it
        # A click on a card's title opens it too.
        await pilot.click(b, offset=(50, 1))
        await wait_for(pilot, lambda: isinstance(app.screen, ListScreen), "the feed")
        assert app.screen.spec.sources == (SOURCES[1].url,)  # type: ignore[attr-defined]


async def test_g_goes_to_the_last_item_on_the_board(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        await pilot.press("G")
        last = SOURCES[-1].url
        assert b.cursor_source == last
        assert b.cursor_item_id == b.pane_item_ids(last)[-1]


async def test_palette_lists_each_list_once(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        names = [command.name for command in FolioCommands(app.screen).commands()]
        assert len(names) == len(set(names))
        for wanted in ("List: Starred", "List: Later", "List: Bookmarked", "List: Unread"):
            assert wanted in names
        assert "List: All items" in names and "List: New since I last looked" in names
        command = next(c for c in FolioCommands(app.screen).commands() if c.name == "List: Later")
        ran = command.run()
        if inspect.isawaitable(ran):
            await ran
        await wait_for(pilot, lambda: isinstance(app.screen, ListScreen), "the list")
        assert app.screen.spec == view("saved")  # type: ignore[attr-defined]
        system = [c.title for c in app.get_system_commands(app.screen)]
        assert "Quit" not in system and "Keys" not in system and "Maximize" not in system


async def test_the_inbox_shows_its_new_top_after_the_matrix_changes(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "the Inbox")
        await pilot.press(*["j"] * 25)
        assert inbox(app).cursor_id != inbox(app).ids[0]
        # Podcasting drops to the bottom quadrant: the Inbox's order changes.
        session.edit_portfolio("matrix", "drop", lambda p: setattr(p.matrix[1], "value", 1))
        ib = inbox(app)
        await wait_for(pilot, lambda: ib.cursor_id == ib.ids[0], "the new top")
        assert ib.scroll_y == 0
        # The status line counts reviews that are due, and says where to go.
        assert "1 review due: press 3" in str(dash(app).query_one("#status", Static).visual)


async def test_every_delete_dialog_puts_cancel_first(app: FolioApp) -> None:
    from textual.widgets import Button

    from tui.screens.forms import ConfirmScreen
    from tui.screens.planning_forms import ConfirmDialog

    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        for screen_key, dialog in (
            ("4", ConfirmScreen),
            ("2", ConfirmDialog),
            ("3", ConfirmDialog),
        ):
            await pilot.press(screen_key)
            await pilot.pause()
            await press_for_screen(pilot, "d", dialog, "the delete dialog")
            await pilot.pause()
            buttons = sorted(app.screen.query(Button), key=lambda b: b.region.x)
            labels = [str(b.label) for b in buttons]
            assert labels[0].startswith("Cancel") and labels[-1].startswith("Delete"), labels
            await pilot.press("escape")
            await wait_for(
                pilot, lambda: not isinstance(app.screen, ConfirmScreen | ConfirmDialog), "closed"
            )
