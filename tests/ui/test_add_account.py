"""The Add dialog with an account's address: it says which API it will use, reads the account
once (a loopback Mastodon instance answering as https://docs.joinmastodon.org/methods/accounts/
documents), and the Sources screen then shows the API, and a note when it fell back to RSS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Static

pytest.register_assert_rewrite("httpserver")
from tests.httpserver import Answer, Seen, TestServer  # noqa: E402
from tests.ui.conftest import wait_for  # noqa: E402
from tui.app import FolioApp  # noqa: E402
from tui.core.models import utcnow  # noqa: E402
from tui.core.session import Session  # noqa: E402
from tui.core.storage.portfolio import load_portfolio  # noqa: E402
from tui.screens.forms import AddSourceScreen  # noqa: E402
from tui.screens.sources import SourcesScreen  # noqa: E402


@pytest.fixture
def server() -> Iterator[TestServer]:
    running = TestServer()
    try:
        yield running
    finally:
        running.close()


def instance(server: TestServer, locked: bool = False) -> None:
    account = {"id": "9", "username": "ana", "display_name": "Ana Example",
               "followers_count": 5, "following_count": 1, "statuses_count": 1}  # fmt: skip
    created = (utcnow() - dt.timedelta(hours=2)).isoformat()

    def refuse_or(answer: Answer) -> Answer:
        if locked:
            return Answer.json({"error": "This API requires an authenticated user"}, 401)
        return answer

    def lookup(seen: Seen) -> Answer:
        return refuse_or(Answer.json(account))

    def statuses(seen: Seen) -> Answer:
        status = {"id": "5", "url": "https://social.example/@ana/5", "created_at": created,
                  "content": "<p>Hello #fediverse</p>", "replies_count": 1,
                  "reblogs_count": 0, "favourites_count": 2, "account": account}  # fmt: skip
        return refuse_or(Answer.json([status]))

    server.handle("/api/v1/accounts/lookup", lookup)
    server.handle("/api/v1/accounts/9/statuses", statuses)
    server.route("/@ana.rss", body=server.rss("Ana's posts", items=2))


async def open_add(pilot: Pilot[Any]) -> AddSourceScreen:
    await pilot.press("4")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SourcesScreen), "sources")
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AddSourceScreen), "the form")
    form = pilot.app.screen
    assert isinstance(form, AddSourceScreen)
    return form


def detail(app: FolioApp) -> str:
    return str(app.screen.query_one("#detail", Static).visual)


def error_text(app: FolioApp) -> str:
    error = app.screen.query_one("#url-error", Static)
    return str(error.visual) if error.has_class("-shown") else ""


async def test_adding_a_mastodon_account_reads_it_through_the_api(
    session: Session, server: TestServer
) -> None:
    instance(server)
    app = FolioApp(session, auto_refresh=False)
    address = server.url("/@ana")
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_add(pilot)
        await pilot.press(*address, "tab", "tab", "tab", "tab", "space")
        assert form.query_one("#mine", Checkbox).value  # tab reached "Mine"; space ticked it
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "the check")
        added = load_portfolio(session.workspace.portfolio_path).sources[-1]
        assert (added.url, added.api, added.mine) == (address, "mastodon", True)
        assert added.name == "Ana Example (@ana@127.0.0.1)"
        await wait_for(pilot, lambda: "through the Mastodon API" in detail(app), "the detail")
        await wait_for(
            pilot, lambda: bool(session.store.engagement_history(address)), "the first counts"
        )


async def test_the_form_says_which_api_it_checks(session: Session, server: TestServer) -> None:
    import threading

    held = threading.Event()
    instance(server)
    server.route("/api/v1/accounts/lookup", hold=held, body=b"{}")
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_add(pilot)
        await pilot.press(*server.url("/@ana"), "enter")
        await wait_for(pilot, lambda: form.busy, "the check")
        looking = str(form.query_one("#looking-text", Static).visual)
        assert looking == "Checking the Mastodon API (@ana@127.0.0.1) …"
        await pilot.press("escape")
        held.set()


async def test_a_locked_instance_is_read_through_rss_with_a_note(
    session: Session, server: TestServer
) -> None:
    instance(server, locked=True)
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_add(pilot)
        await pilot.press(*server.url("/@ana"), "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen), "the check")
        await wait_for(pilot, lambda: "Note:" in detail(app), "the note")
        assert "needs a token" in detail(app) and "RSS feed instead" in detail(app)
        assert "Last error" not in detail(app)


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("https://www.reddit.com/r/humanresources", "Reddit's API answers 403"),
        ("https://www.linkedin.com/in/someone", "LinkedIn offers no feed"),
    ],
)
async def test_reddit_and_linkedin_are_refused_at_once(
    session: Session, address: str, words: str
) -> None:
    before = session.workspace.portfolio_path.read_bytes()
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_add(pilot)
        await pilot.press(*address, "enter")
        await wait_for(pilot, lambda: bool(error_text(app)), "the refusal")
        assert words in error_text(app)
        assert not form.busy
    assert session.workspace.portfolio_path.read_bytes() == before
