"""linkding and Pinboard, through the outbox and the source adapter, against loopback
servers that answer as their documentation says (see tests/bookmark_services.py for the
pages: linkding's docs/API.md, Pinboard's v1 API page https://pinboard.in/api/).

Covered: the add and delete calls and their idempotence, pagination and incremental
listings, a complete listing removing what the service deleted, 401, 429 with
Retry-After, a server down for the first three attempts, a service that times out
mid-push, only http(s) sent, and Pinboard's pace of one call per 3 s.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tui.core.bookmarks.common import Bookmark, BookmarkSender, Pacer
from tui.core.bookmarks.linkding import Linkding
from tui.core.bookmarks.local import import_bookmarks, queue_changes
from tui.core.bookmarks.pinboard import Pinboard
from tui.core.config import BookmarkSettings, RefreshSettings, Settings
from tui.core.credentials import Credentials
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState
from tui.core.net.fetch import Fetcher
from tui.core.outbox.queue import Outbox
from tui.core.outbox.sender import flush
from tui.core.refresh.refresher import Refresher
from tui.core.services import build_senders
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from tests.bookmark_services import FakeLinkding, FakePinboard

pytest_plugins = ["httpserver", "bookmark_services"]

TOKEN = "s3cret-token"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
"""Retry-After is read against the real clock, so the tests' times start from it."""


def later(hours: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "folio.db")


