"""The key footer: rebuilt when the keys it shows change, and only then.

Rebuilding the dashboard's footer cost about 40 ms a time, and Textual's footer did it on
every return from the reader; these tests pin both halves of the fix.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tests.ui.conftest import wait_for
from tui.app import FolioApp
from tui.core.session import Session
from tui.screens.dashboard import DashboardScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.footer import Footer


class Pane(Static, can_focus=True):
    pass


class KeysPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "noop", "Cut")]

    def action_noop(self) -> None:
        pass


class OtherKeysPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("y", "noop", "Copy")]

    def action_noop(self) -> None:
        pass


class FocusApp(App[None]):
    def compose(self) -> ComposeResult:
        yield KeysPane("one", id="one")
        yield KeysPane("two", id="two")
        yield OtherKeysPane("three", id="three")
        yield Footer()


def shown(app: App[Any]) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def test_keys_that_change_with_focus_are_shown() -> None:
    app = FocusApp()
    async with app.run_test() as pilot:
        app.query_one("#one").focus()
        await wait_for(pilot, lambda: "Cut" in shown(app), "the first pane's key")
        app.query_one("#three").focus()
        await wait_for(pilot, lambda: "Copy" in shown(app), "the third pane's key")
        assert "Cut" not in shown(app)


async def test_the_same_keys_are_not_rebuilt_when_focus_moves() -> None:
    app = FocusApp()
    async with app.run_test() as pilot:
        app.query_one("#one").focus()
        await wait_for(pilot, lambda: "Cut" in shown(app), "the first pane's key")
        before = list(app.screen.query(FooterKey))
        app.query_one("#two").focus()  # another widget, the same keys
        await pilot.pause(0.1)
        assert list(app.screen.query(FooterKey)) == before
        assert all(a is b for a, b in zip(app.screen.query(FooterKey), before, strict=True))


async def test_closing_the_reader_keeps_the_dashboards_footer(session: Session) -> None:
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(shown(app)), "the dashboard's footer")
        before = list(app.screen.query(FooterKey))
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        await pilot.pause(0.1)
        after = list(app.screen.query(FooterKey))
        assert [key.description for key in after] == [key.description for key in before]
        assert all(a is b for a, b in zip(after, before, strict=True))


@pytest.mark.parametrize("width", [40, 60, 80, 160])
async def test_help_and_search_stay_visible_at_any_width(session: Session, width: int) -> None:
    """The dashboard has more keys than 80 columns hold; the footer cuts the others, never
    the help key, the search key or the palette's."""
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(width, 30)) as pilot:
        await wait_for(pilot, lambda: bool(shown(app)), "the footer")
        await pilot.pause()
        visible = {
            key.description
            for key in app.screen.query(FooterKey)
            if key.region.width and key.region.right <= width
        }
        assert {"Help", "Search", "palette"} <= visible
