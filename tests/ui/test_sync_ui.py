"""The app with a sync server: it starts and works with the server down, says in the status
bar how many changes wait and why, sends them once the server is back, and the palette
syncs on demand. Against the loopback Miniflux of tests/fake_miniflux.py (answering as
https://miniflux.app/docs/api.html says)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui.conftest import notices, wait_for
from tui.app import FolioApp
from tui.commands_palette import FolioCommands
from tui.core.session import Session
from tui.screens.dashboard import DashboardScreen
from tui.widgets.itemlist import ItemList
from tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from tests.fake_miniflux import MinifluxServer
    from tests.syncservers import Home

pytest_plugins = ["tests.syncservers"]


def status(app: FolioApp) -> str:
    """The status line of the screen shown: the dashboard's own, or a StatusBar."""
    screen = app.screen
    if isinstance(screen, DashboardScreen):
        return str(screen.query_one("#status", Static).render())
    return str(screen.query_one(StatusBar).render())


async def ready(pilot: Pilot[Any]) -> None:
    for _ in range(500):
        screen = pilot.app.screen
        if isinstance(screen, DashboardScreen) and screen.inbox_loaded:
            break
        await pilot.pause(0.01)
    await pilot.pause()


async def synced_home(make_home: Callable[..., Home], miniflux: MinifluxServer) -> Home:
    feed = miniflux.add_feed("https://hr.example/feed", "HR Weekly")
    miniflux.add_entries(feed, 3, age=3600)
    home = make_home("a", miniflux)
    assert (await home.sync()).ok
    home.close()
    return home


def app_for(home: Home) -> FolioApp:
    """The app over the home's files, as ``folio`` would open them (the token given)."""
    session = Session(home.workspace)
    app = FolioApp(session, auto_refresh=False)
    app._refresher = None

    async def with_token() -> Any:
        from tui.core.refresh.refresher import Refresher

        if app._refresher is None:
            app._refresher = Refresher(session.store, home.workspace.settings)
            app._refresher._credentials = home.credentials
        return app._refresher

    app._ensure_refresher = with_token  # type: ignore[method-assign]
    return app


async def test_the_app_starts_with_the_server_down_and_says_what_waits(
    make_home: Callable[..., Home], miniflux: MinifluxServer
) -> None:
    home = await synced_home(make_home, miniflux)
    miniflux.down()
    app = app_for(home)
    async with app.run_test(size=(140, 36)) as pilot:
        await ready(pilot)
        inbox = app.screen.query_one(ItemList)
        assert len(inbox.ids) == 3  # everything is there to read
        await wait_for(
            pilot,
            lambda: "sync: Miniflux unreachable: cannot connect" in status(app),
            "the status bar to say the first sync failed",
        )
        inbox.focus()
        await pilot.press("r")  # read the first article
        await wait_for(
            pilot,
            lambda: "1 change waiting: Miniflux unreachable" in status(app),
            "the status bar to say a change waits",
        )
        assert "sync: " not in status(app)  # said once, in the waiting line
        # The server is back; the palette syncs now.
        miniflux.up()
        provider = FolioCommands(app.screen)
        names = [command.name for command in provider.commands()]
        assert "Sync: sync now" in names and "Sync: retry refused changes" in names
        ran = next(c for c in provider.commands() if c.name == "Sync: sync now").run()
        if inspect.isawaitable(ran):
            await ran
        await wait_for(pilot, lambda: "waiting" not in status(app), "the change to go")
        assert len(miniflux.unread_ids()) == 2
        assert any("from Miniflux" in note for note in notices(app))
    app.session.close()


async def test_a_key_press_goes_out_soon_without_waiting_for_a_refresh(
    make_home: Callable[..., Home], miniflux: MinifluxServer
) -> None:
    home = await synced_home(make_home, miniflux)
    app = app_for(home)
    async with app.run_test(size=(140, 36)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: not app.syncing, "the first sync")
        app.screen.query_one(ItemList).focus()
        await pilot.press("s")  # star the first article
        await wait_for(pilot, lambda: bool(miniflux.starred_ids()), "the star to reach Miniflux")
        # The server has the star before the app hears back; the status line follows.
        await wait_for(pilot, lambda: "waiting" not in status(app), "the status line to clear")
        # Starred on another machine: the next sync shows it here.
        other = min(set(miniflux.entries) - miniflux.starred_ids())
        miniflux.set_state(other, starred=True)
        app.action_sync_now()
        await wait_for(pilot, lambda: not app.syncing and len(notices(app)) > 0, "the sync")
        await wait_for(
            pilot,
            lambda: sum(i.starred for i in app.session.store.items()) == 2,
            "the other star to arrive",
        )
    app.session.close()


async def test_without_a_sync_server_the_palette_says_how_to_set_one(
    session: Session,
) -> None:
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        names = [c.name for c in FolioCommands(app.screen).commands()]
        assert "Sync: sync now" not in names
        app.action_sync_now()
        await pilot.pause()
        assert any("[sync] to settings.toml" in note for note in notices(app))
