"""Pilot tests for the Sources screen: the health table, and a/e/enter/d/u checked both on
screen and in portfolio.toml on disk. Adding runs autodiscovery against a real HTTP server
on 127.0.0.1 (tests/httpserver.py)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

pytest.register_assert_rewrite("httpserver")
from tests.httpserver import TestServer  # noqa: E402
from tests.ui.conftest import FIXED_NOW, SOURCES, wait_for  # noqa: E402
from tui.app import FolioApp  # noqa: E402
from tui.core.models import Source  # noqa: E402
from tui.core.session import Session  # noqa: E402
from tui.core.storage.portfolio import Portfolio, load_portfolio  # noqa: E402
from tui.messages import RefreshFinished, SourceRefreshed  # noqa: E402
from tui.screens.forms import AddSourceScreen, ConfirmScreen, EditSourceScreen  # noqa: E402
from tui.screens.sources import SourcesScreen, ago, countdown, until  # noqa: E402

HOSTILE = "[@click=app.quit]x[/] [b]b[/b]"
"""A title that would be a clickable action if it ever reached a markup parser."""


# -- helpers ------------------------------------------------------------------------------


def make_app(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False)


def screen(app: FolioApp) -> SourcesScreen:
    current = app.screen
    assert isinstance(current, SourcesScreen), current
    return current


def rows(app: FolioApp) -> list[list[str]]:
    table = screen(app).table
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def column(app: FolioApp, key: str) -> list[str]:
    table = screen(app).table
    index = [c.key.value for c in table.ordered_columns].index(key)
    return [row[index] for row in rows(app)]


def on_disk(session: Session) -> Portfolio:
    return load_portfolio(session.workspace.portfolio_path)


def error_text(app: FolioApp, field: str) -> str:
    error = app.screen.query_one(f"#{field}-error", Static)
    return str(error.visual) if error.has_class("-shown") else ""


async def open_sources(pilot: Pilot[Any]) -> None:
    await pilot.press("4")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SourcesScreen), "sources")


async def type_into(pilot: Pilot[Any], text: str) -> None:
    """Replace the focused input's text, the way a user would."""
    await pilot.press("home", "ctrl+k", *text)


def feed_page(feed_path: str) -> bytes:
    return (
        "<!doctype html><html><head><title>Clips</title>"
        f'<link rel="alternate" type="application/rss+xml" title="RSS" href="{feed_path}">'
        "</head><body><p>A podcast.</p></body></html>"
    ).encode()


PODCAST_RSS = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    b"<title>Clip Show</title><link>https://clips.example/</link><description>d</description>"
    b"<item><title>Episode 1</title><guid>clip-1</guid>"
    b"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>"
    b'<enclosure url="https://clips.example/1.mp3" type="audio/mpeg" length="1000"/>'
    b"</item></channel></rss>"
)


@pytest.fixture
def server() -> Iterator[TestServer]:
    running = TestServer()
    try:
        yield running
    finally:
        running.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- words for times ----------------------------------------------------------------------


def test_time_words() -> None:
    now = FIXED_NOW
    assert ago(now - dt.timedelta(minutes=5), now) == "5m ago"
    assert ago(now - dt.timedelta(seconds=20), now) == "just now"
    assert ago(now - dt.timedelta(hours=3, minutes=2), now) == "3h ago"
    assert ago(now - dt.timedelta(days=3), now) == "3d ago"
    assert ago(None, now) == "never"
    assert until(now + dt.timedelta(minutes=25), now) == "in 25m"
    assert until(now + dt.timedelta(seconds=90), now) == "in 2m"
    assert until(now + dt.timedelta(seconds=42), now) == "in 42s"
    assert until(now - dt.timedelta(minutes=1), now) == "due now"
    assert countdown(now + dt.timedelta(minutes=4, seconds=32), now) == "4:32"
    assert countdown(now + dt.timedelta(hours=1, seconds=5), now) == "1:00:05"
    assert countdown(now - dt.timedelta(seconds=1), now) == ""


# -- the table ----------------------------------------------------------------------------


