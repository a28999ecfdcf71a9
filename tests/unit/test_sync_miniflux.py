"""Sync with Miniflux, against a loopback server answering as Miniflux's API reference says
(https://miniflux.app/docs/api.html, source: content/docs/api.md in github.com/miniflux/website;
error bodies and limits from github.com/miniflux/v2: internal/http/response/json.go,
internal/model/entry.go). tests/syncservers.py lists what it implements."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tui.core.storage.portfolio import load_portfolio
from tui.core.sync import local

if TYPE_CHECKING:
    from tests.fake_miniflux import MinifluxServer
    from tests.syncservers import Home

pytest_plugins = ["tests.syncservers"]


@pytest.fixture
def home(make_home: Callable[..., Home], miniflux: MinifluxServer) -> Home:
    return make_home("a", miniflux)


def seed(server: MinifluxServer) -> dict[str, list[int]]:
    hr = server.add_feed("https://hr.example/feed", "HR Weekly", category="HR")
    misc = server.add_feed("https://misc.example/rss", "Misc", category="All")
    # Stored an hour ago: a change that leaves their change time alone is out of any delta.
    unread = server.add_entries(hr, 3, prefix="hr", age=3600)
    read = server.add_entries(misc, 2, prefix="old", read=True, age=3600)
    kept = server.add_entries(misc, 1, prefix="kept", read=True, starred=True, age=3600)
    return {
        "unread": [e.id for e in unread],
        "read": [e.id for e in read],
        "kept": [e.id for e in kept],
    }


async def test_first_sync_brings_sources_unread_and_starred_never_everything(
    home: Home, miniflux: MinifluxServer
) -> None:
    seed(miniflux)
    report = await home.sync()
    assert report.ok, report.error
    sources = {s.url: s for s in load_portfolio(home.workspace.portfolio_path).sources}
    assert set(sources) == {"https://hr.example/feed", "https://misc.example/rss"}
    assert sources["https://hr.example/feed"].tags == ["HR"]  # the category is the tag
    assert sources["https://misc.example/rss"].tags == []  # Miniflux's default "All" is none
    assert sources["https://hr.example/feed"].name == "HR Weekly"
    links = {item.link: item for item in home.items()}
    # Unread and starred entries came; read ones that nobody starred did not.
    assert set(links) == {
        "https://hr.example/feed/hr/0",
        "https://hr.example/feed/hr/1",
        "https://hr.example/feed/hr/2",
        "https://misc.example/rss/kept/0",
    }
    kept = links["https://misc.example/rss/kept/0"]
    assert kept.read and kept.starred
    assert not links["https://hr.example/feed/hr/0"].read
    assert report.received["new"] == 4
    assert report.sources_added == ["HR Weekly", "Misc"]
    # Synced sources are left alone by the refresher.
    assert local.synced_urls(home.store) == set(sources)


async def test_a_read_here_goes_out_as_one_batch_and_deltas_come_back(
    home: Home, miniflux: MinifluxServer
) -> None:
    ids = seed(miniflux)
    await home.sync()
    items = [home.item(f"https://hr.example/feed/hr/{n}") for n in range(3)]
    home.session.set_flag([i.id for i in items[:2]], "read", True)
    home.session.set_flag([items[2].id], "starred", True)
    assert home.waiting() == 3
    report = await home.sync()
    assert report.ok and report.sent == {"read": 2, "star": 1}
    puts = miniflux.seen("PUT", "/v1/entries")
    assert [call.json() for call in puts] == [
        {"entry_ids": ids["unread"][:2], "status": "read"},
        {"entry_ids": ids["unread"][2:], "starred": True},
    ]
    assert home.waiting() == 0
    assert miniflux.unread_ids() == {ids["unread"][2]}
    # The second pull asked only for what changed since the first one.
    gets = [c for c in miniflux.seen("GET", "/v1/entries") if c.path == "/v1/entries"]
    assert "changed_after" in gets[-1].query
    # Another client reads the last one: the delta brings it.
    miniflux.set_state(ids["unread"][2], read=True)
    report = await home.sync()
    assert report.received["read"] == 1
    assert home.item("https://hr.example/feed/hr/2").read


async def test_pages_go_by_entry_id_and_all_arrive(home: Home, miniflux: MinifluxServer) -> None:
    feed = miniflux.add_feed("https://big.example/feed", "Big")
    miniflux.add_entries(feed, 600)
    report = await home.sync()
    assert report.ok, report.error
    assert len(home.items()) == 600
    pages = [
        c
        for c in miniflux.seen("GET", "/v1/entries")
        if c.path == "/v1/entries" and c.query.get("status") == ["unread"]
    ]
    assert len(pages) == 3
    assert "after_entry_id" not in pages[0].query
    assert pages[1].query["after_entry_id"] == ["250"]
    assert pages[2].query["after_entry_id"] == ["500"]


async def test_the_id_listing_catches_what_a_delta_missed(
    home: Home, miniflux: MinifluxServer
) -> None:
    ids = seed(miniflux)
    await home.sync()
    # Read elsewhere, but the change time stayed old: no delta can see it.
    miniflux.set_state(ids["unread"][0], touch=False, read=True)
    miniflux.set_state(ids["kept"][0], touch=False, starred=False)
    await home.sync()
    assert not home.item("https://hr.example/feed/hr/0").read  # the delta missed it
    listings = len(miniflux.seen("GET", "/v1/entries/ids"))
    local.set_state(home.store, {"last_full": 0})  # the periodic listing is due
    report = await home.sync()
    assert len(miniflux.seen("GET", "/v1/entries/ids")) == listings + 2  # unread, starred
    assert home.item("https://hr.example/feed/hr/0").read
    assert not home.item("https://misc.example/rss/kept/0").starred
    assert report.received["read"] == 1 and report.received["unstarred"] == 1


async def test_the_listing_fetches_unread_entries_folio_never_had(
    home: Home, miniflux: MinifluxServer
) -> None:
    ids = seed(miniflux)
    await home.sync()
    miniflux.set_state(ids["read"][0], touch=False, read=False)  # unread again, quietly
    local.set_state(home.store, {"last_full": 0})
    await home.sync()
    assert not home.item("https://misc.example/rss/old/0").read
    assert miniflux.seen("GET", f"/v1/entries/{ids['read'][0]}")


async def test_an_older_miniflux_without_the_id_listing_still_syncs(
    home: Home, miniflux: MinifluxServer
) -> None:
    miniflux.has_ids_endpoint = False  # before 2.3.2: 404
    seed(miniflux)
    report = await home.sync()
    assert report.ok, report.error
    assert len(home.items()) == 4


async def test_mark_feed_read_covers_what_folio_never_downloaded_not_what_came_after(
    home: Home, miniflux: MinifluxServer
) -> None:
    ids = seed(miniflux)
    await home.sync()
    misc = home.item("https://misc.example/rss/kept/0").source
    # Unread again elsewhere, unseen by folio (no delta, no listing yet).
    miniflux.set_state(ids["read"][1], touch=False, read=False)
    home.session.set_flag([home.item("https://misc.example/rss/kept/0").id], "read", False)
    home.session.mark_source_read(misc)
    await home.sync()
    assert miniflux.seen("PUT", "/v1/feeds/2/mark-all-as-read")
    assert not ({ids["read"][1]} & miniflux.unread_ids())
    # Something new arrives in HR after the last sync; the user marks HR read from what
    # they saw: the newcomer stays unread on the server.
    hr = home.item("https://hr.example/feed/hr/0").source
    [late] = miniflux.add_entries(miniflux.feeds[1], 1, prefix="late")
    home.session.mark_source_read(hr)
    await home.flush()
    assert not miniflux.seen("PUT", "/v1/feeds/1/mark-all-as-read")
    assert miniflux.unread_ids() == {late.id}
    report = await home.sync()
    assert not home.item("https://hr.example/feed/late/0").read
    assert report.ok


async def test_a_newer_change_on_the_server_wins_over_an_older_one_waiting_here(
    home: Home, miniflux: MinifluxServer
) -> None:
    ids = seed(miniflux)
    await home.sync()
    first = home.item("https://hr.example/feed/hr/0")
    second = home.item("https://hr.example/feed/hr/1")
    home.session.set_flag([first.id, second.id], "read", True)  # queued, not sent yet
    import time

    time.sleep(0.01)
    # Another machine, later: reads the first and unreads it again.
    miniflux.set_state(ids["unread"][0], read=False)
    report = await home.sync()
    assert not home.item(first.link).read  # the server's later change won
    assert ids["unread"][0] in miniflux.unread_ids()
    assert home.item(second.link).read  # no change there on the server: ours went out
    assert ids["unread"][1] not in miniflux.unread_ids()
    assert report.sent == {"read": 1}
    assert home.waiting() == 0


async def test_sources_added_or_removed_here_are_followed_or_unfollowed_there(
    home: Home, miniflux: MinifluxServer
) -> None:
    from tui.core.models import Source

    seed(miniflux)
    await home.sync()
    home.session.add_source(Source("https://new.example/feed", "New"))
    home.session.add_source(Source("https://mastodon.example/@ana", "Ana", api="mastodon"))
    home.session.delete_source("https://misc.example/rss")
    report = await home.sync()
    assert report.ok, report.error
    assert report.sent.get("subscribe") == 1 and report.sent.get("unsubscribe") == 1
    urls = {feed.url for feed in miniflux.feeds.values()}
    assert urls == {"https://hr.example/feed", "https://new.example/feed"}  # no API source
    assert "https://new.example/feed" in local.synced_urls(home.store)
    # Sent twice (the answer lost): "This feed already exists." is no failure.
    from tui.core.outbox.queue import Outbox
    from tui.core.sync.common import SUBSCRIBE, source_key

    Outbox(home.store).put(
        "sync",
        SUBSCRIBE,
        source_key("https://new.example/feed"),
        {"url": "https://new.example/feed"},
    )
    flushed = await home.flush()
    assert flushed.sent == 1 and flushed.failed == 0
    assert len(miniflux.feeds) == 2


async def test_a_refused_token_waits_in_words_and_goes_once_fixed(
    home: Home, miniflux: MinifluxServer
) -> None:
    seed(miniflux)
    await home.sync()
    home.session.set_flag([home.item("https://hr.example/feed/hr/0").id], "read", True)
    miniflux.token = "rotated"  # the token was revoked on the server
    report = await home.sync()
    assert not report.ok
    assert "Miniflux refused the credentials (401): access unauthorized" in report.error
    assert "FOLIO_SYNC_TOKEN" in report.error and "mf-token" not in report.error
    assert report.waiting == 1
    [waiting] = home.session.outbox_waiting()
    assert "refused the credentials" in waiting.reason
    home.credentials.values["sync_token"] = "rotated"
    report = await home.sync()
    assert report.ok and report.sent == {"read": 1} and report.waiting == 0


async def test_hostile_text_from_the_server_is_cleaned(
    home: Home, miniflux: MinifluxServer
) -> None:
    feed = miniflux.add_feed("https://evil.example/feed", "Evil\x1b]52;c;aGk=\x07 feed")
    [entry] = miniflux.add_entries(feed, 1)
    entry.title = "[@click=app.quit]x[/] \x1b[31mred\u202e"
    await home.sync()
    [item] = home.items()
    assert "\x1b" not in item.title and "\u202e" not in item.title
    assert item.title.startswith("[@click=app.quit]x[/]")  # kept as text, never markup
    [source] = load_portfolio(home.workspace.portfolio_path).sources
    assert "\x1b" not in source.name and "\x07" not in source.name


async def test_a_podcast_position_goes_to_the_enclosure_newest_only(
    home: Home, miniflux: MinifluxServer
) -> None:
    feed = miniflux.add_feed("https://cast.example/rss", "Cast", category="Podcasts")
    [episode] = miniflux.add_entries(feed, 1, audio=True, age=3600)
    await home.sync()
    item = home.item(episode.url)
    assert item.enclosure_url == episode.url + ".mp3"
    for seconds in (10, 20, 95):
        assert home.session.save_position(item, seconds)
    assert home.waiting() == 1  # only the newest position waits
    flushed = await home.flush()
    assert flushed.sent == 1
    [put] = miniflux.seen("PUT", f"/v1/enclosures/{episode.id * 10}")
    assert put.json() == {"media_progression": 95}
    assert miniflux.entries[episode.id].progression == 95


async def test_basic_authentication_when_a_user_is_set(
    make_home: Callable[..., Home], miniflux: MinifluxServer
) -> None:
    from tui.core.config import parse_settings

    seed(miniflux)
    home = make_home("basic", miniflux, token=miniflux.password)
    text = home.settings_text + f'user = "{miniflux.user}"\n'
    home.workspace.settings = parse_settings(text, home.root / "settings.toml")
    report = await home.sync()
    assert report.ok, report.error
    assert miniflux.calls[0].headers["authorization"].startswith("Basic ")
    assert "x-auth-token" not in miniflux.calls[0].headers


async def test_where_playback_stopped_goes_to_the_server(
    home: Home, miniflux: MinifluxServer
) -> None:
    """The player's last report (here a stopped mpv's, as Playback gives it) reaches the
    session, which queues it for the enclosure, as save_position does."""
    import types

    feed = miniflux.add_feed("https://cast.example/rss", "Cast", category="Podcasts")
    [episode] = miniflux.add_entries(feed, 1, audio=True, age=3600)
    await home.sync()
    item = home.item(episode.url)
    stopped = types.SimpleNamespace(
        item_id=item.id, mpv=True, running=False, reached_end=False, position=123.4, duration=600.0
    )
    home.session.podcasts._heard(stopped)  # type: ignore[arg-type]
    assert home.waiting() == 1
    assert (await home.flush()).sent == 1
    [put] = miniflux.seen("PUT", f"/v1/enclosures/{episode.id * 10}")
    assert put.json() == {"media_progression": 123}