@pytest.fixture(autouse=True)
def _fast_pinboard(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pinboard's 3 s between calls is tested on its own, with a clock of its own.
    monkeypatch.setattr(Pinboard, "call_every", 0.0)
    Pacer._shared.clear()


def fetcher(timeout: float = 5.0) -> Fetcher:
    return Fetcher(RefreshSettings(timeout=timeout, connect_timeout=timeout))


def queue(store: Store, *bookmarks: Bookmark, action: str = "add") -> None:
    outbox = Outbox(store)
    outbox.put_many("bookmarks", [(action, b.url, b.payload()) for b in bookmarks], now=NOW)


# -- linkding -------------------------------------------------------------------------


async def test_linkding_add_then_delete_and_sending_twice_does_no_harm(
    linkding: FakeLinkding, store: Store
) -> None:
    hostile = Bookmark(
        "https://example.org/a",
        title="[@click=app.quit]x[/] \x1b[31mred",
        description="<script>alert(1)</script>",
        tags=["hr", "remote work", "a,b"],
    )
    queue(store, hostile.cleaned(), hostile.cleaned())
    async with fetcher() as client_fetcher:
        sender = BookmarkSender(Linkding(client_fetcher, linkding.url, TOKEN))
        report = await flush(Outbox(store), sender, NOW)
        assert report.sent == 2 and report.waiting == 0
        assert linkding.urls() == ["https://example.org/a"]  # one bookmark, updated twice
        saved = linkding.by_url("https://example.org/a")
        assert saved is not None
        assert saved["title"] == "[@click=app.quit]x[/] [31mred"  # the ESC is gone
        assert saved["description"] == "<script>alert(1)</script>"
        assert saved["tag_names"] == ["hr", "remote", "work", "a", "b"]
        assert "shared" in saved and saved["shared"] is False  # linkding's default kept
        queue(store, Bookmark("https://example.org/a"), action="delete")
        queue(store, Bookmark("https://example.org/a"), action="delete")
        report = await flush(Outbox(store), sender, NOW)
    assert report.sent == 2 and linkding.urls() == []


async def test_only_web_addresses_are_ever_sent(linkding: FakeLinkding, store: Store) -> None:
    queue(store, Bookmark("javascript:alert(1)"), Bookmark("file:///etc/passwd"))
    async with fetcher() as client_fetcher:
        sender = BookmarkSender(Linkding(client_fetcher, linkding.url, TOKEN))
        report = await flush(Outbox(store), sender, NOW)
    assert report.failed == 2 and report.sent == 0
    assert linkding.server.requests == []
    failed = Outbox(store).failed()
    assert all(entry.last_error == "only http and https addresses are sent" for entry in failed)


async def test_a_refused_token_keeps_the_changes_and_says_why(
    linkding: FakeLinkding, store: Store
) -> None:
    queue(store, Bookmark("https://example.org/a"), Bookmark("https://example.org/b"))
    async with fetcher() as client_fetcher:
        wrong = BookmarkSender(Linkding(client_fetcher, linkding.url, "wrong"))
        report = await flush(Outbox(store), wrong, NOW)
        assert report.sent == 0 and report.waiting == 2
        (waiting,) = Outbox(store).waiting()
        assert waiting.waiting == 2
        assert "linkding refused the token (401)" in waiting.reason
        assert "wrong" not in waiting.reason
        # The user fixes the token: the same changes go out, in order.
        right = BookmarkSender(Linkding(client_fetcher, linkding.url, TOKEN))
        report = await flush(Outbox(store), right, later(1))
    assert report.sent == 2
    assert linkding.urls() == ["https://example.org/a", "https://example.org/b"]


async def test_no_token_at_all_is_said_in_words(linkding: FakeLinkding, store: Store) -> None:
    queue(store, Bookmark("https://example.org/a"))
    settings = Settings(bookmarks=BookmarkSettings("linkding", linkding.url))
    async with fetcher() as client_fetcher:
        (sender,) = build_senders(settings, Credentials(environ={}), client_fetcher)
        await flush(Outbox(store), sender, NOW)
    (waiting,) = Outbox(store).waiting()
    assert waiting.reason.startswith("no linkding token: set FOLIO_BOOKMARKS_TOKEN")
    assert linkding.server.requests == []


async def test_429_with_retry_after_is_honoured(linkding: FakeLinkding, store: Store) -> None:
    from tests.httpserver import Answer

    linkding.faults.down = [Answer.json({"detail": "slow down"}, 429, **{"Retry-After": "7200"})]
    queue(store, Bookmark("https://example.org/a"))
    async with fetcher() as client_fetcher:
        sender = BookmarkSender(Linkding(client_fetcher, linkding.url, TOKEN))
        await flush(Outbox(store), sender, NOW)
        (entry,) = Outbox(store).pending("bookmarks")
        assert entry.next_try is not None
        # Not before the two hours the server asked for, although back-off alone says 30 s.
        assert entry.next_try - dt.datetime.now(dt.UTC) > dt.timedelta(hours=1, minutes=55)
        assert "429" in entry.last_error
        report = await flush(Outbox(store), sender, later(1))
        assert report.sent == 0  # still waiting
        report = await flush(Outbox(store), sender, later(3))
    assert report.sent == 1


async def test_a_server_down_for_three_attempts_gets_everything_in_order(
    linkding: FakeLinkding, store: Store
) -> None:
    from tests.httpserver import Answer

    down = Answer(503, b"<html>maintenance</html>", {"Content-Type": "text/html"})
    linkding.faults.down = [down, down, down]
    urls = [f"https://example.org/{n}" for n in range(5)]
    queue(store, *(Bookmark(url, title=f"n{n}") for n, url in enumerate(urls)))
    queue(store, Bookmark(urls[2]), action="delete")
    async with fetcher() as client_fetcher:
        sender = BookmarkSender(Linkding(client_fetcher, linkding.url, TOKEN))
        for attempt in range(3):
            report = await flush(Outbox(store), sender, later(attempt * 10))
            assert report.sent == 0 and report.waiting == 6
            assert "503" in report.errors[0]
        report = await flush(Outbox(store), sender, later(40))
    assert report.sent == 6 and report.waiting == 0
    assert linkding.urls() == sorted(set(urls) - {urls[2]})


async def test_a_push_that_times_out_is_sent_again_without_a_duplicate(
    linkding: FakeLinkding, store: Store
) -> None:
    linkding.faults.slow = 2.0  # linkding saves it, then answers too late
    queue(store, Bookmark("https://example.org/a", title="first"))
    async with fetcher(timeout=0.5) as client_fetcher:
        sender = BookmarkSender(Linkding(client_fetcher, linkding.url, TOKEN))
        report = await flush(Outbox(store), sender, NOW)
        assert report.sent == 0 and "timed out" in report.errors[0]
        assert linkding.urls() == ["https://example.org/a"]
        report = await flush(Outbox(store), sender, later(1))
    assert report.sent == 1
    assert linkding.urls() == ["https://example.org/a"]  # updated, not added twice


async def test_linkding_listing_pages_then_goes_incremental_then_full(
    linkding: FakeLinkding,
) -> None:
    for n in range(230):
        linkding.add(f"https://example.org/{n}", title=f"n{n}", tag_names=["x"])
    linkding.add("https://example.org/archived", archived=True)
    async with fetcher() as client_fetcher:
        client = Linkding(client_fetcher, linkding.url, TOKEN)
        first = await client.listing({}, NOW)
        assert first.complete and len(first.bookmarks) == 231
        offsets = [
            seen.query.get("offset", ["0"])[0]
            for seen in linkding.server.hits("/api/bookmarks/")
            if seen.method == "GET"
        ]
        assert offsets == ["0", "100", "200"]
        linkding.add("https://example.org/new", title="new one")
        second = await client.listing(first.cursor, later(1))
        assert not second.complete
        assert [b.url for b in second.bookmarks] == ["https://example.org/new"]
        assert linkding.server.hits("/api/bookmarks/")[-1].query["modified_since"]
        third = await client.listing(second.cursor, later(7))
    assert third.complete and len(third.bookmarks) == 232


async def test_the_service_source_follows_additions_and_deletions(
    linkding: FakeLinkding, store: Store
) -> None:
    """The adapter through the real refresher: items flagged bookmarked; a complete listing
    removes what linkding deleted, but never an item whose addition still waits."""
    keep = linkding.add("https://example.org/keep", title="Keep")
    gone = linkding.add("https://example.org/gone", title="Gone <b>", description="d & e")
    settings = Settings(bookmarks=BookmarkSettings("linkding", linkding.url))
    source = Source(url=settings.bookmarks.base_url, kind="bookmarks", api="linkding")
    refresher = Refresher(store, settings, parse_workers=0)
    refresher._credentials = Credentials({"bookmarks_token": TOKEN}, environ={})
    try:
        summary = await refresher.refresh([source])
        assert summary.ok == 1, summary.results
        items = {item.link: item for item in store.items(sources=[source.url])}
        assert set(items) == {"https://example.org/keep", "https://example.org/gone"}
        assert all(item.bookmarked for item in items.values())
        assert items["https://example.org/gone"].title == "Gone <b>"
        assert items["https://example.org/gone"].summary == "d & e"
        # Deleted on linkding; meanwhile folio queued a bookmark the service lacks yet.
        with linkding.lock:
            del linkding.bookmarks[gone]
        import_bookmarks(store, settings.bookmarks, [Bookmark("https://example.org/queued")])
        state = store.state(source.url)
        cursor = json.loads(state.cursor)
        cursor["full"] = "2000-01-01T00:00:00Z"  # a full listing is due
        state.cursor = json.dumps(cursor)
        store.save_state(state)
        await refresher.refresh([source])
    finally:
        await refresher.close()
    links = {item.link for item in store.items(sources=[source.url])}
    assert links == {"https://example.org/keep", "https://example.org/queued"}
    assert keep in linkding.bookmarks


# -- Pinboard -------------------------------------------------------------------------


async def test_pinboard_add_replaces_and_delete_of_a_missing_post_is_done(
    pinboard: FakePinboard, store: Store
) -> None:
    queue(
        store,
        Bookmark("https://example.org/a", title="A", tags=["x", "y"], private=True),
        Bookmark("https://example.org/a", title="A again", tags=["x"]),
    )
    queue(store, Bookmark("https://example.org/never"), action="delete")
    async with fetcher() as client_fetcher:
        sender = BookmarkSender(Pinboard(client_fetcher, pinboard.url, TOKEN, user="ana"))
        report = await flush(Outbox(store), sender, NOW)
    assert report.sent == 3
    post = pinboard.posts["https://example.org/a"]
    assert post["description"] == "A again" and post["tags"] == "x"
    adds = pinboard.server.hits("/v1/posts/add")
    assert all(seen.query["replace"] == ["yes"] for seen in adds)
    # Private when said so; otherwise the user's own default on Pinboard.
    assert [seen.query.get("shared") for seen in adds] == [["no"], None]
    assert all("s3cret" not in error for error in report.errors)


async def test_pinboard_token_forms_and_refusal(pinboard: FakePinboard, store: Store) -> None:
    queue(store, Bookmark("https://example.org/a"))
    async with fetcher() as client_fetcher:
        whole = BookmarkSender(Pinboard(client_fetcher, pinboard.url, f"ana:{TOKEN}"))
        assert (await flush(Outbox(store), whole, NOW)).sent == 1
        queue(store, Bookmark("https://example.org/b"))
        wrong = BookmarkSender(Pinboard(client_fetcher, pinboard.url, "ana:nope"))
        report = await flush(Outbox(store), wrong, NOW)
        assert "Pinboard refused the token (401)" in report.errors[0]
        assert "nope" not in report.errors[0]
        bare = BookmarkSender(Pinboard(client_fetcher, pinboard.url, TOKEN))
        report = await flush(Outbox(store), bare, later(1))
    assert 'Pinboard\'s token is "user:TOKEN"' in report.errors[0]


async def test_pinboard_429_backs_off(pinboard: FakePinboard, store: Store) -> None:
    from tests.httpserver import Answer

    pinboard.faults.down = [Answer(429, b"Too Many Requests", {"Retry-After": "90"})]
    queue(store, Bookmark("https://example.org/a"))
    async with fetcher() as client_fetcher:
        client = Pinboard(client_fetcher, pinboard.url, TOKEN, user="ana")
        report = await flush(Outbox(store), BookmarkSender(client), NOW)
        assert "429" in report.errors[0]
        (entry,) = Outbox(store).pending("bookmarks")
        assert entry.next_try is not None
        assert entry.next_try - dt.datetime.now(dt.UTC) > dt.timedelta(seconds=80)
        # The pacer holds every call of this account for those 90 s as well.
        assert client.pacer._next - client.pacer.clock() > 80


async def test_pinboard_lists_all_only_when_updated_and_not_twice_in_5_minutes(
    pinboard: FakePinboard,
) -> None:
    pinboard.add("https://example.org/a", "A", "x y")
    async with fetcher() as client_fetcher:
        client = Pinboard(client_fetcher, pinboard.url, TOKEN, user="ana")
        first = await client.listing({}, NOW)
        assert first.complete and [b.tags for b in first.bookmarks] == [["x", "y"]]
        same = await client.listing(first.cursor, NOW + dt.timedelta(minutes=10))
        assert not same.changed and pinboard.all_calls == 1
        pinboard.add("https://example.org/b", "B")
        soon = await client.listing(first.cursor, NOW + dt.timedelta(minutes=2))
        assert not soon.changed and "5 minutes" in soon.note and pinboard.all_calls == 1
        late = await client.listing(first.cursor, NOW + dt.timedelta(minutes=6))
    assert late.complete and len(late.bookmarks) == 2 and pinboard.all_calls == 2


async def test_pinboard_calls_are_three_seconds_apart() -> None:
    """The pacer, on a clock of its own (no wall-clock timing in unit tests)."""
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(3.0, clock=lambda: now[0], sleep=sleep)
    starts = []
    for _ in range(4):
        await pacer.wait()
        starts.append(now[0])
        now[0] += 0.2  # the call itself
    assert [b - a for a, b in itertools.pairwise(starts)] == [3.0, 3.0, 3.0]
    pacer.hold(60)
    await pacer.wait()
    assert now[0] - starts[-1] >= 60


# -- folio's side ---------------------------------------------------------------------


def test_queue_changes_sends_the_source_and_item_tags_and_the_summary_as_text(
    store: Store,
) -> None:
    state = SourceState(url="https://blog.example/feed")
    item = ParsedItem(
        guid="1",
        title="Hiring in public",
        link="https://blog.example/1",
        summary="<p>Why <b>we</b> post salaries.</p>",
        tags=["hiring"],
    )
    store.store_feed(state, ParsedFeed(items=[item, ParsedItem(guid="2", link="gopher://x")]))
    items = store.items()
    source = Source(url=state.url, tags=["hr", "Hiring"])
    with store.transaction() as db:
        queued = queue_changes(db, items, True, {state.url: source})
    assert queued == 1
    (entry,) = Outbox(store).pending("bookmarks")
    assert entry.key == "https://blog.example/1"
    assert entry.payload["tags"] == ["hr", "Hiring"]  # "hiring" is the same tag
    assert entry.payload["description"] == "Why we post salaries."
    assert entry.payload["title"] == "Hiring in public"


def test_folio_refresh_sends_the_queue_and_lists_the_service(
    linkding: FakeLinkding, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``folio import bookmarks.html`` queues and sends; ``folio refresh`` lists the
    service's bookmarks as a source and sends what waits; ``folio sources`` shows it."""
    import os
    import subprocess
    import sys

    from tui.core.bookmarks.netscape import write_bookmarks
    from tui.core.storage import paths

    paths.portfolio_path().parent.mkdir(parents=True, exist_ok=True)
    paths.portfolio_path().write_text("")
    paths.settings_path().write_text(f'[bookmarks]\nservice = "linkding"\nurl = "{linkding.url}"\n')
    linkding.add("https://example.org/on-linkding", title="Saved on linkding")
    file = tmp_path / "bookmarks.html"
    file.write_text(write_bookmarks([Bookmark("https://example.org/imported", title="Imp")]))

    def folio(*args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "FOLIO_BOOKMARKS_TOKEN": token}
        return subprocess.run(
            [sys.executable, "-m", "tui", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    imported = folio("import", str(file), token="wrong")
    assert imported.returncode == 0, imported.stderr
    assert "1 queued for linkding" in imported.stdout
    assert "linkding refused the token (401)" in imported.stderr
    assert "wrong" not in imported.stderr.replace("wrong-", "")
    assert linkding.urls() == ["https://example.org/on-linkding"]
    refreshed = folio("refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "1 ok" in refreshed.stdout
    assert linkding.urls() == ["https://example.org/imported", "https://example.org/on-linkding"]
    with Store(paths.db_path()) as store:
        links = {item.link for item in store.items(flag="bookmarked")}
        assert Outbox(store).pending("bookmarks") == []
    assert links == {"https://example.org/imported", "https://example.org/on-linkding"}
    listed = folio("sources")
    assert "linkding" in listed.stdout and "bookmarks" in listed.stdout


async def test_pinboard_down_three_times_then_a_push_that_times_out(
    pinboard: FakePinboard, store: Store
) -> None:
    from tests.httpserver import Answer

    down = Answer(503, b"Service Unavailable", {"Content-Type": "text/plain"})
    pinboard.faults.down = [down, down, down]
    queue(store, Bookmark("https://example.org/a", title="A"))
    async with fetcher(timeout=0.5) as client_fetcher:
        sender = BookmarkSender(Pinboard(client_fetcher, pinboard.url, TOKEN, user="ana"))
        for attempt in range(3):
            report = await flush(Outbox(store), sender, later(attempt * 10))
            assert report.sent == 0 and "503" in report.errors[0]
        pinboard.faults.slow = 2.0  # taken, but the answer comes too late
        report = await flush(Outbox(store), sender, later(40))
        assert report.sent == 0 and "timed out" in report.errors[0]
        assert list(pinboard.posts) == ["https://example.org/a"]
        report = await flush(Outbox(store), sender, later(50))
    assert report.sent == 1 and list(pinboard.posts) == ["https://example.org/a"]


async def test_the_first_listing_is_no_news_but_what_comes_later_is(
    linkding: FakeLinkding, store: Store
) -> None:
    """A collection of years does not flood the Inbox: the first listing is stored read,
    but for bookmarks marked unread on linkding; bookmarks added later arrive unread."""
    linkding.add("https://example.org/old", title="Old")
    linkding.add("https://example.org/to-read", title="To read", unread=True)
    settings = Settings(bookmarks=BookmarkSettings("linkding", linkding.url))
    source = Source(url=settings.bookmarks.base_url, kind="bookmarks", api="linkding")
    refresher = Refresher(store, settings, parse_workers=0)
    refresher._credentials = Credentials({"bookmarks_token": TOKEN}, environ={})
    try:
        await refresher.refresh([source])
        unread = {i.link for i in store.items(sources=[source.url], unread=True)}
        assert unread == {"https://example.org/to-read"}
        linkding.add("https://example.org/new", title="New")
        await refresher.refresh([source])
    finally:
        await refresher.close()
    unread = {i.link for i in store.items(sources=[source.url], unread=True)}
    assert unread == {"https://example.org/to-read", "https://example.org/new"}