async def test_table_shows_every_source_and_its_health(session: Session) -> None:
    state = session.store.state(SOURCES[3].url)
    state.status, state.error, state.http_status = "error", f"server said {HOSTILE}", 429
    state.retry_after = FIXED_NOW + dt.timedelta(minutes=4, seconds=32)
    session.store.save_state(state)
    session.portfolio.sources[1].name = HOSTILE
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_sources(pilot)
        assert column(app, "name") == [HOSTILE if i == 1 else s.name for i, s in enumerate(SOURCES)]
        first = dict(zip(rows_keys(app), rows(app)[0], strict=True))
        assert first == {
            "name": "People Ops Weekly",
            "kind": "blog",
            "status": "ok",
            "items": "8",
            "unread": "8",
            "hits": "67%",
            "fetched": "5m ago",
            "due": "in 25m",
            "retry": "",
            "error": "",
        }
        assert column(app, "status")[3] == "error"
        assert column(app, "retry")[3] == "4:32"
        # Markup in a title or an error is shown as typed, never parsed.
        assert column(app, "error")[3] == f"server said {HOSTILE}"
        await pilot.press("j", "j", "j")
        detail = str(screen(app).query_one("#detail", Static).visual)
        assert f"Last error (HTTP 429): server said {HOSTILE}" in detail
        assert app.is_running  # the [@click=app.quit] in the title did nothing


