"""Two folio homes (two stores, two portfolio.toml files) syncing through one server end the
same: read on one shows read on the other, in both directions, with changes made while the
server was down. Run against both loopback servers (tests/fake_miniflux.py, answering as
https://miniflux.app/docs/api.html says, and tests/fake_freshrss.py, answering as FreshRSS's
p/api/greader.php does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tui.core.models import Source
from tui.core.storage.portfolio import load_portfolio

if TYPE_CHECKING:
    from tests.fake_freshrss import FreshRSSServer
    from tests.fake_miniflux import MinifluxServer
    from tests.fakeserver import LoopbackServer
    from tests.syncservers import Home

pytest_plugins = ["tests.syncservers"]

FEED = "https://hr.example/feed"


@pytest.fixture(params=["miniflux", "greader"])
def server(
    request: pytest.FixtureRequest, miniflux: MinifluxServer, freshrss: FreshRSSServer
) -> LoopbackServer:
    return miniflux if request.param == "miniflux" else freshrss


def states(home: Home) -> dict[str, tuple[bool, bool]]:
    return {item.link: (item.read, item.starred) for item in home.items()}


def server_states(server: LoopbackServer, links: set[str]) -> dict[str, tuple[bool, bool]]:
    return {e.url: (e.read, e.starred) for e in server.entries.values() if e.url in links}


def link(n: int) -> str:
    return f"{FEED}/post/{n}"


async def sync_all(*homes: Home) -> None:
    """Each syncs, then each again: what one sent, the others have seen."""
    for _ in range(2):
        for home in homes:
            report = await home.sync()
            assert report.ok, report.error


async def test_two_homes_converge_both_ways_and_through_an_outage(
    make_home: Callable[..., Home], server: LoopbackServer
) -> None:
    feed = server.add_feed(FEED, "HR Weekly", category="HR")
    server.add_entries(feed, 5, age=3600)
    a, b = make_home("a", server), make_home("b", server)
    await sync_all(a, b)
    assert states(a) == states(b) == {link(n): (False, False) for n in range(5)}

    # Read on A, starred on B: each shows the other's.
    a.session.set_flag([a.item(link(0)).id], "read", True)
    b.session.set_flag([b.item(link(1)).id], "starred", True)
    await sync_all(a, b)
    assert states(a)[link(0)] == states(b)[link(0)] == (True, False)
    assert states(a)[link(1)] == states(b)[link(1)] == (False, True)

    # Unread again on B: A follows.
    b.session.set_flag([b.item(link(0)).id], "read", False)
    await sync_all(b, a)
    assert not a.item(link(0)).read

    # The server goes down; A goes on reading and starring, and says what waits.
    server.down()
    a.session.set_flag([a.item(link(2)).id, a.item(link(3)).id], "read", True)
    a.session.set_flag([a.item(link(4)).id], "starred", True)
    report = await a.sync()
    assert not report.ok and "unreachable" in report.error
    assert report.waiting == 3
    assert a.item(link(2)).read  # folio works without the server
    server.up()
    # B, on the server again first, marks its own changes.
    b.session.set_flag([b.item(link(4)).id], "read", True)
    b.session.set_flag([b.item(link(1)).id], "starred", False)
    await sync_all(b, a, b)
    expected = {
        link(0): (False, False),
        link(1): (False, False),
        link(2): (True, False),
        link(3): (True, False),
        link(4): (True, True),
    }
    assert states(a) == states(b) == expected
    assert server_states(server, set(expected)) == expected
    assert a.waiting() == b.waiting() == 0


async def test_a_conflict_ends_the_same_on_both(
    make_home: Callable[..., Home], server: LoopbackServer
) -> None:
    """A marks an article read while offline; B, later, reads it and marks it unread again.
    Miniflux tells when an entry changed, so B's later change wins there; the Google Reader
    API does not, so A's change, not sent yet, wins. Either way both end alike."""
    import time

    feed = server.add_feed(FEED, "HR Weekly")
    server.add_entries(feed, 2, age=3600)
    a, b = make_home("a", server), make_home("b", server)
    await sync_all(a, b)
    server.down()
    a.session.set_flag([a.item(link(0)).id], "read", True)
    await a.sync()
    server.up()
    time.sleep(0.01)
    b.session.set_flag([b.item(link(0)).id], "read", True)
    b.session.set_flag([b.item(link(0)).id], "read", False)
    await sync_all(b, a, b)
    assert states(a) == states(b) == server_states(server, {link(0), link(1)})
    later_wins = type(server).__name__ == "MinifluxServer"
    assert a.item(link(0)).read is not later_wins


async def test_sources_added_on_one_appear_on_the_other_and_removals_follow(
    make_home: Callable[..., Home], server: LoopbackServer
) -> None:
    feed = server.add_feed(FEED, "HR Weekly")
    server.add_entries(feed, 1, age=3600)
    a, b = make_home("a", server), make_home("b", server)
    await sync_all(a, b)
    a.session.add_source(Source("https://new.example/feed", "New one", tags=["fresh"]))
    await sync_all(a, b)
    urls_b = {s.url for s in load_portfolio(b.workspace.portfolio_path).sources}
    assert urls_b == {FEED, "https://new.example/feed"}
    # B unfollows the original feed: A drops it and its items.
    b.session.delete_source(FEED)
    await sync_all(b, a)
    urls_a = {s.url for s in load_portfolio(a.workspace.portfolio_path).sources}
    assert urls_a == {"https://new.example/feed"}
    assert not [item for item in a.items() if item.source == FEED]
    assert [f.url for f in server.feeds.values()] == ["https://new.example/feed"]


async def test_an_article_folio_fetched_itself_is_matched_never_shown_twice(
    make_home: Callable[..., Home], server: LoopbackServer
) -> None:
    """A feed followed in folio before sync was set up has its items already; the server's
    entries for the same articles are matched to them by link, and states merged."""
    from tui.core.models import ParsedFeed, ParsedItem, SourceState

    home = make_home("a", server)
    home.session.add_source(Source(FEED, "HR Weekly"))
    posts = [ParsedItem(guid=f"urn:post:{n}", title=f"post {n}", link=link(n)) for n in range(3)]
    home.store.store_feed(SourceState(FEED, status="ok"), ParsedFeed("HR", FEED, posts))
    home.session.set_flag([home.item(link(1)).id], "read", True)  # read before any sync
    feed = server.add_feed(FEED, "HR Weekly")
    server.add_entries(feed, 3, age=3600)
    report = await home.sync()
    assert report.ok, report.error
    assert len(home.items()) == 3  # not six
    assert home.item(link(1)).read
    await home.sync()
    # The read made here before sync reached the server too.
    assert [e.read for e in sorted(server.entries.values(), key=lambda e: e.url)] == [
        False,
        True,
        False,
    ]
