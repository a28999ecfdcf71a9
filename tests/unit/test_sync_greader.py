"""Sync through the Google Reader API in FreshRSS's dialect, against a loopback server
answering as FreshRSS's p/api/greader.php does (github.com/FreshRSS/FreshRSS, with
docs/en/developers/06_GoogleReader_API.md and the "seven requests" of FreshRSS issue 2566;
Google's ClientLogin errors from
https://web.archive.org/web/20130604091042/http://undoc.in/clientLogin.html).
tests/fake_freshrss.py lists what it implements."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tui.core.storage.portfolio import load_portfolio
from tui.core.sync import local

if TYPE_CHECKING:
    from tests.fake_freshrss import FreshRSSServer
    from tests.syncservers import Home

pytest_plugins = ["tests.syncservers"]

API = "/api/greader.php/reader/api/0/"


@pytest.fixture
def home(make_home: Callable[..., Home], freshrss: FreshRSSServer) -> Home:
    return make_home("a", freshrss)


def seed(server: FreshRSSServer) -> dict[str, list[int]]:
    hr = server.add_feed("https://hr.example/feed", "HR Weekly", category="HR")
    misc = server.add_feed("https://misc.example/rss", "Misc", category="Podcasts")
    unread = server.add_entries(hr, 3, prefix="hr", age=3600)
    read = server.add_entries(misc, 2, prefix="old", read=True, age=3600)
    kept = server.add_entries(misc, 1, prefix="kept", read=True, starred=True, age=3600)
    return {
        "unread": [e.id for e in unread],
        "read": [e.id for e in read],
        "kept": [e.id for e in kept],
    }


def paths(server: FreshRSSServer) -> list[str]:
    return [c.path.removeprefix("/api/greader.php/") for c in server.calls]


async def test_a_pull_is_freshrss_s_seven_requests_and_never_every_article(
    home: Home, freshrss: FreshRSSServer
) -> None:
    seed(freshrss)
    report = await home.sync()
    assert report.ok, report.error
    assert paths(freshrss) == [
        "accounts/ClientLogin",
        "reader/api/0/subscription/list",
        "reader/api/0/tag/list",
        "reader/api/0/unread-count",
        "reader/api/0/stream/contents/user/-/state/com.google/reading-list",
        "reader/api/0/stream/items/ids",
        "reader/api/0/stream/contents/user/-/state/com.google/starred",
        "reader/api/0/stream/items/ids",
        # (No "Read later" label on the server yet, so no listing of it.)
    ]
    reading = freshrss.calls[4]
    assert reading.query["xt"] == ["user/-/state/com.google/read"]  # only what is unread
    assert "ot" not in reading.query  # the first pull: no "since"
    assert all(
        c.headers["authorization"].startswith("GoogleLogin auth=alice/") for c in freshrss.calls[1:]
    )
    sources = {s.url: s for s in load_portfolio(home.workspace.portfolio_path).sources}
    assert sources["https://misc.example/rss"].kind == "podcast"  # from its category
    assert sources["https://hr.example/feed"].tags == ["HR"]
    links = {item.link for item in home.items()}
    assert "https://misc.example/rss/old/0" not in links  # read and not starred: not fetched
    assert {"https://hr.example/feed/hr/2", "https://misc.example/rss/kept/0"} <= links
    # The next pull asks only for what arrived since the last one.
    freshrss.calls.clear()
    await home.sync()
    assert "accounts/ClientLogin" not in paths(freshrss)  # logged in once for the process
    contents = [c for c in freshrss.calls if "/stream/contents/" in c.path]
    # Nothing new arrived (unread-count's newest item is the same): no reading list at all.
    assert [c.path.rsplit("/", 1)[-1] for c in contents] == ["starred"]
    assert "ot" in contents[0].query


async def test_states_go_out_by_edit_tag_with_the_write_token(
    home: Home, freshrss: FreshRSSServer
) -> None:
    ids = seed(freshrss)
    await home.sync()
    first, second = (home.item(f"https://hr.example/feed/hr/{n}") for n in (0, 1))
    home.session.set_flag([first.id, second.id], "read", True)
    home.session.set_flag([second.id], "starred", True)
    home.session.set_flag([second.id], "saved", True)
    report = await home.sync()
    assert report.ok and report.sent == {"read": 2, "star": 1, "later": 1}
    edits = freshrss.seen("POST", API + "edit-tag")
    assert len(edits) == 3
    form = edits[0].form()
    assert form["a"] == ["user/-/state/com.google/read"]
    assert form["i"] == [f"tag:google.com,2005:reader/item/{i:016x}" for i in ids["unread"][:2]]
    assert form["T"] == [freshrss._token()]
    assert freshrss.seen("GET", API + "token")
    assert edits[2].form()["a"] == ["user/-/label/Read later"]
    assert freshrss.entries[ids["unread"][1]].labels == {"Read later"}
    assert freshrss.unread_ids() == {ids["unread"][2]}


async def test_changes_made_elsewhere_come_back_by_the_id_listings(
    home: Home, freshrss: FreshRSSServer
) -> None:
    ids = seed(freshrss)
    await home.sync()
    freshrss.set_state(ids["unread"][0], read=True)
    freshrss.set_state(ids["kept"][0], starred=False)
    freshrss.entries[ids["unread"][1]].labels.add("Read later")
    freshrss.set_state(ids["read"][0], read=False)  # never fetched before: now it is
    report = await home.sync()
    assert home.item("https://hr.example/feed/hr/0").read
    assert not home.item("https://misc.example/rss/kept/0").starred
    assert home.item("https://hr.example/feed/hr/1").saved
    assert not home.item("https://misc.example/rss/old/0").read
    assert freshrss.seen("POST", API + "stream/items/contents")
    assert report.received["read"] == 1 and report.received["unstarred"] == 1


async def test_continuations_page_every_listing(home: Home, freshrss: FreshRSSServer) -> None:
    feed = freshrss.add_feed("https://big.example/feed", "Big")
    freshrss.add_entries(feed, 2500, age=3600)
    report = await home.sync()
    assert report.ok, report.error
    assert len(home.items()) == 2500
    reading = [c for c in freshrss.calls if c.path.endswith("reading-list")]
    assert len(reading) == 3 and "c" not in reading[0].query
    assert reading[1].query["c"] == [str(sorted(freshrss.entries)[-1000])]


async def test_mark_feed_read_stops_at_the_newest_item_seen(
    home: Home, freshrss: FreshRSSServer
) -> None:
    ids = seed(freshrss)
    await home.sync()
    hr = home.item("https://hr.example/feed/hr/0").source
    [late] = freshrss.add_entries(freshrss.feeds[1], 1, prefix="late")
    home.session.mark_source_read(hr)
    await home.flush()
    [mark] = freshrss.seen("POST", API + "mark-all-as-read")
    assert mark.form()["s"] == ["feed/1"]
    assert mark.form()["ts"] == [str(max(ids["unread"]))]  # its crawl time, in µs
    assert freshrss.unread_ids() == {late.id}


async def test_a_password_refused_is_said_in_words(
    make_home: Callable[..., Home], freshrss: FreshRSSServer
) -> None:
    seed(freshrss)
    home = make_home("a", freshrss, token="wrong")
    report = await home.sync()
    assert not report.ok
    assert "refused the user name or password (401: Unauthorized!)" in report.error
    assert "wrong" not in report.error
    freshrss.google_errors = True  # Google's own ClientLogin shape
    report = await home.sync()
    assert "(403: BadAuthentication)" in report.error


async def test_an_expired_login_is_renewed_once_and_the_change_still_goes(
    home: Home, freshrss: FreshRSSServer
) -> None:
    ids = seed(freshrss)
    await home.sync()
    home.session.set_flag([home.item("https://hr.example/feed/hr/0").id], "read", True)
    freshrss.revoke()  # every Auth and write token given so far stops working
    flushed = await home.flush()
    assert flushed.sent == 1, flushed.errors
    assert len(freshrss.seen("POST", "/api/greader.php/accounts/ClientLogin")) == 2
    assert ids["unread"][0] not in freshrss.unread_ids()


async def test_a_400_from_the_stream_is_said_in_words_and_nothing_is_lost(
    home: Home, freshrss: FreshRSSServer
) -> None:
    seed(freshrss)
    await home.sync()
    home.session.set_flag([home.item("https://hr.example/feed/hr/0").id], "read", True)
    freshrss.fail("GET", API + "stream/contents", 400, body=b"Bad Request!")
    report = await home.sync()
    assert not report.ok
    assert report.error == "127.0.0.1 refused it (400): Bad Request!"
    # The local change did not depend on the pull: it went out all the same.
    assert report.sent == {"read": 1} and report.waiting == 0


async def test_folio_never_asks_for_a_stream_freshrss_cannot_place(
    home: Home, freshrss: FreshRSSServer
) -> None:
    """greader.php answers 400 "Bad Request!" for a stream it cannot place; folio always
    names the stream (reading list or starred) and gives ``s`` to every id listing."""
    seed(freshrss)
    await home.sync()
    for call in freshrss.calls:
        if "/stream/contents" in call.path:
            assert call.path.split("/stream/contents/")[1] in (
                "user/-/state/com.google/reading-list",
                "user/-/state/com.google/starred",
            )
        if call.path.endswith("/stream/items/ids"):
            assert call.query.get("s")
    # And the server does answer 400 where FreshRSS does.
    from tui.core.net.fetch import Fetcher

    auth = freshrss.calls[1].headers["authorization"]
    async with Fetcher() as fetcher:
        for path in (
            "stream/contents/user/-/state/com.google/read",
            "stream/items/ids",
            "stream",
        ):
            answer = await fetcher.request(
                "GET", freshrss.api_url() + "/reader/api/0/" + path, headers={"Authorization": auth}
            )
            assert (answer.status, answer.body) == (400, b"Bad Request!"), path


async def test_sources_follow_and_unfollow_through_quickadd_and_subscription_edit(
    home: Home, freshrss: FreshRSSServer
) -> None:
    from tui.core.models import Source

    seed(freshrss)
    await home.sync()
    home.session.add_source(Source("https://new.example/feed", "New"))
    home.session.delete_source("https://misc.example/rss")
    report = await home.sync()
    assert report.ok and report.sent == {"subscribe": 1, "unsubscribe": 1}
    [add] = freshrss.seen("POST", API + "subscription/quickadd")
    assert add.form()["quickadd"] == ["https://new.example/feed"]
    [edit] = freshrss.seen("POST", API + "subscription/edit")
    assert edit.form()["ac"] == ["unsubscribe"] and edit.form()["s"] == ["feed/2"]
    assert {f.url for f in freshrss.feeds.values()} == {
        "https://hr.example/feed",
        "https://new.example/feed",
    }
    assert "https://new.example/feed" in local.synced_urls(home.store)