async def test_narrow_terminal_keeps_the_timings_in_view(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sources(pilot)
        table = screen(app).table
        keys = [c.key.value for c in table.ordered_columns]
        assert "kind" not in keys and "items" not in keys
        assert sum(c.get_render_width(table) for c in table.ordered_columns[:-1]) <= 80
        await pilot.press("j", "j")
        detail = str(screen(app).query_one("#detail", Static).visual)
        assert "blog · 8 items, 8 unread" in detail
        assert "fetched 5m ago · next in 25m · 304 hit rate 67%" in detail
        await pilot.resize_terminal(140, 40)
        await wait_for(pilot, lambda: "kind" in rows_keys(app), "the wide layout")
        assert screen(app).table.cursor_row == 2
        assert column(app, "kind")[2] == "blog"


def rows_keys(app: FolioApp) -> list[str]:
    return [str(c.key.value) for c in screen(app).table.ordered_columns]


async def test_countdown_ticks_while_visible(session: Session) -> None:
    clock = [FIXED_NOW]
    session.clock = lambda: clock[0]
    state = session.store.state(SOURCES[0].url)
    state.retry_after = FIXED_NOW + dt.timedelta(minutes=1, seconds=5)
    session.store.save_state(state)
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_sources(pilot)
        assert column(app, "retry")[0] == "1:05"
        clock[0] = FIXED_NOW + dt.timedelta(seconds=3)
        await wait_for(pilot, lambda: column(app, "retry")[0] == "1:02", "the countdown to tick")
        clock[0] = FIXED_NOW + dt.timedelta(minutes=2)
        await wait_for(pilot, lambda: column(app, "retry")[0] == "", "the countdown to end")
        assert column(app, "fetched")[0] == "7m ago"


async def test_refresh_events_redraw_and_keep_the_cursor(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_sources(pilot)
        await pilot.press("j", "j", "j", "j")
        assert screen(app).table.cursor_row == 4
        state = session.store.state(SOURCES[2].url)
        state.status, state.error = "error", "cannot connect: connection refused"
        session.store.save_state(state)
        app.broadcast(lambda: SourceRefreshed(SOURCES[2].url, 0, None))
        await wait_for(pilot, lambda: column(app, "status")[2] == "error", "a redraw")
        assert column(app, "error")[2] == "cannot connect: connection refused"
        state.status, state.error = "not-modified", ""
        session.store.save_state(state)
        app.broadcast(lambda: RefreshFinished(None))
        await wait_for(pilot, lambda: column(app, "status")[2] == "not modified", "a redraw")
        assert screen(app).table.cursor_row == 4


# -- editing ------------------------------------------------------------------------------


async def test_edit_validates_and_saves_to_disk(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sources(pilot)
        await pilot.press("j", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditSourceScreen), "the form")
        await type_into(pilot, "Tag Theory Weekly")
        await pilot.press("tab", "enter", "down", "enter")  # kind: blog -> podcast
        assert app.screen.query_one("#kind", Select).value == "podcast"
        await pilot.press("tab")
        await type_into(pilot, "tagging, theory, tagging")
        await pilot.press("tab")
        await type_into(pilot, "soon")
        await pilot.press("enter")
        assert "Expected a duration" in error_text(app, "interval")
        assert isinstance(app.screen, EditSourceScreen)  # still open: nothing saved
        assert on_disk(session).sources[1].name == "Tag Theory"
        await type_into(pilot, "90 m")
        await pilot.press("tab", "space")  # mine on
        await pilot.press("shift+tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "the form to close")
        saved = on_disk(session).sources[1]
        assert saved == Source(
            SOURCES[1].url,
            "Tag Theory Weekly",
            "podcast",
            ["tagging", "theory"],
            mine=True,
            interval="90m",
        )
        assert rows(app)[1][:2] == ["Tag Theory Weekly", "podcast"]
        assert screen(app).table.cursor_row == 1
        detail = str(screen(app).query_one("#detail", Static).visual)
        assert "every 90m · mine" in detail


async def test_enter_and_click_open_the_editor_and_escape_changes_nothing(
    session: Session,
) -> None:
    before = session.workspace.portfolio_path.read_bytes()
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sources(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditSourceScreen), "the form")
        form = app.screen
        assert isinstance(form, EditSourceScreen) and form.source.url == SOURCES[0].url
        await type_into(pilot, "Changed but cancelled")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "the form to close")
        assert session.workspace.portfolio_path.read_bytes() == before
        # Mouse: a click moves the cursor; a click on the highlighted row opens it.
        await pilot.click(DataTable, offset=(3, 3))
        assert screen(app).table.cursor_row == 2
        await pilot.click(DataTable, offset=(3, 3))
        await wait_for(pilot, lambda: isinstance(app.screen, EditSourceScreen), "the form")
        form = app.screen
        assert isinstance(form, EditSourceScreen) and form.source.url == SOURCES[2].url


async def test_delete_asks_first_and_undo_brings_it_back(session: Session) -> None:
    url = SOURCES[2].url
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sources(pilot)
        await pilot.press("j", "j", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "no")
        assert url in [s.url for s in on_disk(session).sources]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: len(rows(app)) == 5, "the row to go")
        assert url not in [s.url for s in on_disk(session).sources]
        assert "My Own Blog" not in column(app, "name")
        assert session.store.count(sources=[url]) == 0
        assert screen(app).table.cursor_row == 2  # the next source takes its place
        await pilot.press("u")
        await wait_for(pilot, lambda: len(rows(app)) == 6, "the row to return")
        assert [s.url for s in on_disk(session).sources] == [s.url for s in SOURCES]
        assert column(app, "name")[2] == "My Own Blog"
        await pilot.press("u")  # nothing left to undo: a notification, no error
        assert [s.url for s in on_disk(session).sources] == [s.url for s in SOURCES]


async def test_read_only_portfolio_refuses_edits_and_says_why(session: Session) -> None:
    path = session.workspace.portfolio_path
    path.write_text(path.read_text() + "\nthis is = = not toml\n")
    broken = Session(session.workspace)
    broken.clock = lambda: FIXED_NOW
    before = path.read_bytes()
    app = make_app(broken)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await open_sources(pilot)
            status = str(screen(app).query_one("StatusBar", Static).visual)
            assert "read-only: portfolio.toml has an error" in status
            for key in ("a", "e", "d", "u"):
                app.clear_notifications()
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, SourcesScreen), key
                messages = [n.message for n in app._notifications]
                assert any("until portfolio.toml is fixed" in m for m in messages), key
        assert path.read_bytes() == before
    finally:
        broken.close()


# -- adding -------------------------------------------------------------------------------


async def test_add_discovers_the_feed_a_page_advertises(
    session: Session, server: TestServer
) -> None:
    server.route("/", body=feed_page("/feed.xml"), content_type="text/html; charset=utf-8")
    server.route("/feed.xml", body=PODCAST_RSS)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sources(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddSourceScreen), "the form")
        await pilot.press(*server.url("/"))
        await pilot.press("tab", "tab", "tab", *"clips, audio", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "discovery")
        added = on_disk(session).sources[-1]
        assert added == Source(server.url("/feed.xml"), "Clip Show", "podcast", ["clips", "audio"])
        # A new source is fetched at once rather than waiting for its schedule.
        await wait_for(pilot, lambda: rows(app)[-1][2] == "ok", "the new source's refresh")
        assert rows(app)[-1][:2] == ["Clip Show", "podcast"]
        assert screen(app).table.cursor_row == len(SOURCES)
        assert [seen.path for seen in server.requests] == ["/", "/feed.xml", "/feed.xml"]
        assert session.store.count(sources=[added.url]) > 0


async def test_add_refuses_a_source_already_followed(session: Session, server: TestServer) -> None:
    server.route("/", body=feed_page("/feed.xml"), content_type="text/html")
    server.route("/feed.xml", body=PODCAST_RSS)
    session.add_source(Source(server.url("/feed.xml"), "Clips"))
    before = session.workspace.portfolio_path.read_bytes()
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sources(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddSourceScreen), "the form")
        # The same address, written a little differently: refused before any request.
        await pilot.press(*"HTTPS://People.Example/feed/", "enter")
        assert error_text(app, "url") == "You already follow this: People Ops Weekly."
        # A page whose feed is already followed: refused after discovery.
        await type_into(pilot, server.url("/"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(error_text(app, "url")), "discovery")
        assert error_text(app, "url") == "That page's feed is one you already follow: Clips."
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "the form to close")
    assert session.workspace.portfolio_path.read_bytes() == before


async def test_add_shows_it_is_looking_and_escape_abandons_it(
    session: Session, server: TestServer
) -> None:
    release = threading.Event()
    server.route("/slow.xml", body=PODCAST_RSS, hold=release)
    before = session.workspace.portfolio_path.read_bytes()
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sources(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddSourceScreen), "the form")
        form = app.screen
        assert isinstance(form, AddSourceScreen)
        await pilot.press(*server.url("/slow.xml"), "enter")
        await wait_for(pilot, lambda: len(server.hits("/slow.xml")) == 1, "the request")
        assert form.busy and form.query_one("#looking").has_class("-shown")
        looking = str(form.query_one("#looking-text", Static).visual)
        assert looking == f"Looking for a feed at {server.url('/slow.xml')} …"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "the form to close")
        release.set()
        await pilot.pause(0.2)
        assert len(rows(app)) == len(SOURCES)
    assert session.workspace.portfolio_path.read_bytes() == before


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("dead", "cannot connect"),
        ("no feed", "advertises no feed"),
        ("not found", "404"),
        ("not a url", "Only http:// and https:// addresses can be followed."),
        ("empty", "Type the address of a feed"),
    ],
)
async def test_add_explains_what_went_wrong(
    session: Session, server: TestServer, case: str, expected: str
) -> None:
    server.route(
        "/page", body=b"<!doctype html><html><body>hi</body></html>", content_type="text/html"
    )
    address = {
        "dead": f"http://127.0.0.1:{closed_port()}/feed",
        "no feed": server.url("/page"),
        "not found": server.url("/missing"),
        "not a url": "ftp://files.example/feed",
        "empty": "",
    }[case]
    before = session.workspace.portfolio_path.read_bytes()
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sources(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddSourceScreen), "the form")
        await pilot.press(*address, "enter")
        await wait_for(pilot, lambda: bool(error_text(app, "url")), "an error")
        assert expected in error_text(app, "url")
        assert "Traceback" not in error_text(app, "url")
        form = app.screen
        assert isinstance(form, AddSourceScreen) and not form.busy
        assert not form.query_one("#url", Input).disabled  # the user can correct it
    assert session.workspace.portfolio_path.read_bytes() == before
